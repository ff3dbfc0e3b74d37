/**
 * Kubeconfig files (clientcmd v1 Config,
 * https://kubernetes.io/docs/reference/config-api/kubeconfig.v1/): the per-session file the CLI
 * writes, and the reading side the gateway uses to load the cluster credential it holds.
 */
import { parse, stringify } from 'yaml';
import { HoopError } from '../errors.js';

/** What a per-session kubeconfig needs. */
export interface KubeconfigInput {
  /** Cluster and context name (e.g. `hoopctl-prod`). */
  name: string;
  /** Loopback proxy URL, e.g. `https://127.0.0.1:41234`. */
  server: string;
  /** PEM of the CA that signed the proxy's certificate. */
  certificateAuthorityPem: string;
  /** Per-session bearer token the proxy accepts. */
  token: string;
  namespace?: string;
  /** User entry name (e.g. `alice@prod`). */
  user: string;
}

/** Builds a v1 Config YAML with one cluster, one user (bearer token) and one context, current. Never skips TLS verification. */
export function buildKubeconfig(input: KubeconfigInput): string {
  if (!/^https?:\/\/[^/]/.test(input.server)) throw new HoopError('internal', `kubeconfig server ${JSON.stringify(input.server)} is not an http(s) URL`);
  if (!input.certificateAuthorityPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new HoopError('internal', 'kubeconfig certificate authority is not a PEM certificate');
  }
  const context: Record<string, string> = { cluster: input.name, user: input.user };
  if (input.namespace !== undefined && input.namespace !== '') context.namespace = input.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{
      name: input.name,
      cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.certificateAuthorityPem, 'utf8').toString('base64') },
    }],
    users: [{ name: input.user, user: { token: input.token } }],
    contexts: [{ name: input.name, context }],
    'current-context': input.name,
    preferences: {},
  }, { lineWidth: 0 });
}

/** A parsed kubeconfig: named lists as in the file, entries kept as plain records. */
export interface Kubeconfig {
  source: string;
  clusters: Map<string, Record<string, unknown>>;
  users: Map<string, Record<string, unknown>>;
  contexts: Map<string, Record<string, unknown>>;
  currentContext?: string;
}

/** Parses kubeconfig YAML; `source` names the file in error messages. */
export function parseKubeconfig(yamlText: string, source = 'kubeconfig'): Kubeconfig {
  let doc: unknown;
  try {
    doc = parse(yamlText);
  } catch (cause) {
    throw new HoopError('config_invalid', `${source}: not valid YAML: ${(cause as Error).message}`, { cause });
  }
  if (!isRecord(doc)) throw new HoopError('config_invalid', `${source}: not a kubeconfig (expected a mapping)`);
  const config: Kubeconfig = {
    source,
    clusters: namedList(doc, 'clusters', 'cluster', source),
    users: namedList(doc, 'users', 'user', source),
    contexts: namedList(doc, 'contexts', 'context', source),
  };
  const current = doc['current-context'];
  if (typeof current === 'string' && current !== '') config.currentContext = current;
  return config;
}

/** Connection settings of one context; data fields decoded, file fields left as paths (relative to the kubeconfig's directory) for the caller to read. */
export interface ResolvedKubeconfig {
  context: string;
  server: string;
  caPem?: string;
  caFile?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  token?: string;
  tokenFile?: string;
  clientCertPem?: string;
  clientCertFile?: string;
  clientKeyPem?: string;
  clientKeyFile?: string;
  namespace?: string;
}

/** Resolves `contextName` (default: current-context) to server, CA and credential; HoopError('config_invalid') naming the context. */
export function resolveKubeconfigContext(config: Kubeconfig, contextName?: string): ResolvedKubeconfig {
  const name = contextName ?? config.currentContext;
  if (name === undefined) throw new HoopError('config_invalid', `${config.source}: no context given and no current-context set`);
  const fail = (msg: string): never => {
    throw new HoopError('config_invalid', `${config.source}: context ${JSON.stringify(name)}: ${msg}`);
  };
  const context = config.contexts.get(name) ?? fail(`no such context (contexts: ${[...config.contexts.keys()].join(', ') || 'none'})`);
  const clusterName = str(context, 'cluster') ?? fail('names no cluster');
  const userName = str(context, 'user') ?? fail('names no user');
  const cluster = config.clusters.get(clusterName) ?? fail(`cluster ${JSON.stringify(clusterName)} is not defined`);
  const user = config.users.get(userName) ?? fail(`user ${JSON.stringify(userName)} is not defined`);

  const server = str(cluster, 'server') ?? fail(`cluster ${JSON.stringify(clusterName)} has no server`);
  if (cluster['proxy-url'] !== undefined) fail('proxy-url is not supported');
  // exec plugins and auth-providers would run programs or refresh tokens inside the gateway: not supported.
  for (const key of ['exec', 'auth-provider', 'username', 'password']) {
    if (user[key] !== undefined) fail(`user ${JSON.stringify(userName)} uses "${key}", which hoopctl does not support; use a token, token file or client certificate`);
  }
  const out: ResolvedKubeconfig = { context: name, server, insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true };
  const decoded = (entry: Record<string, unknown>, key: string): string | undefined => {
    const v = str(entry, key);
    if (v === undefined) return undefined;
    if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(v)) fail(`${key} is not base64`);
    return Buffer.from(v, 'base64').toString('utf8');
  };
  assign(out, 'caPem', decoded(cluster, 'certificate-authority-data'));
  assign(out, 'caFile', str(cluster, 'certificate-authority'));
  assign(out, 'tlsServerName', str(cluster, 'tls-server-name'));
  assign(out, 'token', str(user, 'token'));
  assign(out, 'tokenFile', str(user, 'tokenFile'));
  assign(out, 'clientCertPem', decoded(user, 'client-certificate-data'));
  assign(out, 'clientCertFile', str(user, 'client-certificate'));
  assign(out, 'clientKeyPem', decoded(user, 'client-key-data'));
  assign(out, 'clientKeyFile', str(user, 'client-key'));
  assign(out, 'namespace', str(context, 'namespace'));
  const hasCert = out.clientCertPem !== undefined || out.clientCertFile !== undefined;
  const hasKey = out.clientKeyPem !== undefined || out.clientKeyFile !== undefined;
  if (hasCert !== hasKey) fail(`user ${JSON.stringify(userName)} has a client certificate without its key, or a key without its certificate`);
  if (out.token === undefined && out.tokenFile === undefined && !hasCert) fail(`user ${JSON.stringify(userName)} has no token, token file or client certificate`);
  return out;
}

function namedList(doc: Record<string, unknown>, key: string, inner: string, source: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const list = doc[key] ?? [];
  if (!Array.isArray(list)) throw new HoopError('config_invalid', `${source}: ${key} must be a list`);
  list.forEach((item: unknown, i) => {
    const name = isRecord(item) ? item.name : undefined;
    const body = isRecord(item) ? item[inner] : undefined;
    if (typeof name !== 'string' || name === '' || !isRecord(body)) {
      throw new HoopError('config_invalid', `${source}: ${key}[${i}] needs a name and a ${inner} mapping`);
    }
    if (out.has(name)) throw new HoopError('config_invalid', `${source}: ${key}[${i}]: duplicate name ${JSON.stringify(name)}`);
    out.set(name, body);
  });
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(entry: Record<string, unknown>, key: string): string | undefined {
  const v = entry[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function assign<K extends keyof ResolvedKubeconfig>(out: ResolvedKubeconfig, key: K, value: ResolvedKubeconfig[K] | undefined): void {
  if (value !== undefined) out[key] = value;
}
