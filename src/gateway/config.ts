/** The gateway config file (YAML): validated once at start; every mistake names the file and the path inside it. */
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { HoopError } from '../errors.js';
import { compilePolicy, type CompiledPolicy } from '../policy/compile-policy.js';
import { ConfigFields, joinPath, type Mapping } from './config-fields.js';
import { readClaimMapping, type ClaimMapping } from './claim-mapping.js';
import { readConnection, readDuration, type ConnectionConfig } from './config-connection.js';
import { isLoopbackHost, parseListenAddress, urlHost, type ListenAddress } from './listen-address.js';
import { readApprovals, readNotifications, type ApprovalsConfig, type NotificationTarget } from './config-approvals.js';
import { readRecordings, type RecordingsConfig } from './config-recordings.js';
import { readOperations, type OperationsConfig } from './config-operations.js';
import { readConsole, type ConsoleConfig } from './ui/config-console.js';

export type { ConnectionConfig, UpstreamCredential } from './config-connection.js';
export type { ApprovalsConfig, NotificationTarget } from './config-approvals.js';
export type { RecordingsConfig } from './config-recordings.js';

/** One trusted OIDC issuer. */
export interface OidcIssuerConfig {
  issuer: string;
  /** `idp`: people's logins (device flow); `ci`: a CI platform's job tokens (GitHub Actions, GitLab CI). */
  kind: 'idp' | 'ci';
  /** Expected `aud` of ID tokens; the client id `/v1/config` hands to the CLI (`kind: ci`: the configured `audience`). */
  clientId: string;
  /** `kind: ci` only: how the token's claims become the person and groups. */
  claims?: ClaimMapping;
  /** Undefined: `email`, then `preferred_username`, then `sub`. */
  usernameClaim?: string;
  groupsClaim: string;
  /** The issuer `hoopctl login` uses (exactly one, or none on a gateway that serves only CI jobs). */
  cli: boolean;
  scopes: string[];
}

/** The validated gateway config. */
export interface GatewayConfig {
  file: string;
  listen: ListenAddress;
  /** Undefined: derived from the bound address (so port 0 works). */
  publicUrl?: string;
  tls?: { certPem: string; keyPem: string };
  /** `postgres`, when set, is used instead of the SQLite file (several replicas share it). */
  store: { sqlite: string; postgres?: PostgresStoreConfig };
  oidc: { issuers: OidcIssuerConfig[] };
  impersonation: { userPrefix: string; groupPrefix: string };
  admins: { groups: string[]; users: string[] };
  sessions: { defaultTtlSeconds: number; maxTtlSeconds: number };
  connections: ConnectionConfig[];
  policy: CompiledPolicy;
  approvals: ApprovalsConfig;
  notifications: NotificationTarget[];
  /** exec/attach recording; undefined (configs built in code): enabled with the default cap. */
  recordings?: RecordingsConfig;
  /** Key rotation, metrics, drain; undefined (configs built in code): DEFAULT_OPERATIONS. */
  operations?: OperationsConfig;
  /** The web console's OIDC client; undefined: `/ui/` is off. */
  console?: ConsoleConfig;
}

/** I/O the loader needs; tests pass their own. */
export interface LoadConfigDeps {
  readFile: (path: string) => Promise<string>;
  env: Record<string, string | undefined>;
}

const TOP = ['listen', 'allowNonLoopback', 'publicUrl', 'tls', 'store', 'oidc', 'impersonation', 'admins', 'sessions', 'connections', 'policy', 'approvals', 'notifications', 'recordings',
  'signingKeys', 'metrics', 'shutdown', 'console'] as const;
const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'groups', 'offline_access'];

function readIssuer(f: ConfigFields, raw: unknown, path: string): OidcIssuerConfig {
  const kind = (raw !== null && typeof raw === 'object' && (raw as Mapping).kind === 'ci') ? 'ci' : 'idp';
  const m = f.mapping(raw, path, kind === 'ci'
    ? ['issuer', 'kind', 'audience', 'claims']
    : ['issuer', 'kind', 'clientId', 'usernameClaim', 'groupsClaim', 'cli', 'scopes']);
  const kindText = f.optString(m, 'kind', path);
  if (kindText !== undefined && kindText !== 'idp' && kindText !== 'ci') f.fail(joinPath(path, 'kind'), `must be idp or ci, got ${JSON.stringify(kindText)}`);
  const issuer = f.string(m, 'issuer', path);
  let url: URL;
  try { url = new URL(issuer); } catch (e) { return f.fail(joinPath(path, 'issuer'), `${JSON.stringify(issuer)} is not a URL`, e); }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    f.fail(joinPath(path, 'issuer'), 'must be https:// (http:// only for a loopback host)');
  }
  if (kind === 'ci') {
    if (m.claims === undefined || m.claims === null) f.fail(joinPath(path, 'claims'), 'is required for kind: ci (preset: github | gitlab, or user and groups templates)');
    return {
      issuer: issuer.replace(/\/+$/, ''), kind, clientId: f.string(m, 'audience', path), groupsClaim: 'groups', cli: false, scopes: [],
      claims: readClaimMapping(f, m.claims, joinPath(path, 'claims')),
    };
  }
  const usernameClaim = f.optString(m, 'usernameClaim', path);
  const scopes = f.strings(m, 'scopes', path);
  return {
    issuer: issuer.replace(/\/+$/, ''), kind, clientId: f.string(m, 'clientId', path),
    ...(usernameClaim === undefined ? {} : { usernameClaim }),
    groupsClaim: f.optString(m, 'groupsClaim', path) ?? 'groups', cli: f.optBool(m, 'cli', path) ?? false,
    scopes: scopes.length > 0 ? scopes : DEFAULT_SCOPES,
  };
}

