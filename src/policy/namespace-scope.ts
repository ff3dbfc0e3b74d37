/**
 * A session opened for namespaces (`--namespace`, or an approved request that named one) may act
 * only inside them, whatever its role allows elsewhere. The namespace is the one kube's RequestInfo
 * reads from the path, so a Namespace object (`/api/v1/namespaces/demo`) counts as inside itself,
 * while cluster-scoped requests and lists across namespaces (`-A`) are outside every scope.
 */
import type { RequestInfo } from '../kube/types.js';

/**
 * Questions about oneself (`kubectl auth whoami`, `kubectl auth can-i`): cluster-scoped paths that
 * read and change nothing, so a namespaced session may still ask them (its role still decides).
 */
const SELF_REVIEWS = new Set([
  'authentication.k8s.io/selfsubjectreviews',
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
]);

/** The sentence that explains why `info` falls outside `namespaces`, or undefined when it is inside (or not namespaced at all). */
export function namespaceScopeRefusal(namespaces: readonly string[] | undefined, info: RequestInfo): string | undefined {
  if (namespaces === undefined || namespaces.length === 0) return undefined;
  // Discovery, /version, /healthz …: not about any namespace; the role alone decides.
  if (!info.isResourceRequest) return undefined;
  if (namespaces.includes(info.namespace)) return undefined;
  if (info.verb === 'create' && info.subresource === '' && SELF_REVIEWS.has(`${info.apiGroup}/${info.resource}`)) return undefined;
  const scope = namespaces.length === 1 ? `namespace "${namespaces[0]}"` : `namespaces ${namespaces.map((n) => JSON.stringify(n)).join(', ')}`;
  if (info.namespace === '') {
    const what =
      info.verb === 'list' || info.verb === 'watch' || info.verb === 'deletecollection'
        ? 'a request across all namespaces (or on cluster-scoped resources)'
        : 'a request on cluster-scoped resources';
    return `this session is limited to ${scope}, and ${what} is outside it`;
  }
  return `this session is limited to ${scope}, not namespace "${info.namespace}"`;
}
