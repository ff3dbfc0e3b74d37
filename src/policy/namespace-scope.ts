/**
 * A session opened for namespaces (`--namespace`, or an approved request that named one) may act
 * only inside them, whatever its role allows elsewhere. The namespace is the one kube's RequestInfo
 * reads from the path, so a Namespace object (`/api/v1/namespaces/demo`) counts as inside itself,
 * while cluster-scoped requests and lists across namespaces (`-A`) are outside every scope.
 */
import type { RequestInfo } from '../kube/types.js';

/** The sentence that explains why `info` falls outside `namespaces`, or undefined when it is inside (or not namespaced at all). */
export function namespaceScopeRefusal(namespaces: readonly string[] | undefined, info: RequestInfo): string | undefined {
  if (namespaces === undefined || namespaces.length === 0) return undefined;
  // Discovery, /version, /healthz …: not about any namespace; the role alone decides.
  if (!info.isResourceRequest) return undefined;
  if (namespaces.includes(info.namespace)) return undefined;
  const scope = namespaces.length === 1 ? `namespace "${namespaces[0]}"` : `namespaces ${namespaces.map((n) => JSON.stringify(n)).join(', ')}`;
  if (info.namespace === '') {
    const what = info.verb === 'list' || info.verb === 'watch' || info.verb === 'deletecollection'
      ? 'a request across all namespaces (or on cluster-scoped resources)'
      : 'a request on cluster-scoped resources';
    return `this session is limited to ${scope}, and ${what} is outside it`;
  }
  return `this session is limited to ${scope}, not namespace "${info.namespace}"`;
}
