/** Claims of the gateway-signed session credential (shape in src/api/wire.ts); signing and verifying live at the edges. */
import { HoopError } from '../errors.js';
import type { SessionClaims } from '../api/wire.js';

/** `aud` of every session credential, so an IdP token or another service's JWT is never taken for one. */
export const SESSION_AUDIENCE = 'hoopctl-session';

/** What a session credential says; time and the token id are passed in. */
export interface SessionClaimsInput {
  issuer: string;
  user: string;
  groups: string[];
  sessionId: string;
  connection: string;
  namespace?: string;
  role?: string;
  nowSeconds: number;
  ttlSeconds: number;
  jti: string;
}

/** Builds the claim set for a new session (iat = now, exp = now + ttl). */
export function buildSessionClaims(input: SessionClaimsInput): SessionClaims {
  const claims: SessionClaims = {
    iss: input.issuer,
    aud: SESSION_AUDIENCE,
    sub: input.user,
    groups: [...input.groups],
    sid: input.sessionId,
    conn: input.connection,
    iat: Math.floor(input.nowSeconds),
    exp: Math.floor(input.nowSeconds) + Math.floor(input.ttlSeconds),
    jti: input.jti,
  };
  if (input.namespace !== undefined && input.namespace !== '') claims.ns = input.namespace;
  if (input.role !== undefined && input.role !== '') claims.role = input.role;
  return claims;
}

/**
 * Checks the shape and expiry of verified claims. A malformed set is a gateway fault
 * (`gateway_error`); an expired one is `session_expired` with the command that starts a new one.
 */
export function checkSessionClaims(claims: unknown, nowSeconds: number): SessionClaims {
  const bad = (why: string): never => {
    throw new HoopError('gateway_error', `session credential is malformed: ${why}`);
  };
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return bad('not an object');
  const c = claims as Record<string, unknown>;
  for (const key of ['iss', 'sub', 'sid', 'conn', 'jti'] as const) {
    if (typeof c[key] !== 'string' || c[key] === '') bad(`${key} is missing`);
  }
  if (c.aud !== SESSION_AUDIENCE) bad(`aud is not ${JSON.stringify(SESSION_AUDIENCE)}`);
  if (!Array.isArray(c.groups) || !c.groups.every((g) => typeof g === 'string')) bad('groups is not a list of strings');
  for (const key of ['ns', 'role'] as const) {
    if (c[key] !== undefined && typeof c[key] !== 'string') bad(`${key} is not a string`);
  }
  if (!Number.isInteger(c.iat) || !Number.isInteger(c.exp)) bad('iat and exp must be integers');
  const out = c as unknown as SessionClaims;
  if (out.exp <= out.iat) bad('exp is not after iat');
  if (out.exp <= nowSeconds) {
    throw new HoopError('session_expired', `session ${out.sid} for connection "${out.conn}" has expired`, {
      hint: `run hoopctl connect ${out.conn}`,
    });
  }
  const result: SessionClaims = {
    iss: out.iss,
    aud: out.aud,
    sub: out.sub,
    groups: [...out.groups],
    sid: out.sid,
    conn: out.conn,
    iat: out.iat,
    exp: out.exp,
    jti: out.jti,
  };
  if (out.ns !== undefined) result.ns = out.ns;
  if (out.role !== undefined) result.role = out.role;
  return result;
}
