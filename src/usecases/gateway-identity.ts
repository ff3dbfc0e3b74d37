/**
 * Who the gateway takes a login for (`GET /v1/whoami`): its own claim mapping decides the person
 * and the groups (e.g. `groupsClaim: roles`), so the CLI asks rather than decoding the ID token.
 */
import { isHoopError } from '../errors.js';
import type { WhoamiResponse } from '../api/wire.js';
import type { IdentityDeps } from './identity-deps.js';

/** The gateway's answer, or why it could not be had (the caller then shows the ID token's own claims, saying so). */
export type GatewayIdentity = { seen: WhoamiResponse } | { problem: string };

/** Asks `gateway` whom `idToken` names; never throws. */
export async function gatewayIdentity(deps: Pick<IdentityDeps, 'gateway'>, gateway: string, idToken: string): Promise<GatewayIdentity> {
  try {
    return { seen: await deps.gateway(gateway).whoami(idToken) };
  } catch (e) {
    if (isHoopError(e, 'not_found')) return { problem: 'the gateway is older than GET /v1/whoami' };
    return { problem: e instanceof Error ? e.message : String(e) };
  }
}