/** `store.postgres`: where the replicas' shared PostgreSQL is. */
export interface PostgresStoreConfig {
  /** May hold a password: never log it (redactPostgresUrl). */
  url: string;
  maxConnections: number;
}

function readPostgresStore(f: ConfigFields, storeM: Mapping, env: Record<string, string | undefined>): PostgresStoreConfig | undefined {
  const m = f.optMapping(storeM, 'postgres', 'store', ['url', 'urlEnv', 'maxConnections']);
  if (m === undefined) return undefined;
  if (storeM.sqlite !== undefined && storeM.sqlite !== null) f.fail('store', 'set sqlite or postgres, not both');
  const inline = f.optString(m, 'url', 'store.postgres');
  const envName = f.optString(m, 'urlEnv', 'store.postgres');
  if ((inline === undefined) === (envName === undefined)) f.fail('store.postgres', 'set exactly one of url or urlEnv (the name of an environment variable holding the URL)');
  const path = inline === undefined ? 'store.postgres.urlEnv' : 'store.postgres.url';
  const url = inline ?? env[envName!];
  if (url === undefined || url.trim() === '') return f.fail(path, `environment variable ${envName} is not set`);
  // The messages never repeat the URL: it may carry the database password.
  let protocol: string;
  try { protocol = new URL(url).protocol; } catch { return f.fail(path, 'is not a URL (postgres://user:password@host:5432/database)'); }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:') f.fail(path, `must be a postgres:// URL, got ${protocol}//…`);
  const max = m.maxConnections ?? 10;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 1000) f.fail('store.postgres.maxConnections', 'must be an integer from 1 to 1000');
  return { url, maxConnections: max };
}

function optional<K extends string, V>(key: K, v: V | undefined): { [k in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [k in K]?: V };
}

