/**
 * `GET /v1/whoami`: the person and the groups the gateway will use for this ID token, after its own
 * claim mapping (`usernameClaim`, `groupsClaim`), which the CLI cannot know by decoding the token.
 * When the token lacks the configured groups claim, the answer says which claim and scopes to check.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HoopError } from '../errors.js';
import type { WhoamiResponse } from '../api/wire.js';
import { isAdmin, type GatewayContext } from './gateway-context.js';
import { bearerToken, sendJson } from './http-json.js';

/** The sentence for a token without the configured groups claim: which claim, which scopes. */
export function missingGroupsHint(claim: string, scopes: readonly string[]): string {
  return (
    `your ID token has no "${claim}" claim, so the gateway sees no groups: check that the identity provider puts "${claim}" ` +
    `into the ID token (not only into userinfo) and grants the scopes hoopctl asks for (${scopes.join(' ')}); then run hoopctl login again`
  );
}

/** Answers `GET /v1/whoami` (ID token only: a session token names a session, not a login). */
export async function whoami(gw: GatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = bearerToken(req);
  if (token === undefined) throw new HoopError('not_logged_in', 'this endpoint needs Authorization: Bearer <ID token>', { hint: 'run hoopctl login' });
  if (gw.sessionTokens.looksLikeSessionToken(token))
    throw new HoopError('not_logged_in', 'a session token cannot be used here; present your login (ID token)', { hint: 'run hoopctl login' });
  const id = await gw.idTokens.verify(token);
  const issuer = gw.config.oidc.issuers.find((i) => i.issuer === id.issuer);
  const answer: WhoamiResponse = { user: id.user, groups: id.groups, issuer: id.issuer, admin: isAdmin(gw.config, id) };
  if (id.groupsClaim !== undefined) {
    answer.groupsClaim = id.groupsClaim.name;
    if (!id.groupsClaim.present) answer.groupsHint = missingGroupsHint(id.groupsClaim.name, issuer?.scopes ?? []);
  }
  sendJson(res, 200, answer);
}
