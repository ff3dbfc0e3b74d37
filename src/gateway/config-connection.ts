/** One `connections[i]` entry of the gateway config: upstream URL, trust, held credential, TTLs. */
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseKubeconfig, resolveKubeconfigContext, type ExecPluginConfig } from '../kube/kubeconfig.js';
import { parseDuration } from '../credential/duration.js';
import { isLoopbackHost } from './listen-address.js';
import { joinPath, type ConfigFields } from './config-fields.js';

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

/** What reading a connection needs from its surroundings. */
export interface ConnectionContext {
  fields: ConfigFields;
  readFile: (path: string) => Promise<string>;
  env: Record<string, string | undefined>;
  sessionDefaults: { defaultTtlSeconds: number; maxTtlSeconds: number };
}

const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KEYS = ['name', 'description', 'server', 'certificateAuthority', 'certificateAuthorityData', 'insecureSkipTlsVerify',
  'credential', 'impersonate', 'defaultTtl', 'maxTtl'] as const;

/** Reads a duration field (`15m`) into seconds. */
export function readDuration(f: ConfigFields, m: Record<string, unknown>, key: string, path: string): number | undefined {
  const text = f.optString(m, key, path);
  if (text === undefined) return undefined;
  try {
    const s = parseDuration(text);
    if (!(s > 0)) f.fail(joinPath(path, key), 'must be longer than 0s');
    return s;
  } catch (e) {
    return f.fail(joinPath(path, key), e instanceof Error ? e.message : String(e), e);
  }
}

/** Accepts PEM text or base64 of PEM (kubeconfig style); returns PEM. */
export function decodeCaData(f: ConfigFields, data: string, path: string): string {
  if (data.includes('-----BEGIN')) return data;
  const pem = Buffer.from(data, 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) f.fail(path, 'is neither PEM nor base64 of a PEM certificate');
  return pem;
}

