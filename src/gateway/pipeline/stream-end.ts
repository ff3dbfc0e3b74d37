/**
 * What a client reads when the gateway cuts its stream: a watch ends with an ERROR event carrying a Status (as
 * kube-apiserver ends a watch it cannot continue, fixtures 130/131), which kubectl prints. The words are the local
 * proxy's (src/kube/stream-end-status.ts), so a session end reads the same whichever hop saw it first.
 */
import { buildStatus } from '../../kube/status.js';
import { closeReasonWhy, sessionEndedStatus, watchErrorEvent } from '../../kube/stream-end-status.js';
import type { KubeStatus } from '../../kube/types.js';
import type { ProxyExchange } from './exchange.js';

/** The Status for a stream cut for `reason` (a session that ended, or the gateway going away). */
export function cutStatus(x: ProxyExchange, reason: string): KubeStatus {
  const why = closeReasonWhy(reason);
  if (why !== undefined) return sessionEndedStatus(x.connectionName, why);
  return buildStatus(503, 'ServiceUnavailable', `the hoopctl gateway closed this stream (${reason}); retry to reach another replica`);
}

/** The last line of a cut watch: `{"type":"ERROR","object":<Status>}` and a newline. */
export function watchEndLine(x: ProxyExchange, reason: string): Buffer {
  return watchErrorEvent(cutStatus(x, reason));
}
