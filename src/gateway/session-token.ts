/** Session credentials: gateway-signed JWTs (SessionClaims), valid only while their session is live in the store. */
import type { Clock } from '../clock.js';
import { SignJWT, compactVerify, decodeProtectedHeader, errors, jwtVerify, type CryptoKey } from 'jose';
import { HoopError } from '../errors.js';
import { SESSION_AUDIENCE, checkSessionClaims } from '../credential/session-claims.js';
import type { SessionClaims } from '../api/wire.js';
import type { SessionRecord, Store } from '../store/store.js';
import type { SigningKeys } from './signing-keys.js';

/** A verified session credential and its live session. */
export interface VerifiedSession {
  claims: SessionClaims;
  session: SessionRecord;
}

/** Signs and verifies session tokens. */
export interface SessionTokens {
  /** Signs the claims with the gateway's current key. */
  sign(claims: SessionClaims): Promise<string>;
  /** Verifies signature, claims, and that the session exists and has not ended; throws HoopError. */
  verify(token: string): Promise<VerifiedSession>;
  /** Checks only signature, issuer and audience (not expiry or liveness): enough to let a token end its own session. */
  verifySignature(token: string): Promise<{ sid: string; sub: string }>;
  /** Makes this replica refuse the session at once (after DELETE). */
  markEnded(sessionId: string): void;
  /** True when `token` looks like one of ours (by audience), without verifying it. */
  looksLikeSessionToken(token: string): boolean;
}

/** Options of createSessionTokens. */
export interface SessionTokensOptions {
  keys: SigningKeys;
  store: Store;
  /** The gateway's public URL: `iss` of every session token. */
  issuer: string;
  now: Clock;
  /** How long a store lookup is reused (default 2 s); other replicas' DELETEs become visible within it. */
  cacheMs?: number;
}

/** How many verified session tokens are remembered (least recently used evicted first). */
const VERIFIED_CACHE_SIZE = 4_096;

