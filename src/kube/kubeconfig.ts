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
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: input.name,
          cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.certificateAuthorityPem, 'utf8').toString('base64') },
        },
      ],
      users: [{ name: input.user, user: { token: input.token } }],
      contexts: [{ name: input.name, context }],
      'current-context': input.name,
      preferences: {},
    },
    { lineWidth: 0 },
  );
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
  /** A client-go credential plugin (`user.exec`); `command` as written (a relative path with a `/` is relative to the kubeconfig). */
  exec?: ExecPluginConfig;
  namespace?: string;
}

/** The `user.exec` stanza of a kubeconfig (client.authentication.k8s.io ExecConfig). */
export interface ExecPluginConfig {
  apiVersion: 'client.authentication.k8s.io/v1' | 'client.authentication.k8s.io/v1beta1';
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  provideClusterInfo: boolean;
  /** `clusters[].cluster.extensions[client.authentication.k8s.io/exec].extension`, handed to the plugin with the cluster info. */
  clusterConfig?: unknown;
  installHint?: string;
}

const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

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
  // auth-providers are removed from kubectl itself (1.26); basic auth is not accepted by kube-apiserver since 1.19.
  for (const key of ['auth-provider', 'username', 'password']) {
    if (user[key] !== undefined)
      fail(`user ${JSON.stringify(userName)} uses "${key}", which hoopctl does not support; use a token, token file or client certificate`);
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
  if (user.exec !== undefined) assign(out, 'exec', readExec(user.exec, cluster, fail));
  const hasCert = out.clientCertPem !== undefined || out.clientCertFile !== undefined;
  const hasKey = out.clientKeyPem !== undefined || out.clientKeyFile !== undefined;
  if (hasCert !== hasKey) fail(`user ${JSON.stringify(userName)} has a client certificate without its key, or a key without its certificate`);
  if (out.token === undefined && out.tokenFile === undefined && !hasCert && out.exec === undefined) {
    fail(`user ${JSON.stringify(userName)} has no token, token file, client certificate or exec plugin`);
  }
  return out;
}

function readExec(raw: unknown, cluster: Record<string, unknown>, fail: (msg: string) => never): ExecPluginConfig {
  if (!isRecord(raw)) fail('user.exec must be a mapping');
  const e = raw;
  const apiVersion = str(e, 'apiVersion');
  if (apiVersion === undefined || !EXEC_API_VERSIONS.includes(apiVersion)) {
    fail(`exec.apiVersion must be one of ${EXEC_API_VERSIONS.join(', ')} (got ${JSON.stringify(e.apiVersion)})`);
  }
  const command = str(e, 'command') ?? fail('exec.command is required');
  const args = e.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) fail('exec.args must be a list of strings');
  const envList = e.env ?? [];
  if (!Array.isArray(envList)) fail('exec.env must be a list of {name, value}');
  const env = (envList as unknown[]).map((item, i) => {
    if (!isRecord(item) || typeof item.name !== 'string' || typeof item.value !== 'string') fail(`exec.env[${i}] needs a name and a value`);
    return { name: (item as { name: string }).name, value: (item as { value: string }).value };
  });
  // v1 makes interactiveMode required; the gateway has no terminal, so a plugin that must prompt can never work here.
  const mode = e.interactiveMode;
  if (apiVersion === 'client.authentication.k8s.io/v1' && mode === undefined)
    fail('exec.interactiveMode is required with client.authentication.k8s.io/v1 (use Never)');
  if (mode === 'Always') fail('exec.interactiveMode is Always, but the gateway has no terminal to prompt on (use Never or IfAvailable)');
  if (mode !== undefined && mode !== 'Never' && mode !== 'IfAvailable' && mode !== 'Always')
    fail(`exec.interactiveMode ${JSON.stringify(mode)} is not Never, IfAvailable or Always`);
  const out: ExecPluginConfig = {
    apiVersion: apiVersion as ExecPluginConfig['apiVersion'],
    command,
    args,
    env,
    provideClusterInfo: e.provideClusterInfo === true,
  };
  const hint = str(e, 'installHint');
  if (hint !== undefined) out.installHint = hint;
  const extensions = cluster.extensions;
  if (Array.isArray(extensions)) {
    const ext = extensions.find((x: unknown) => isRecord(x) && x.name === 'client.authentication.k8s.io/exec') as Record<string, unknown> | undefined;
    if (ext?.extension !== undefined) out.clusterConfig = ext.extension;
  }
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
