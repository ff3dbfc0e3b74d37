// Splits an API path the way kube-apiserver's RequestInfoFactory does
// (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go): prefix, group, version, namespace,
// resource, name, subresource, plus the legacy `/watch/` path prefix.

/** A parsed `/api/…` or `/apis/…` path. */
export type ApiPath =
  | { kind: 'root'; prefix: 'api' | 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | {
      kind: 'resource';
      group: string;
      version: string;
      namespace: string;
      resource: string;
      name: string;
      subresource: string;
      /** `/api/v1/watch/…` (deprecated but still served). */
      watchPrefix: boolean;
    };

// Subresources of a namespace that stay on the namespace object rather than start a nested path.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** Parses an API path; undefined when it is not under /api or /apis at all. */
export function parseApiPath(pathname: string): ApiPath | undefined {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return undefined;
  let rest: string[];
  let group = '';
  let version: string;
  if (prefix === 'api') {
    if (parts.length === 1) return { kind: 'root', prefix };
    version = parts[1]!;
    rest = parts.slice(2);
  } else {
    if (parts.length === 1) return { kind: 'root', prefix };
    group = parts[1]!;
    if (parts.length === 2) return { kind: 'group', group };
    version = parts[2]!;
    rest = parts.slice(3);
  }
  if (rest.length === 0) return { kind: 'groupVersion', group, version };

  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1]!;
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
    else return { kind: 'resource', group, version, namespace: '', resource: 'namespaces', name: namespace, subresource: rest[2] ?? '', watchPrefix };
  }
  return {
    kind: 'resource',
    group,
    version,
    namespace,
    resource: rest[0] ?? '',
    name: rest[1] ?? '',
    subresource: rest.slice(2).join('/'),
    watchPrefix,
  };
}
