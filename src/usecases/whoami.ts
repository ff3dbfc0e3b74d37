/** `hoopctl whoami`: who the stored login names, for which gateway, and until when. Never a token value. */
import { HoopError } from '../errors.js';
import type { TokenStoreKind } from '../oidc/token-store.js';
import type { IdentityDeps } from './identity-deps.js';
import { gatewayIdentity } from './gateway-identity.js';

/** What whoami reports. */
export interface WhoamiResult {
  user: string;
  /** The groups the gateway matches bindings against (groupsSource says whether the gateway said so). */
  groups: string[];
  /** `gateway`: after the gateway's claim mapping; `id-token`: the token's own `groups` claim (the gateway could not be asked). */
  groupsSource: 'gateway' | 'id-token';
  /** Why the gateway sees no groups (the configured claim is missing from the ID token), or why it could not be asked. */
  groupsNote?: string;
  gateway: string;
  issuer: string;
  /** ID token expiry, RFC 3339. */
  expiresAt: string;
  /** Seconds until expiresAt; 0 once expired (the next command refreshes it if it can). */
  expiresInSeconds: number;
  store: { kind: TokenStoreKind; location: string };
}

/**
 * Describes the stored login without refreshing it; not logged in → HoopError('not_logged_in').
 * While the ID token is valid, the person and groups are the gateway's (GET /v1/whoami).
 */
export async function whoami(deps: Pick<IdentityDeps, 'tokenStore' | 'now' | 'gateway'>): Promise<WhoamiResult> {
  const login = await deps.tokenStore.load();
  if (login === undefined) throw new HoopError('not_logged_in', 'not logged in', { hint: 'run hoopctl login' });
  const now = deps.now();
  const fresh = Date.parse(login.expiresAt) > now;
  const asked = fresh ? await gatewayIdentity(deps, login.gateway, login.idToken) : { problem: 'the ID token has expired (the next command refreshes it)' };
  const seen = 'seen' in asked ? asked.seen : undefined;
  const note = seen !== undefined ? seen.groupsHint : `groups read from the ID token, not confirmed by the gateway: ${(asked as { problem: string }).problem}`;
  return {
    user: seen?.user ?? login.user,
    groups: [...(seen?.groups ?? login.groups)],
    groupsSource: seen === undefined ? 'id-token' : 'gateway',
    ...(note === undefined ? {} : { groupsNote: note }),
    gateway: login.gateway,
    issuer: login.issuer,
    expiresAt: login.expiresAt,
    expiresInSeconds: Math.max(0, Math.floor((Date.parse(login.expiresAt) - now) / 1000)),
    store: { kind: deps.tokenStore.kind, location: deps.tokenStore.location },
  };
}
