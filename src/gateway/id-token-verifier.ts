/** Verifies IdP ID tokens (OIDC Core §3.1.3.7) against each trusted issuer's JWKS and maps them to a person. */
import type { Clock } from '../clock.js';
import { createRemoteJWKSet, customFetch, decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { HoopError } from '../errors.js';
import type { OidcIssuerConfig } from './config.js';
import { mapCiClaims } from './claim-mapping.js';

/** Who an ID token names, after claim mapping. */
export interface VerifiedIdentity {
  user: string;
  groups: string[];
  issuer: string;
  /** People's issuers: the claim groups are read from, and whether this token carried it (absent: the person has no groups). */
  groupsClaim?: { name: string; present: boolean };
}

/** Verifies bearer ID tokens. */
export interface IdTokenVerifier {
  /** Resolves the identity or throws HoopError (login_expired for an expired token, not_logged_in otherwise, denied for a system: identity). */
  verify(token: string): Promise<VerifiedIdentity>;
}

/** Options of createIdTokenVerifier. */
export interface IdTokenVerifierOptions {
  now: Clock;
  fetch?: typeof fetch;
  /** Leeway for exp/iat/nbf, seconds (default 30). */
  clockToleranceSeconds?: number;
}

const LOGIN_HINT = 'run hoopctl login';
const DISCOVERY_RETRY_MS = 5_000;

type KeySet = ReturnType<typeof createRemoteJWKSet>;

function refused(message: string, cause?: unknown): HoopError {
  return new HoopError('not_logged_in', message, { hint: LOGIN_HINT, ...(cause === undefined ? {} : { cause }) });
}

/** Where a CI job sets the audience of its token, for refusal hints. */
export function ciAudienceHint(audience: string): string {
  return (
    `GitHub Actions: hoopctl --ci asks for it by itself (or pass --audience ${audience}; with actions/github-script: core.getIDToken('${audience}')); ` +
    `GitLab CI: id_tokens: HOOPCTL_ID_TOKEN: aud: ${audience}`
  );
}

/** A CI job token's refusal: the audience the gateway expects and where the job sets it, or a fresh token; never "run hoopctl login". */
function ciTokenRefusal(cfg: OidcIssuerConfig, token: string, cause: unknown): HoopError {
  if (cause instanceof errors.JWTClaimValidationFailed && cause.claim === 'aud') {
    let aud: unknown;
    try {
      aud = decodeJwt(token).aud;
    } catch {
      aud = undefined;
    }
    return new HoopError(
      'not_logged_in',
      `the CI job token from ${cfg.issuer} is for audience ${JSON.stringify(aud ?? null)}; this gateway expects ${JSON.stringify(cfg.clientId)}`,
      { hint: ciAudienceHint(cfg.clientId), cause },
    );
  }
  if (cause instanceof errors.JWTExpired) {
    return new HoopError('not_logged_in', `the CI job token from ${cfg.issuer} has expired`, {
      hint: 'job tokens live minutes: request the token right before hoopctl runs (GitHub Actions: hoopctl --ci fetches a fresh one)',
      cause,
    });
  }
  return new HoopError('not_logged_in', `the CI job token from ${cfg.issuer} was refused: ${(cause as Error).message}`, {
    hint: `check the job's OIDC token settings (${ciAudienceHint(cfg.clientId)})`,
    cause,
  });
}

/**
 * Maps the username claim: the configured one, else `email`, `preferred_username`, `sub`. An email
 * names a person only when the IdP says it verified it (`email_verified: true`): an unverified
 * address is whatever the account holder typed, someone else's included. Returns the name, or why
 * the token cannot name anyone.
 */
export function usernameFrom(payload: JWTPayload, claim: string | undefined): { user: string } | { refused: string; unverified: boolean } {
  const pick = (name: string): string | undefined => {
    const v = payload[name];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const email = pick('email');
  const source = claim ?? (email !== undefined ? 'email' : pick('preferred_username') !== undefined ? 'preferred_username' : 'sub');
  const user = pick(source);
  if (user === undefined) return { refused: `the ID token has no ${claim ?? 'email, preferred_username or sub'} claim`, unverified: false };
  if (source === 'email' && payload.email_verified !== true) {
    const seen = payload.email_verified === undefined ? 'has no email_verified claim' : `says email_verified: ${JSON.stringify(payload.email_verified)}`;
    return { refused: `the ID token names you by email (${user}) but ${seen}; the gateway names people only by a verified email`, unverified: true };
  }
  return { user };
}

/** Reads the groups claim: a list of strings or one string; absent → none. */
export function groupsFrom(payload: JWTPayload, claim: string): string[] | undefined {
  const v = payload[claim];
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((g) => typeof g === 'string')) return v;
  return undefined;
}

/** Creates a verifier for the configured issuers; discovery is fetched on first use and cached. */
export function createIdTokenVerifier(issuers: OidcIssuerConfig[], options: IdTokenVerifierOptions): IdTokenVerifier {
  const doFetch = options.fetch ?? fetch;
  const keySets = new Map<string, { keys?: KeySet; pending?: Promise<KeySet>; failedAt?: number }>();

  async function discover(cfg: OidcIssuerConfig): Promise<KeySet> {
    const url = `${cfg.issuer}/.well-known/openid-configuration`;
    const res = await doFetch(url, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
    // OIDC Discovery §4.3: the document's issuer must be exactly the one we trust.
    if (typeof doc.issuer !== 'string' || doc.issuer.replace(/\/+$/, '') !== cfg.issuer) throw new Error(`${url} names issuer ${String(doc.issuer)}`);
    if (typeof doc.jwks_uri !== 'string') throw new Error(`${url} has no jwks_uri`);
    return createRemoteJWKSet(new URL(doc.jwks_uri), { [customFetch]: doFetch });
  }

  function keysOf(cfg: OidcIssuerConfig): Promise<KeySet> {
    let entry = keySets.get(cfg.issuer);
    if (entry === undefined) keySets.set(cfg.issuer, (entry = {}));
    if (entry.keys !== undefined) return Promise.resolve(entry.keys);
    if (entry.pending !== undefined) return entry.pending;
    if (entry.failedAt !== undefined && options.now() - entry.failedAt < DISCOVERY_RETRY_MS) {
      return Promise.reject(new HoopError('gateway_error', `the identity provider ${cfg.issuer} is unreachable; try again shortly`));
    }
    const e = entry;
    e.pending = discover(cfg).then(
      (k) => {
        e.keys = k;
        delete e.pending;
        return k;
      },
      (cause: unknown) => {
        e.failedAt = options.now();
        delete e.pending;
        throw new HoopError('gateway_error', `cannot load the signing keys of ${cfg.issuer}: ${(cause as Error).message}`, { cause });
      },
    );
    return e.pending;
  }

  return {
    async verify(token) {
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch (e) {
        throw refused('the bearer token is not a JWT', e);
      }
      const cfg = issuers.find((i) => i.issuer === (typeof iss === 'string' ? iss.replace(/\/+$/, '') : ''));
      if (cfg === undefined) throw refused(`ID tokens from ${JSON.stringify(iss)} are not trusted by this gateway`);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, await keysOf(cfg), {
          issuer: typeof iss === 'string' ? iss : cfg.issuer,
          audience: cfg.clientId,
          algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA', 'RS384', 'ES384', 'RS512'],
          clockTolerance: options.clockToleranceSeconds ?? 30,
          currentDate: new Date(options.now()),
          requiredClaims: ['exp', 'iat'],
        }));
      } catch (e) {
        if (e instanceof HoopError) throw e;
        // A CI job cannot "run hoopctl login": its refusals say what the job itself must change.
        if (cfg.kind === 'ci') throw ciTokenRefusal(cfg, token, e);
        if (e instanceof errors.JWTExpired) throw new HoopError('login_expired', 'your login has expired', { hint: LOGIN_HINT, cause: e });
        throw refused(`the ID token was refused: ${(e as Error).message}`, e);
      }
      let user: string | undefined;
      let groups: string[] | undefined;
      let groupsClaim: VerifiedIdentity['groupsClaim'];
      if (cfg.claims !== undefined) {
        // A CI job token: the issuer's claim mapping names the workload (repository, ref, environment …).
        const mapped = mapCiClaims(cfg.claims, payload);
        if (typeof mapped === 'string') throw new HoopError('denied', `the CI token from ${cfg.issuer} was refused: ${mapped}`);
        ({ user, groups } = mapped);
      } else {
        // OIDC Core §3.1.3.7 (6): a token issued to another client (azp) is not a login to hoopctl.
        if (payload.azp !== undefined && payload.azp !== cfg.clientId) {
          throw refused(`the ID token was issued to client ${JSON.stringify(payload.azp)} (azp), not to ${JSON.stringify(cfg.clientId)}`);
        }
        const named = usernameFrom(payload, cfg.usernameClaim);
        if ('refused' in named) {
          if (!named.unverified) throw refused(named.refused);
          throw new HoopError('denied', named.refused, {
            hint: `ask your IdP admin to verify the address, or set usernameClaim of issuer ${cfg.issuer} in the gateway config to another claim (e.g. preferred_username)`,
          });
        }
        user = named.user;
        groups = groupsFrom(payload, cfg.groupsClaim);
        if (groups === undefined) throw refused(`the ID token's ${cfg.groupsClaim} claim is not a list of strings`);
        groupsClaim = { name: cfg.groupsClaim, present: payload[cfg.groupsClaim] !== undefined && payload[cfg.groupsClaim] !== null };
      }
      // Refuse rather than strip: a `system:` name from an IdP is either a misconfiguration or an attack.
      const sys = [user, ...groups].find((n) => n.toLowerCase().startsWith('system:'));
      if (sys !== undefined)
        throw new HoopError('denied', `the identity ${JSON.stringify(sys)} from ${cfg.issuer} is a Kubernetes system: name; this gateway refuses it`);
      return { user, groups, issuer: cfg.issuer, ...(groupsClaim === undefined ? {} : { groupsClaim }) };
    },
  };
}
