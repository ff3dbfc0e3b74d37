/**
 * The `iss` of session tokens, agreed by every replica by construction: the first gateway to use a store
 * writes its public URL there, and every gateway on that store (now and after restarts) signs and verifies
 * with the stored value, whatever its own `publicUrl`. `iss` only names the token's issuer to the gateway
 * itself (clients never verify it), so a later change of publicUrl does not invalidate sessions.
 */
import type { Store } from '../store/store.js';

/** The store setting that holds the issuer. */
export const SESSION_ISSUER_SETTING = 'session-issuer';

/** Returns the store's session issuer, storing `publicUrl` when the store has none yet; warns when a configured publicUrl differs. */
export async function claimSessionIssuer(store: Store, publicUrl: string, configured: boolean, log: (line: string) => void): Promise<string> {
  const issuer = await store.claimSetting(SESSION_ISSUER_SETTING, publicUrl);
  if (issuer !== publicUrl && configured) {
    log(
      `session tokens keep the issuer ${issuer} recorded in the store by the first gateway that used it (this gateway's publicUrl is ${publicUrl}); sessions are valid on every replica either way`,
    );
  }
  return issuer;
}
