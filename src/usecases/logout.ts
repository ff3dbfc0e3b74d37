/** `hoopctl logout`: forget the stored login, and ask the IdP to revoke the refresh token when it can. */
import type { TokenStoreKind } from '../oidc/token-store.js';
import type { IdentityDeps } from './identity-deps.js';

/** What logout did. */
export interface LogoutResult {
  /** A login was stored and is now removed. */
  removed: boolean;
  /** The IdP confirmed the refresh token's revocation (RFC 7009); best effort, false when it could not. */
  revoked: boolean;
  store: { kind: TokenStoreKind; location: string };
}

/** Removes the stored login; revocation at the IdP is best effort and never makes logout fail. */
export async function logout(deps: Pick<IdentityDeps, 'tokenStore' | 'idp'>): Promise<LogoutResult> {
  const store = { kind: deps.tokenStore.kind, location: deps.tokenStore.location };
  // A damaged entry must still be removable: read errors only skip the revocation.
  let damaged = false;
  const login = await deps.tokenStore.load().catch(() => {
    damaged = true;
    return undefined;
  });
  let revoked = false;
  if (login?.refreshToken !== undefined) {
    try {
      const config = await deps.idp.discoverIssuer(login.issuer, login.clientId, { timeoutSeconds: 5 });
      revoked = await deps.idp.revokeToken(config, login.refreshToken);
    } catch {
      revoked = false; // IdP unreachable: the local copy goes anyway
    }
  }
  await deps.tokenStore.clear();
  return { removed: login !== undefined || damaged, revoked, store };
}
