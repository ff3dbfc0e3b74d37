/** One `connections[i]` entry of the gateway config: upstream URL, trust, held credential, TTLs. */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseKubeconfig, resolveKubeconfigContext, type ExecPluginConfig } from '../kube/kubeconfig.js';
import { z } from 'zod';
import { duration, IF_VALID, issue, mapping, text, type ConfigPath } from '../config-reader.js';
import { isLoopbackHost } from './listen-address.js';

/** The cluster credential the gateway holds for a connection (never shown to callers). */
export type UpstreamCredential =
  | { kind: 'token'; token: string }
  /** Re-read while running: projected service-account tokens rotate. */
  | { kind: 'tokenFile'; path: string }
  | { kind: 'clientCert'; certPem: string; keyPem: string }
  /** A client-go credential plugin (EKS, GKE, AKS): run by the gateway, its token kept until it expires. */
  | { kind: 'exec'; exec: ExecPluginConfig };

/** A validated connection. */
export interface ConnectionConfig {
  name: string;
  description?: string;
  /** Upstream kube-apiserver base URL (may carry a path prefix). */
  server: string;
  caPem?: string;
  /** SNI / certificate name to expect when it differs from the server's host (kubeconfig `tls-server-name`). */
  tlsServerName?: string;
  insecureSkipTlsVerify: boolean;
  credential: UpstreamCredential;
  impersonate: boolean;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
}

/** What resolving a connection needs from its surroundings. */
export interface ConnectionContext {
  /** The config file (relative paths in it are relative to its directory). */
  file: string;
  readFile: (path: string) => Promise<string>;
  env: Record<string, string | undefined>;
  sessionDefaults: { defaultTtlSeconds: number; maxTtlSeconds: number };
}

const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const credentialSchema = mapping({
  kubeconfig: text.optional(),
  context: text.optional(),
  inCluster: z.boolean().optional(),
  tokenFile: text.optional(),
}).superRefine((cm, ctx) => {
  const kinds = (['kubeconfig', 'inCluster', 'tokenFile'] as const).filter((k) => cm[k] !== undefined && cm[k] !== false);
  if (kinds.length !== 1) {
    issue(ctx, `needs exactly one of kubeconfig, inCluster, tokenFile (got ${kinds.length === 0 ? 'none' : kinds.join(', ')})`);
  } else if (cm.context !== undefined && kinds[0] !== 'kubeconfig') {
    issue(ctx, 'only goes with credential.kubeconfig', ['context']);
  }
}, IF_VALID);

/** One `connections[i]` entry, before the files it names are read. */
export const connectionSchema = mapping({
  name: text.refine((n) => NAME.test(n), { error: (iss) => `${JSON.stringify(iss.input)} must be lower-case letters, digits and '-' (it appears in URLs)` }),
  description: text.optional(),
  server: text.optional(),
  certificateAuthority: text.optional(),
  certificateAuthorityData: text.optional(),
  insecureSkipTlsVerify: z.boolean().optional(),
  credential: credentialSchema.optional(),
  impersonate: z.boolean().optional(),
  defaultTtl: duration.optional(),
  maxTtl: duration.optional(),
}).superRefine((m, ctx) => {
  if (m.credential === undefined) issue(ctx, 'is required (kubeconfig, inCluster or tokenFile)', ['credential']);
  if (m.certificateAuthority !== undefined && m.certificateAuthorityData !== undefined) {
    issue(ctx, 'give certificateAuthority or certificateAuthorityData, not both', ['certificateAuthorityData']);
  }
}, IF_VALID);

/** A connection after its schema. */
export type ConnectionInput = z.output<typeof connectionSchema>;

/** A mistake found while resolving (reading the files a section names); `path` is relative to the file. */
export class ResolveProblem extends Error {
  constructor(
    readonly path: ConfigPath,
    message: string,
  ) {
    super(message);
  }
}

