/** The gateway config file (YAML): validated once at start; every mistake names the file and the path inside it. */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import {
  configInvalid,
  duration,
  inFileOrder,
  isMapping,
  issue,
  mapping,
  parseYamlText,
  readWith,
  text,
  type ConfigIssue,
  type ConfigPath,
} from '../config-reader.js';
import { HoopError } from '../errors.js';
import { compileCheckedPolicy, policySchema, type CompiledPolicy } from '../policy/compile-policy.js';
import { connectionSchema, readRelative, ResolveProblem, resolveConnection, type ConnectionConfig } from './config-connection.js';
import { urlHost, type ListenAddress } from './listen-address.js';
import { approvalsSchema, notificationsSchema, type ApprovalsConfig, type NotificationTarget } from './config-approvals.js';
import { recordingsSchema, type RecordingsConfig } from './config-recordings.js';
import { listenAddress, nonLoopbackProblem, operationsConfig, operationsShape, type OperationsConfig } from './config-operations.js';
import { oidcSchema, type OidcIssuerConfig } from './config-oidc.js';
import { storeSchema, type PostgresStoreConfig } from './config-store.js';
import { consoleSchema, type ConsoleConfig } from './ui/config-console.js';

export type { ConnectionConfig, UpstreamCredential } from './config-connection.js';
export type { ApprovalsConfig, NotificationTarget } from './config-approvals.js';
export type { RecordingsConfig } from './config-recordings.js';
export type { OidcIssuerConfig } from './config-oidc.js';
export type { PostgresStoreConfig } from './config-store.js';

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

const DEFAULT_SESSIONS = { defaultTtlSeconds: 15 * 60, maxTtlSeconds: 60 * 60 };

const publicUrl = text.transform((t, ctx) => {
  try {
    return new URL(t).href.replace(/\/+$/, '');
  } catch {
    issue(ctx, `${JSON.stringify(t)} is not a URL`);
    return z.NEVER;
  }
});

// A `system:` prefix would let an IdP claim become a Kubernetes system identity; '' is allowed (names as the IdP has them).
const prefix = z.string().refine((v) => !v.toLowerCase().startsWith('system:'), { error: 'must not start with "system:"' });

const sessionsSchema = mapping({ defaultTtl: duration.optional(), maxTtl: duration.optional() }).transform((m, ctx) => {
  const sessions = { defaultTtlSeconds: m.defaultTtl ?? DEFAULT_SESSIONS.defaultTtlSeconds, maxTtlSeconds: m.maxTtl ?? DEFAULT_SESSIONS.maxTtlSeconds };
  if (sessions.defaultTtlSeconds > sessions.maxTtlSeconds) issue(ctx, 'is longer than sessions.maxTtl', ['defaultTtl']);
  return sessions;
});

const tlsSchema = mapping({ certFile: text, keyFile: text });

const connectionsSchema = z.array(connectionSchema).superRefine((list, ctx) => {
  list.forEach((c, i) => {
    if (list.findIndex((o) => o.name === c.name) !== i) issue(ctx, `${JSON.stringify(c.name)} is used by an earlier connection`, [i, 'name']);
  });
});

/** The whole gateway config before the files it names are read; `env` supplies what `…Env` keys name. */
export function gatewayConfigSchema(env: Record<string, string | undefined>) {
  return mapping({
    listen: listenAddress.optional(),
    allowNonLoopback: z.boolean().optional(),
    publicUrl: publicUrl.optional(),
    tls: tlsSchema.optional(),
    store: storeSchema(env).optional(),
    oidc: oidcSchema.optional(),
    impersonation: mapping({ userPrefix: prefix.optional(), groupPrefix: prefix.optional() }).optional(),
    admins: mapping({ groups: z.array(text).optional(), users: z.array(text).optional() }).optional(),
    sessions: sessionsSchema.optional(),
    connections: connectionsSchema.optional(),
    policy: policySchema(['policy']).optional(),
    approvals: approvalsSchema,
    notifications: notificationsSchema(env),
    recordings: recordingsSchema,
    ...operationsShape,
    console: consoleSchema(env),
  }).superRefine(
    (parsed, ctx) => {
      // Runs even when other sections are wrong (`when` below), so it reads the value as the YAML it may still be.
      const raw: unknown = parsed;
      if (!isMapping(raw)) return;
      const fail = (path: string[], message: string): void => issue(ctx, message, path);
      if (raw.oidc === undefined) fail(['oidc'], 'is required (oidc.issuers)');
      if (raw.policy === undefined) fail(['policy'], 'is required (roles, bindings, guardrails); without it every request is denied');
      const allow = raw.allowNonLoopback === true;
      const listenProblem = (v: unknown): string | undefined =>
        isMapping(v) && typeof v.host === 'string' && typeof v.port === 'number' ? nonLoopbackProblem({ host: v.host, port: v.port }, allow) : undefined;
      const top = listenProblem(raw.listen);
      if (top !== undefined) fail(['listen'], top);
      const metrics = isMapping(raw.metrics) ? listenProblem(raw.metrics.listen) : undefined;
      if (metrics !== undefined) fail(['metrics', 'listen'], metrics);
    },
    { when: () => true },
  );
}