function refused(message: string, connection?: string, cause?: unknown): HoopError {
  return new HoopError('session_expired', message, {
    hint: connection === undefined ? 'run hoopctl connect <connection>' : `run hoopctl connect ${connection}`,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Creates the session token signer/verifier. */
export function createSessionTokens(o: SessionTokensOptions): SessionTokens {
  const cacheMs = o.cacheMs ?? 2_000;
  const cache = new Map<string, { session: SessionRecord; at: number }>();
  // Ended sessions → why (from the store, read once), so a refusal says "revoked by bob" and the CLI can repeat it.
  const ended = new Map<string, string | undefined>();
  // Signature checks cost a WebCrypto job per request: remember tokens whose signature, issuer and audience
  // verified (exact token string → payload). Expiry and liveness are still checked on every request.
  const verified = new Map<string, { payload: unknown; kid: string }>();

  async function verifiedPayload(token: string): Promise<unknown> {
    const hit = verified.get(token);
    verified.delete(token);
    // A key retired by an emergency rotation ends its tokens even when they were verified before.
    if (hit !== undefined && o.keys.accepts(hit.kid)) {
      verified.set(token, hit);
      return hit.payload;
    }
    const { key, kid } = await keyOf(token);
    try {
      const { payload } = await jwtVerify(token, key, {
        issuer: o.issuer,
        audience: SESSION_AUDIENCE,
        algorithms: [o.keys.current.alg],
        currentDate: new Date(o.now()),
        clockTolerance: 0,
      });
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
      verified.set(token, { payload, kid });
      return payload;
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw refused('the session has expired', undefined, e);
      throw new HoopError('not_logged_in', `the session token was refused: ${(e as Error).message}`, { hint: 'run hoopctl connect <connection>', cause: e });
    }
  }

  async function liveSession(claims: SessionClaims): Promise<SessionRecord> {
    if (ended.has(claims.sid)) {
      let why = ended.get(claims.sid);
      if (why === undefined) {
        why = (await o.store.getSession(claims.sid).catch(() => undefined))?.endReason ?? 'ended';
        ended.set(claims.sid, why);
      }
      throw refused(`session ${claims.sid} has ended (${why})`, claims.conn);
    }
    const hit = cache.get(claims.sid);
    let session = hit !== undefined && o.now() - hit.at < cacheMs ? hit.session : undefined;
    if (session === undefined) {
      session = await o.store.getSession(claims.sid);
      if (session === undefined) throw refused(`session ${claims.sid} is unknown to this gateway`, claims.conn);
      if (cache.size > 10_000) cache.clear();
      cache.set(claims.sid, { session, at: o.now() });
    }
    if (session.endedAt !== null) {
      ended.set(claims.sid, session.endReason ?? 'ended');
      throw refused(`session ${claims.sid} has ended (${session.endReason ?? 'ended'})`, claims.conn);
    }
    // The token is bound to exactly this session: same person and connection.
    if (session.user !== claims.sub || session.connection !== claims.conn) throw refused(`the token does not match session ${claims.sid}`);
    if (Date.parse(session.expiresAt) <= o.now()) throw refused(`session ${claims.sid} has expired`, claims.conn);
    return session;
  }

  async function keyOf(token: string): Promise<{ key: CryptoKey; kid: string }> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch (e) {
      throw new HoopError('not_logged_in', 'the bearer token is not a session token', { cause: e });
    }
    const key = kid === undefined ? undefined : await o.keys.publicKey(kid);
    if (key === undefined || kid === undefined) {
      throw new HoopError('not_logged_in', 'the session token was not signed by a current key of this gateway (unknown or retired key)', {
        hint: 'run hoopctl connect <connection>',
      });
    }
    return { key, kid };
  }

  return {
    sign: (claims) =>
      new SignJWT({ ...claims }).setProtectedHeader({ alg: o.keys.current.alg, kid: o.keys.current.kid, typ: 'JWT' }).sign(o.keys.current.privateKey),
    async verify(token) {
      const payload = await verifiedPayload(token);
      let claims: SessionClaims;
      try {
        // Re-checked on every request, cached or not: `exp` ends a token at its second even while it is cached.
        claims = checkSessionClaims(payload, Math.floor(o.now() / 1000));
      } catch (e) {
        if (e instanceof HoopError && e.code === 'session_expired') verified.delete(token);
        throw e instanceof HoopError ? e : refused(`the session token was refused: ${(e as Error).message}`, (payload as SessionClaims).conn, e);
      }
      return { claims, session: await liveSession(claims) };
    },
    async verifySignature(token) {
      const { key } = await keyOf(token);
      let payload: Record<string, unknown>;
      try {
        const r = await compactVerify(token, key, { algorithms: [o.keys.current.alg] });
        payload = JSON.parse(new TextDecoder().decode(r.payload)) as Record<string, unknown>;
      } catch (e) {
        throw new HoopError('not_logged_in', `the session token was refused: ${(e as Error).message}`, { cause: e });
      }
      if (payload.iss !== o.issuer || payload.aud !== SESSION_AUDIENCE || typeof payload.sid !== 'string' || typeof payload.sub !== 'string') {
        throw new HoopError('not_logged_in', 'the session token was not issued by this gateway');
      }
      return { sid: payload.sid, sub: payload.sub };
    },
    markEnded(sessionId) {
      // Only a fast path: the store stays the truth, so forgetting old entries is safe.
      if (ended.size > 10_000) ended.clear();
      ended.set(sessionId, undefined);
      cache.delete(sessionId);
    },
    looksLikeSessionToken(token) {
      try {
        const parts = token.split('.');
        const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown };
        return payload.aud === SESSION_AUDIENCE || (Array.isArray(payload.aud) && payload.aud.includes(SESSION_AUDIENCE));
      } catch {
        return false;
      }
    },
  };
}