async function readRelative(c: ConnectionContext, file: string, path: string): Promise<{ abs: string; text: string }> {
  const abs = resolve(dirname(c.fields.file), file);
  try {
    return { abs, text: await c.readFile(abs) };
  } catch (e) {
    return c.fields.fail(path, `cannot read ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, e);
  }
}

/** Validates `connections[index]`, reading the files it names. */
export async function readConnection(c: ConnectionContext, raw: unknown, path: string): Promise<ConnectionConfig> {
  const f = c.fields;
  const m = f.mapping(raw, path, KEYS);
  const name = f.string(m, 'name', path);
  if (!NAME.test(name)) f.fail(joinPath(path, 'name'), `${JSON.stringify(name)} must be lower-case letters, digits and '-' (it appears in URLs)`);
  let server = f.optString(m, 'server', path);
  let caPem: string | undefined;
  let insecureSkipTlsVerify = f.optBool(m, 'insecureSkipTlsVerify', path) ?? false;
  let tlsServerName: string | undefined;
  const caFile = f.optString(m, 'certificateAuthority', path);
  const caData = f.optString(m, 'certificateAuthorityData', path);
  if (caFile !== undefined && caData !== undefined) f.fail(joinPath(path, 'certificateAuthorityData'), 'give certificateAuthority or certificateAuthorityData, not both');
  if (caFile !== undefined) caPem = decodeCaData(f, (await readRelative(c, caFile, joinPath(path, 'certificateAuthority'))).text, joinPath(path, 'certificateAuthority'));
  if (caData !== undefined) caPem = decodeCaData(f, caData, joinPath(path, 'certificateAuthorityData'));

  const credPath = joinPath(path, 'credential');
  const cm = f.mapping(m.credential ?? f.fail(credPath, 'is required (kubeconfig, inCluster or tokenFile)'), credPath,
    ['kubeconfig', 'context', 'inCluster', 'tokenFile']);
  const kinds = (['kubeconfig', 'inCluster', 'tokenFile'] as const).filter((k) => cm[k] !== undefined && cm[k] !== false);
  if (kinds.length !== 1) f.fail(credPath, `needs exactly one of kubeconfig, inCluster, tokenFile (got ${kinds.length === 0 ? 'none' : kinds.join(', ')})`);
  if (cm.context !== undefined && kinds[0] !== 'kubeconfig') f.fail(joinPath(credPath, 'context'), 'only goes with credential.kubeconfig');
  let credential: UpstreamCredential;
  if (kinds[0] === 'kubeconfig') {
    const kcPath = joinPath(credPath, 'kubeconfig');
    const { abs, text } = await readRelative(c, f.string(cm, 'kubeconfig', credPath), kcPath);
    const contextName = f.optString(cm, 'context', credPath);
    let ctx: ReturnType<typeof resolveKubeconfigContext>;
    try {
      ctx = resolveKubeconfigContext(parseKubeconfig(text, abs), contextName);
    } catch (e) {
      return f.fail(contextName === undefined ? kcPath : joinPath(credPath, 'context'), (e as Error).message, e);
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
    }
    else return f.fail(kcPath, `${abs}: the context's user has no token, token file, client certificate or exec plugin the gateway can hold`);
  } else if (kinds[0] === 'inCluster') {
    if (cm.inCluster !== true) f.fail(joinPath(credPath, 'inCluster'), 'must be true');
    const host = c.env.KUBERNETES_SERVICE_HOST;
    const port = c.env.KUBERNETES_SERVICE_PORT;
    if (server === undefined && (host === undefined || port === undefined)) {
      f.fail(joinPath(credPath, 'inCluster'), 'KUBERNETES_SERVICE_HOST / KUBERNETES_SERVICE_PORT are not set (not running in a pod?)');
    }
    server ??= `https://${host!.includes(':') ? `[${host}]` : host}:${port}`;
    caPem ??= (await readRelative(c, `${IN_CLUSTER_DIR}/ca.crt`, joinPath(credPath, 'inCluster'))).text;
    await readRelative(c, `${IN_CLUSTER_DIR}/token`, joinPath(credPath, 'inCluster'));
    credential = { kind: 'tokenFile', path: `${IN_CLUSTER_DIR}/token` };
  } else {
    const tfPath = joinPath(credPath, 'tokenFile');
    const { abs, text } = await readRelative(c, f.string(cm, 'tokenFile', credPath), tfPath);
    if (text.trim() === '') f.fail(tfPath, `${abs} is empty`);
    credential = { kind: 'tokenFile', path: abs };
  }

  if (server === undefined) return f.fail(joinPath(path, 'server'), 'is required (or give credential.kubeconfig with a server)');
  let url: URL;
  try { url = new URL(server); } catch (e) { return f.fail(joinPath(path, 'server'), `${JSON.stringify(server)} is not a URL`, e); }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    f.fail(joinPath(path, 'server'), 'must be https:// (http:// only for a loopback host)');
  }
  if (url.protocol === 'http:' && credential.kind === 'clientCert') f.fail(joinPath(path, 'server'), 'a client certificate needs an https:// server');

  const maxTtlSeconds = readDuration(f, m, 'maxTtl', path) ?? c.sessionDefaults.maxTtlSeconds;
  const ownDefault = readDuration(f, m, 'defaultTtl', path);
  // An inherited default longer than this connection's max just shrinks to it; an explicit one is a mistake.
  const defaultTtlSeconds = ownDefault ?? Math.min(c.sessionDefaults.defaultTtlSeconds, maxTtlSeconds);
  if (defaultTtlSeconds > maxTtlSeconds) f.fail(joinPath(path, 'defaultTtl'), `is longer than maxTtl (${defaultTtlSeconds}s > ${maxTtlSeconds}s)`);
  const description = f.optString(m, 'description', path);
  return {
    name, ...(description === undefined ? {} : { description }), server: url.href.replace(/\/+$/, ''),
    ...(caPem === undefined ? {} : { caPem }), ...(tlsServerName === undefined ? {} : { tlsServerName }), insecureSkipTlsVerify, credential,
    impersonate: f.optBool(m, 'impersonate', path) ?? true, defaultTtlSeconds, maxTtlSeconds,
  };
}
