/**
 * Who an ID token names, read without verifying it: the CLI only displays and stores these
 * values; the gateway verifies the token's signature before it trusts any claim.
 */
import { decodeJwt } from 'jose';
import { HoopError } from '../errors.js';

/** The person an ID token names, and when it expires. */
export interface IdTokenIdentity {
  user: string;
  groups: string[];
  /** `exp` as RFC 3339. */
  expiresAt: string;
}

/** Claims tried in order for the user name (the first string claim wins). */
export const DEFAULT_USER_CLAIMS: readonly string[] = ['email', 'preferred_username', 'sub'];

/** Reads user (first of `userClaims`), `groups` and `exp` from an ID token. */
export function identityFromIdToken(idToken: string, userClaims: readonly string[] = DEFAULT_USER_CLAIMS): IdTokenIdentity {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(idToken);
  } catch (cause) {
    throw new HoopError('login_failed', 'the IdP returned an ID token that is not a JWT', { cause });
  }
  const user = userClaims.map((c) => claims[c]).find((v): v is string => typeof v === 'string' && v !== '');
  if (user === undefined) {
    throw new HoopError('login_failed', `the ID token has none of the claims ${userClaims.join(', ')}`);
  }
  if (typeof claims.exp !== 'number') throw new HoopError('login_failed', 'the ID token has no exp claim');
  const raw = claims.groups;
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === 'string') : typeof raw === 'string' ? [raw] : [];
  return { user, groups, expiresAt: new Date(claims.exp * 1000).toISOString() };
}
