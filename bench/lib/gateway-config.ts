/** The gateway config of a bench run: production-like (policy and SQLite audit on), two connections. */
import { parse } from 'yaml';
import { readFile } from 'node:fs/promises';
import type { Upstream } from './upstream.js';

/** Users of the bench's embedded IdP. */
export const BENCH_USER = { username: 'alice', password: 'alice-bench', email: 'alice@example.com', groups: ['engineers'] };

/** Connection with the default TTL (30 min) that every measurement uses. */
export const MAIN_CONNECTION = 'bench';
/** Connection whose sessions expire after SHORT_TTL_SECONDS, for the expiry teardown figure. */
export const SHORT_CONNECTION = 'short';
/** TTL of the short connection. */
export const SHORT_TTL_SECONDS = 8;

/** Read access to what the bench touches; Secrets included so the 10k-Secrets LIST is allowed (and, later, masked). */
export const BENCH_POLICY = {
  roles: [
    {
      name: 'bench-read',
      rules: [
        {
          verbs: ['get', 'list', 'watch'],
          apiGroups: ['', 'apps'],
          resources: ['pods', 'pods/log', 'configmaps', 'secrets', 'namespaces', 'events', 'deployments'],
          namespaces: ['*'],
        },
        { verbs: ['create', 'get'], apiGroups: [''], resources: ['pods/exec'], namespaces: ['*'] },
      ],
    },
  ],
  bindings: [{ groups: ['engineers'], connections: ['*'], roles: ['bench-read'] }],
  guardrails: [
    {
      name: 'no-namespace-deletion',
      connections: ['*'],
      match: { verbs: ['delete', 'deletecollection'], resources: ['namespaces'] },
      effect: 'deny',
      message: 'namespaces are never deleted through hoopctl',
    },
  ],
};

/** Inputs of buildGatewayConfig. */
export interface GatewayConfigInput {
  issuer: string;
  clientId: string;
  sqlite: string;
  upstream: Upstream;
}

/** The config object (written as YAML). A real cluster is used without impersonation: the bench user has no RBAC there. */
export function buildGatewayConfig(i: GatewayConfigInput): Record<string, unknown> {
  const credential = { kubeconfig: i.upstream.kubeconfig, ...(i.upstream.context === undefined ? {} : { context: i.upstream.context }) };
  const impersonate = i.upstream.simulated;
  return {
    listen: '127.0.0.1:0',
    store: { sqlite: i.sqlite },
    oidc: { issuers: [{ issuer: i.issuer, clientId: i.clientId, usernameClaim: 'email', groupsClaim: 'groups', cli: true }] },
    impersonation: { userPrefix: 'oidc:', groupPrefix: 'oidc:' },
    sessions: { defaultTtl: '30m', maxTtl: '1h' },
    connections: [
      { name: MAIN_CONNECTION, credential, impersonate },
      { name: SHORT_CONNECTION, credential, impersonate, defaultTtl: `${SHORT_TTL_SECONDS}s`, maxTtl: `${SHORT_TTL_SECONDS}s` },
    ],
    policy: BENCH_POLICY,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges `extra` into `base` (mappings merge, everything else replaces). */
export function mergeConfig(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) out[k] = isRecord(v) && isRecord(out[k]) ? mergeConfig(out[k], v) : v;
  return out;
}

/** Config fragment of the "masking off" gateway (`policy.masking.enabled: false`, documented as for benchmarks only). */
export const MASKING_OFF: Record<string, unknown> = { policy: { masking: { enabled: false } } };

/** Config fragment of the "recording off" gateway (exec/attach streams pass unrecorded). */
export const RECORDING_OFF: Record<string, unknown> = { recordings: { enabled: false } };

/** Reads a `--unmasked-config` YAML fragment (merged into the "masking off" gateway's config instead of MASKING_OFF). */
export async function readConfigFragment(file: string): Promise<Record<string, unknown>> {
  const doc: unknown = parse(await readFile(file, 'utf8'));
  if (!isRecord(doc)) throw new Error(`--unmasked-config ${file}: expected a YAML mapping (a fragment of the gateway config)`);
  return doc;
}
