/** What every route and pipeline step of a running gateway shares; built once in createGateway. */
import type { LogFields } from './gateway-logger.js';
import type { IncomingMessage } from 'node:http';
import { HoopError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { AccessRequests } from './approvals/access-requests.js';
import type { AuditChainStatus } from './audit-chain-status.js';
import type { AuditHealth } from './audit-health.js';
import type { BodyBudget } from './body-budget.js';
import type { GatewayConfig } from './config.js';
import { bearerToken } from './http-json.js';
import type { IdTokenVerifier } from './id-token-verifier.js';
import type { LiveStreams } from './live-streams.js';
import type { SessionTokens } from './session-token.js';
import type { SigningKeys } from './signing-keys.js';
import type { UpstreamPools } from './pipeline/upstream-pools.js';
import type { GatewayMetrics } from './metrics.js';
import type { Readiness } from './readiness.js';

/** Shared state of one gateway. */
export interface GatewayContext {
  config: GatewayConfig;
  store: Store;
  /** The resolved public URL (config.publicUrl, or derived from the bound address). */
  publicUrl: string;
  /** `iss` of session tokens: kept in the store, the same on every replica (session-issuer.ts). */
  sessionIssuer: string;
  now: () => number;
  /** The gateway log (gateway-logger.ts); fields are optional structure, never a token or a value. */
  log: (line: string, fields?: LogFields) => void;
  keys: SigningKeys;
  idTokens: IdTokenVerifier;
  sessionTokens: SessionTokens;
  streams: LiveStreams;
  /** Request bodies held in memory, overall and per session (body-budget.ts). */
  bodies: BodyBudget;
  upstreams: UpstreamPools;
  /** Access requests: session elevation and single-command review. */
  requests: AccessRequests;
  /** Whether audit writes succeed, as the request path last saw it (reported by /readyz). */
  auditHealth: AuditHealth;
  /** The audit chain's verification, resumed where this process last found it intact (audit-chain-status.ts). */
  auditChain: AuditChainStatus;
  /** Prometheus metrics (`/metrics`). */
  metrics?: GatewayMetrics;
  /** `/readyz` conditions. */
  readiness?: Readiness;
}

/** The authenticated caller of a `/v1` endpoint. */
export interface Caller {
  user: string;
  groups: string[];
  admin: boolean;
  /** How the caller proved who they are; a session token cannot open new sessions. */
  via: 'id-token' | 'session';
  /** The session of a session-token caller. */
  sessionId?: string;
}

/** True when the person is a gateway admin (by group or by name). */
export function isAdmin(config: GatewayConfig, who: { user: string; groups: string[] }): boolean {
  return config.admins.users.includes(who.user) || who.groups.some((g) => config.admins.groups.includes(g));
}

/** Authenticates a `/v1` caller by ID token, or by session token where `allowSession`. */
export async function authenticateCaller(gw: GatewayContext, req: IncomingMessage, allowSession: boolean): Promise<Caller> {
  const token = bearerToken(req);
  if (token === undefined) throw new HoopError('not_logged_in', 'this endpoint needs Authorization: Bearer <ID token>', { hint: 'run hoopctl login' });
  if (gw.sessionTokens.looksLikeSessionToken(token)) {
    if (!allowSession)
      throw new HoopError('not_logged_in', 'a session token cannot be used here; present your login (ID token)', { hint: 'run hoopctl login' });
    const { claims } = await gw.sessionTokens.verify(token);
    return {
      user: claims.sub,
      groups: claims.groups,
      admin: isAdmin(gw.config, { user: claims.sub, groups: claims.groups }),
      via: 'session',
      sessionId: claims.sid,
    };
  }
  const id = await gw.idTokens.verify(token);
  return { user: id.user, groups: id.groups, admin: isAdmin(gw.config, id), via: 'id-token' };
}