async function readText(f: ConfigFields, deps: LoadConfigDeps, file: string, path: string): Promise<string> {
  const abs = resolve(dirname(f.file), file);
  try {
    return await deps.readFile(abs);
  } catch (e) {
    return f.fail(path, `cannot read ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, e);
  }
}

function readPrefix(f: ConfigFields, m: Mapping | undefined, key: string, path: string): string {
  const v = (m === undefined ? undefined : f.optStringAllowEmpty(m, key, path)) ?? 'oidc:';
  // A `system:` prefix would let an IdP claim become a Kubernetes system identity.
  if (v.toLowerCase().startsWith('system:')) f.fail(joinPath(path, key), 'must not start with "system:"');
  return v;
}

/** Reads, validates and resolves the gateway config at `file` (relative paths inside are relative to it). */
export async function loadGatewayConfig(file: string, deps: LoadConfigDeps): Promise<GatewayConfig> {
  const abs = resolve(file);
  let text: string;
  try {
    text = await deps.readFile(abs);
  } catch (e) {
    throw new HoopError('config_invalid', `cannot read the gateway config ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  const f = new ConfigFields(abs);
  let doc: unknown;
  try { doc = parseYaml(text); } catch (e) { return f.fail('', `not valid YAML: ${(e as Error).message}`, e); }
  const top = f.mapping(doc ?? {}, '', TOP);

  const allowNonLoopback = f.optBool(top, 'allowNonLoopback', '') ?? false;
  const listenText = f.optString(top, 'listen', '') ?? '127.0.0.1:8080';
  const listen = parseListenAddress(listenText);
  if (typeof listen === 'string') return f.fail('listen', listen);
  if (!isLoopbackHost(listen.host) && !allowNonLoopback) f.fail('listen', `${listen.host} is not a loopback address; set allowNonLoopback: true to serve beyond this machine`);

  const tlsM = f.optMapping(top, 'tls', '', ['certFile', 'keyFile']);
  const tls = tlsM === undefined ? undefined : {
    certPem: await readText(f, deps, f.string(tlsM, 'certFile', 'tls'), 'tls.certFile'),
    keyPem: await readText(f, deps, f.string(tlsM, 'keyFile', 'tls'), 'tls.keyFile'),
  };
  let publicUrl = f.optString(top, 'publicUrl', '');
  if (publicUrl !== undefined) {
    try { publicUrl = new URL(publicUrl).href.replace(/\/+$/, ''); } catch (e) { f.fail('publicUrl', `${JSON.stringify(publicUrl)} is not a URL`, e); }
  } else if (listen.port !== 0) {
    publicUrl = `${tls ? 'https' : 'http'}://${urlHost(listen.host)}:${listen.port}`;
  }

  const storeM = f.optMapping(top, 'store', '', ['sqlite', 'postgres']);
  const sqlite = resolve(dirname(abs), (storeM && f.optString(storeM, 'sqlite', 'store')) ?? './hoopctl-gateway.db');
  const postgres = storeM === undefined ? undefined : readPostgresStore(f, storeM, deps.env);

  const oidcM = f.mapping(top.oidc ?? f.fail('oidc', 'is required (oidc.issuers)'), 'oidc', ['issuers']);
  const issuers = f.list(oidcM, 'issuers', 'oidc').map((r, i) => readIssuer(f, r, `oidc.issuers[${i}]`));
  if (issuers.length === 0) f.fail('oidc.issuers', 'needs at least one issuer');
  // A lone IdP issuer is the CLI's unless it says otherwise; CI issuers never are.
  const idps = issuers.flatMap((iss, i) => (iss.kind === 'idp' ? [i] : []));
  if (idps.length === 1 && (oidcM.issuers as Mapping[])[idps[0]!]?.cli === undefined) issuers[idps[0]!]!.cli = true;
  const cliCount = issuers.filter((i) => i.cli).length;
  // A gateway for CI jobs only has no issuer for people: hoopctl login then says so (GET /v1/config has no issuer).
  if (cliCount > 1 || (cliCount === 0 && idps.length > 0)) {
    f.fail('oidc.issuers', `exactly one issuer must have cli: true (found ${cliCount}): the idp issuer hoopctl login uses (none only when every issuer is kind: ci)`);
  }
  issuers.forEach((iss, i) => {
    if (issuers.findIndex((o) => o.issuer === iss.issuer) !== i) f.fail(`oidc.issuers[${i}].issuer`, `${iss.issuer} is listed twice`);
  });

  const impM = f.optMapping(top, 'impersonation', '', ['userPrefix', 'groupPrefix']);
  const adminsM = f.optMapping(top, 'admins', '', ['groups', 'users']);
  const sessM = f.optMapping(top, 'sessions', '', ['defaultTtl', 'maxTtl']) ?? {};
  const sessions = {
    defaultTtlSeconds: readDuration(f, sessM, 'defaultTtl', 'sessions') ?? 15 * 60,
    maxTtlSeconds: readDuration(f, sessM, 'maxTtl', 'sessions') ?? 60 * 60,
  };
  if (sessions.defaultTtlSeconds > sessions.maxTtlSeconds) f.fail('sessions.defaultTtl', 'is longer than sessions.maxTtl');

  const connections: ConnectionConfig[] = [];
  const rawConns = f.list(top, 'connections', '');
  for (const [i, raw] of rawConns.entries()) {
    const c = await readConnection({ fields: f, readFile: deps.readFile, env: deps.env, sessionDefaults: sessions }, raw, `connections[${i}]`);
    if (connections.some((o) => o.name === c.name)) f.fail(`connections[${i}].name`, `${JSON.stringify(c.name)} is used by an earlier connection`);
    connections.push(c);
  }

  if (top.policy === undefined || top.policy === null) f.fail('policy', 'is required (roles, bindings, guardrails); without it every request is denied');
  const policy = compilePolicy(top.policy, { file: abs, basePath: 'policy' });

  return {
    file: abs, listen, ...(publicUrl === undefined ? {} : { publicUrl }), ...(tls === undefined ? {} : { tls }),
    store: { sqlite, ...(postgres === undefined ? {} : { postgres }) }, oidc: { issuers },
    impersonation: { userPrefix: readPrefix(f, impM, 'userPrefix', 'impersonation'), groupPrefix: readPrefix(f, impM, 'groupPrefix', 'impersonation') },
    admins: { groups: adminsM ? f.strings(adminsM, 'groups', 'admins') : [], users: adminsM ? f.strings(adminsM, 'users', 'admins') : [] },
    sessions, connections, policy, approvals: readApprovals(f, top), notifications: readNotifications(f, top, deps.env),
    recordings: readRecordings(f, top), operations: readOperations(f, top, allowNonLoopback),
    ...optional('console', readConsole(f, top, deps.env)),
  };
}
