/** `hoopctl whoami`: who the stored login names, for which gateway, and until when. Never a token value. */
import { HoopError } from '../errors.js';
import type { TokenStoreKind } from '../oidc/token-store.js';
import type { IdentityDeps } from './identity-deps.js';

/** What whoami reports. */
export interface WhoamiResult {
  user: string;
  groups: string[];
  gateway: string;
  issuer: string;
  /** ID token expiry, RFC 3339. */
  expiresAt: string;
  /** Seconds until expiresAt; 0 once expired (the next command refreshes it if it can). */
  expiresInSeconds: number;
  store: { kind: TokenStoreKind; location: string };
}

/** Describes the stored login without refreshing it; not logged in → HoopError('not_logged_in'). */
export async function whoami(deps: Pick<IdentityDeps, 'tokenStore' | 'now'>): Promise<WhoamiResult> {
  const login = await deps.tokenStore.load();
  if (login === undefined) throw new HoopError('not_logged_in', 'not logged in', { hint: 'run hoopctl login' });
  const now = (deps.now ?? Date.now)();
  return {
    user: login.user,
    groups: [...login.groups],
    gateway: login.gateway,
    issuer: login.issuer,
    expiresAt: login.expiresAt,
    expiresInSeconds: Math.max(0, Math.floor((Date.parse(login.expiresAt) - now) / 1000)),
    store: { kind: deps.tokenStore.kind, location: deps.tokenStore.location },
  };
}
