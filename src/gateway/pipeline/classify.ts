/** Pipeline step 2: classify the request as kube-apiserver would; a non-canonical path is refused, never cleaned. */
import { classifyRequest, isNonCanonical } from '../../kube/request-info.js';
import { badRequestStatus } from '../../kube/status.js';
import type { AuthenticatedExchange, ClassifiedExchange, ProxyStep } from './exchange.js';

/** Builds the classify step. */
export function createClassify(): ProxyStep<AuthenticatedExchange, ClassifiedExchange> {
  return async (x) => {
    const result = classifyRequest(x.req.method ?? 'GET', x.kubePath);
    if (isNonCanonical(result)) {
      x.refusedBy = 'classify';
      // Cleaning would let `/api/v1/namespaces/a/../b/secrets` reach the server as a request the policy never saw.
      return badRequestStatus(`the gateway refuses this request path: ${result.reason}`);
    }
    return Object.assign(x, { info: result });
  };
}
