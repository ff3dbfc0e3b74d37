/**
 * What a client reads when the gateway cuts its stream: a watch ends with an ERROR event carrying a Status (as
 * kube-apiserver ends a watch it cannot continue, fixtures 130/131), which kubectl prints and exits non-zero on.
 */
import { buildStatus } from '../../kube/status.js';
import type { KubeStatus } from '../../kube/types.js';
import type { ProxyExchange } from './exchange.js';

/** The Status for a stream cut for `reason` (a session that ended, or the gateway going away). */
export function cutStatus(x: ProxyExchange, reason: string): KubeStatus {
  if (/stopping|drain|shutting/i.test(reason)) {
    return buildStatus(503, 'ServiceUnavailable', `the hoopctl gateway is shutting down (${reason}); retry to reach another replica`);
  }
  return buildStatus(401, 'Unauthorized', `hoopctl session for ${x.connectionName} ended (${reason}); run: hoopctl connect ${x.connectionName}`);
}

/** The last line of a cut watch: `{"type":"ERROR","object":<Status>}` and a newline. */
export function watchEndLine(x: ProxyExchange, reason: string): Buffer {
  return Buffer.from(`${JSON.stringify({ type: 'ERROR', object: cutStatus(x, reason) })}\n`, 'utf8');
}
