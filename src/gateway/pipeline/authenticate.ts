/** Pipeline step 1: the request must carry a live session token issued for this very connection. */
import { isHoopError } from '../../errors.js';
import { buildStatus, unauthorizedStatus } from '../../kube/status.js';
import { bearerToken } from '../http-json.js';
import type { GatewayContext } from '../gateway-context.js';
import type { AuthenticatedExchange, ProxyExchange, ProxyStep } from './exchange.js';

/** Builds the authenticate step. */
export function createAuthenticate(gw: GatewayContext): ProxyStep<ProxyExchange, AuthenticatedExchange> {
  return async (x) => {
    const token = bearerToken(x.req);
    if (token === undefined) {
      x.refusedBy = 'authenticate';
      return unauthorizedStatus(`no session token; run hoopctl connect ${x.connectionName}`);
    }
    let authed: AuthenticatedExchange;
    try {
      authed = Object.assign(x, { session: await gw.sessionTokens.verify(token) });
    } catch (e) {
      x.refusedBy = 'authenticate';
      if (isHoopError(e, 'store_error')) return buildStatus(503, 'ServiceUnavailable', 'the gateway cannot reach its store; try again shortly');
      if (!isHoopError(e)) throw e;
      const hint = e.hint === undefined ? '' : `; ${e.hint.replace('<connection>', x.connectionName)}`;
      return unauthorizedStatus(`${e.message}${hint}`);
    }
    const conn = authed.session.claims.conn;
    if (conn !== x.connectionName) {
      x.refusedBy = 'authenticate';
      return unauthorizedStatus(`this session is for connection "${conn}", not "${x.connectionName}"; run hoopctl connect ${x.connectionName}`);
    }
    return authed;
  };
}