/** Accepts PEM text or base64 of PEM (kubeconfig style); returns PEM. */
function decodeCaData(data: string, path: ConfigPath): string {
  if (data.includes('-----BEGIN')) return data;
  const pem = Buffer.from(data, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ResolveProblem(path, 'is neither PEM nor base64 of a PEM certificate');
  return pem;
}

/** Reads `file` (relative to the config file); a failure is a problem at `path`. */
export async function readRelative(c: Pick<ConnectionContext, 'file' | 'readFile'>, file: string, path: ConfigPath): Promise<{ abs: string; text: string }> {
  const abs = resolve(dirname(c.file), file);
  try {
    return { abs, text: await c.readFile(abs) };
  } catch (e) {
    throw new ResolveProblem(path, `cannot read ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Resolves a checked `connections[i]` (at `path`), reading the files it names; throws ResolveProblem at the first mistake. */
export async function resolveConnection(c: ConnectionContext, m: ConnectionInput, path: ConfigPath): Promise<ConnectionConfig> {
  const fail = (at: ConfigPath, message: string): never => {
    throw new ResolveProblem(at, message);
  };
  let server = m.server;
  let caPem: string | undefined;
  let insecureSkipTlsVerify = m.insecureSkipTlsVerify ?? false;
  let tlsServerName: string | undefined;
  if (m.certificateAuthority !== undefined) {
    const caPath = [...path, 'certificateAuthority'];
    caPem = decodeCaData((await readRelative(c, m.certificateAuthority, caPath)).text, caPath);
  }
  if (m.certificateAuthorityData !== undefined) caPem = decodeCaData(m.certificateAuthorityData, [...path, 'certificateAuthorityData']);

  const credPath = [...path, 'credential'];
  const cm = m.credential!;
  let credential: UpstreamCredential;
  if (cm.kubeconfig !== undefined) {
    const kcPath = [...credPath, 'kubeconfig'];
    const { abs, text: kcText } = await readRelative(c, cm.kubeconfig, kcPath);
    let ctx: ReturnType<typeof resolveKubeconfigContext>;
    try {
      ctx = resolveKubeconfigContext(parseKubeconfig(kcText, abs), cm.context);
    } catch (e) {
      return fail(cm.context === undefined ? kcPath : [...credPath, 'context'], (e as Error).message);
    }
    // File references inside a kubeconfig are relative to the kubeconfig itself.
    const near = async (file: string): Promise<string> => (await readRelative(c, resolve(dirname(abs), file), kcPath)).text;
    server ??= ctx.server;
    caPem ??= ctx.caPem ?? (ctx.caFile === undefined ? undefined : await near(ctx.caFile));
    if (ctx.tlsServerName !== undefined) tlsServerName = ctx.tlsServerName;
    if (m.insecureSkipTlsVerify === undefined) insecureSkipTlsVerify = ctx.insecureSkipTlsVerify;
    const certPem = ctx.clientCertPem ?? (ctx.clientCertFile === undefined ? undefined : await near(ctx.clientCertFile));
    const keyPem = ctx.clientKeyPem ?? (ctx.clientKeyFile === undefined ? undefined : await near(ctx.clientKeyFile));
    if (certPem !== undefined && keyPem !== undefined) credential = { kind: 'clientCert', certPem, keyPem };
    else if (ctx.token !== undefined) credential = { kind: 'token', token: ctx.token };
    else if (ctx.tokenFile !== undefined) credential = { kind: 'tokenFile', path: resolve(dirname(abs), ctx.tokenFile) };
    else if (ctx.exec !== undefined) {
      // As client-go: a command with a path separator is relative to the kubeconfig, a bare name is looked up in PATH.
      const cmd = ctx.exec.command;
      credential = { kind: 'exec', exec: { ...ctx.exec, command: isAbsolute(cmd) || !cmd.includes('/') ? cmd : resolve(dirname(abs), cmd) } };
    } else return fail(kcPath, `${abs}: the context's user has no token, token file, client certificate or exec plugin the gateway can hold`);
  } else if (cm.inCluster === true) {
    const icPath = [...credPath, 'inCluster'];
    const host = c.env.KUBERNETES_SERVICE_HOST;
    const port = c.env.KUBERNETES_SERVICE_PORT;
    if (server === undefined && (host === undefined || port === undefined)) {
      fail(icPath, 'KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT are not set (not running in a pod?)');
    }
    server ??= `https://${host!.includes(':') ? `[${host}]` : host}:${port}`;
    caPem ??= (await readRelative(c, `${IN_CLUSTER_DIR}/ca.crt`, icPath)).text;
    await readRelative(c, `${IN_CLUSTER_DIR}/token`, icPath);
    credential = { kind: 'tokenFile', path: `${IN_CLUSTER_DIR}/token` };
  } else {
    const tfPath = [...credPath, 'tokenFile'];
    const { abs, text: token } = await readRelative(c, cm.tokenFile!, tfPath);
    if (token.trim() === '') fail(tfPath, `${abs} is empty`);
    credential = { kind: 'tokenFile', path: abs };
  }

  const serverPath = [...path, 'server'];
  if (server === undefined) return fail(serverPath, 'is required (or give credential.kubeconfig with a server)');
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return fail(serverPath, `${JSON.stringify(server)} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    fail(serverPath, 'must be https:// (http:// only for a loopback host)');
  }
  if (url.protocol === 'http:' && credential.kind === 'clientCert') fail(serverPath, 'a client certificate needs an https:// server');

  const maxTtlSeconds = m.maxTtl ?? c.sessionDefaults.maxTtlSeconds;
  // An inherited default longer than this connection's max just shrinks to it; an explicit one is a mistake.
  const defaultTtlSeconds = m.defaultTtl ?? Math.min(c.sessionDefaults.defaultTtlSeconds, maxTtlSeconds);
  if (defaultTtlSeconds > maxTtlSeconds) fail([...path, 'defaultTtl'], `is longer than maxTtl (${defaultTtlSeconds}s > ${maxTtlSeconds}s)`);
  return {
    name: m.name,
    ...(m.description === undefined ? {} : { description: m.description }),
    server: url.href.replace(/\/+$/, ''),
    ...(caPem === undefined ? {} : { caPem }),
    ...(tlsServerName === undefined ? {} : { tlsServerName }),
    insecureSkipTlsVerify,
    credential,
    impersonate: m.impersonate ?? true,
    defaultTtlSeconds,
    maxTtlSeconds,
  };
}