type GatewayInput = z.output<ReturnType<typeof gatewayConfigSchema>>;

/** Reads, validates and resolves the gateway config at `file` (relative paths inside are relative to it); every mistake at once. */
export async function loadGatewayConfig(file: string, deps: LoadConfigDeps): Promise<GatewayConfig> {
  const abs = resolve(file);
  let source: string;
  try {
    source = await deps.readFile(abs);
  } catch (e) {
    throw new HoopError('config_invalid', `cannot read the gateway config ${abs}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  const hint = `fix ${abs} and start the gateway again`;
  const yaml = parseYamlText(source);
  if (!yaml.ok) throw configInvalid(abs, yaml.issues, { hint });
  const doc = yaml.data.value ?? {};
  const checked = readWith(gatewayConfigSchema(deps.env), doc);
  const issues: ConfigIssue[] = checked.ok ? [] : [...checked.issues];

  // The files the config names are read for every part whose own shape is right, even when other parts are wrong.
  const top = isMapping(doc) ? doc : {};
  const part = <S extends z.ZodType>(schema: S, value: unknown, path: ConfigPath): z.output<S> | undefined => {
    const r = readWith(schema, value, path);
    return r.ok ? r.data : undefined;
  };
  const attempt = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (e) {
      if (!(e instanceof ResolveProblem)) throw e;
      issues.push({ path: e.path, message: e.message });
      return undefined;
    }
  };
  const sessionDefaults = (checked.ok ? checked.data.sessions : part(sessionsSchema, top.sessions, ['sessions'])) ?? DEFAULT_SESSIONS;
  const tlsFiles = top.tls === undefined || top.tls === null ? undefined : part(tlsSchema, top.tls, ['tls']);
  const c = { file: abs, readFile: deps.readFile, env: deps.env, sessionDefaults };
  const tls =
    tlsFiles === undefined
      ? undefined
      : await attempt(async () => ({
          certPem: (await readRelative(c, tlsFiles.certFile, ['tls', 'certFile'])).text,
          keyPem: (await readRelative(c, tlsFiles.keyFile, ['tls', 'keyFile'])).text,
        }));
  const rawConnections = Array.isArray(top.connections) ? (top.connections as unknown[]) : [];
  const connections: (ConnectionConfig | undefined)[] = [];
  for (const [i, raw] of rawConnections.entries()) {
    const m = part(connectionSchema, raw, ['connections', i]);
    connections.push(m === undefined ? undefined : await attempt(() => resolveConnection(c, m, ['connections', i])));
  }

  if (!checked.ok || issues.length > 0) throw configInvalid(abs, inFileOrder(issues, yaml.data), { hint });
  return buildConfig(abs, checked.data, connections as ConnectionConfig[], tls);
}

function buildConfig(abs: string, m: GatewayInput, connections: ConnectionConfig[], tls: GatewayConfig['tls']): GatewayConfig {
  const listen = m.listen ?? { host: '127.0.0.1', port: 8080 };
  const publicUrl = m.publicUrl ?? (listen.port === 0 ? undefined : `${tls ? 'https' : 'http'}://${urlHost(listen.host)}:${listen.port}`);
  const postgres = m.store?.postgres;
  return {
    file: abs,
    listen,
    ...(publicUrl === undefined ? {} : { publicUrl }),
    ...(tls === undefined ? {} : { tls }),
    store: { sqlite: resolve(dirname(abs), m.store?.sqlite ?? './hoopctl-gateway.db'), ...(postgres === undefined ? {} : { postgres }) },
    oidc: m.oidc!,
    impersonation: { userPrefix: m.impersonation?.userPrefix ?? 'oidc:', groupPrefix: m.impersonation?.groupPrefix ?? 'oidc:' },
    admins: { groups: m.admins?.groups ?? [], users: m.admins?.users ?? [] },
    sessions: m.sessions ?? DEFAULT_SESSIONS,
    connections,
    policy: compileCheckedPolicy(m.policy!, ['policy']),
    approvals: m.approvals,
    notifications: m.notifications,
    recordings: m.recordings,
    operations: operationsConfig({ signingKeys: m.signingKeys, metrics: m.metrics, shutdown: m.shutdown }),
    ...(m.console === undefined ? {} : { console: m.console }),
  };
}
