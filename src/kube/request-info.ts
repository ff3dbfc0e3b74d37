/**
 * Request classification, mirroring kube-apiserver's RequestInfoFactory.NewRequestInfo
 * (https://github.com/kubernetes/kubernetes/blob/v1.32.0/staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go)
 * so the policy sees the request the way the API server's authorizer will. kube splits the path with
 * leading and trailing slashes trimmed, so `/api/v1/namespaces/x/pods/` is the same list as without the
 * slash (fixture 100: byte-identical 200 answers); we accept that one trailing slash too. Where kube
 * is lenient in ways two stacks could read differently (`//`, `..`, encoded `/`, extra segments, the
 * removed `/proxy/` verb paths) we refuse instead.
 */
import { parseCanonicalPath, refuse } from './canonical-path.js';
import { fieldSelectorName } from './field-selector.js';
import type { NonCanonicalPath, RequestInfo } from './types.js';

/** Subresources of pods that open a channel into a running container (or change its containers). */
const POD_EXEC_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'ephemeralcontainers']);

/** Sub-paths of a namespace that are its subresources, not resources inside it (kube's `namespaceSubresources`). */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** kube maps these methods to verbs; anything else would get verb "" there, so we refuse it on resource paths. */
const VERB_BY_METHOD: Record<string, string> = {
  GET: 'get',
  HEAD: 'get',
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** The RequestInfo of a non-resource request (every resource field empty): where classification starts, and what a non-resource review asks. */
export function nonResourceRequestInfo(path: string, verb: string): RequestInfo {
  return {
    isResourceRequest: false,
    path,
    verb,
    apiPrefix: null,
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    execClass: false,
  };
}

/** Classifies a request as kube-apiserver would, or refuses a non-canonical path. `pathAndQuery` is the origin-form target (prefix already removed). */
export function classifyRequest(method: string, pathAndQuery: string): RequestInfo | NonCanonicalPath {
  const parsed = parseCanonicalPath(pathAndQuery);
  if ('refused' in parsed) return parsed;
  // kube's RequestInfo.Path is req.URL.Path, decoded: RBAC matches nonResourceURLs against it, so `/%64ebug/x`
  // is `/debug/x` to kube-apiserver and must be to the policy as well.
  const info = nonResourceRequestInfo(parsed.decodedPath, method.toLowerCase());

  let parts = parsed.segments;
  const prefix = parts[0];
  if (parts.length < 3 || (prefix !== 'api' && prefix !== 'apis')) return info;
  parts = parts.slice(1);
  if (prefix === 'apis') {
    // /apis/{group}/{version} is discovery, a non-resource URL
    if (parts.length < 3) return info;
    info.apiGroup = parts[0] ?? '';
    parts = parts.slice(1);
  }
  info.apiPrefix = prefix;
  info.isResourceRequest = true;
  info.apiVersion = parts[0] ?? '';
  parts = parts.slice(1);

  const methodVerb = VERB_BY_METHOD[method];
  if (methodVerb === undefined) return refuse(`method ${JSON.stringify(method)} is not served on resource paths`);
  if (parts[0] === 'proxy') {
    // The /api/v1/proxy/... verb paths were removed from kube-apiserver; the proxy subresource replaced them.
    return refuse('the legacy "/proxy/" path form is not served; use .../{resource}/{name}/proxy');
  }
  if (parts[0] === 'watch') {
    // Legacy watch paths (/api/v1/watch/namespaces/x/pods) are still served: verb watch whatever the method.
    if (parts.length < 2) return refuse('a "/watch/" path must name a resource');
    info.verb = 'watch';
    parts = parts.slice(1);
  } else {
    info.verb = methodVerb;
  }

  if (parts[0] === 'namespaces' && parts.length > 1) {
    info.namespace = parts[1] ?? '';
    // /namespaces/{ns}/{resource}/... unless the third part is a namespace subresource (/namespaces/{ns}/status)
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2] ?? '')) parts = parts.slice(2);
  }
  info.resource = parts[0] ?? '';
  info.name = parts[1] ?? '';
  info.subresource = parts[2] ?? '';

  if (parts.length > 3 && info.subresource !== 'proxy') {
    return refuse(`the request path has segments after the subresource "${info.subresource}"`);
  }

  if (info.name === '' && info.verb === 'get') {
    info.verb = watchRequested(parsed.query) ? 'watch' : 'list';
    // kube authorizes a list/watch with fieldSelector=metadata.name=x as acting on the object x.
    info.name = fieldSelectorName(parsed.query);
  }
  if (info.name === '' && info.verb === 'delete') info.verb = 'deletecollection';

  info.execClass = info.subresource === 'proxy' || (info.resource === 'pods' && POD_EXEC_SUBRESOURCES.has(info.subresource));
  return info;
}

/** True when a classification is a refusal. */
export function isNonCanonical(x: RequestInfo | NonCanonicalPath): x is NonCanonicalPath {
  return 'refused' in x;
}

/**
 * `watch` is decoded as a bool: any first value other than "0" or "false" (any case) is true,
 * including an empty one (apimachinery's Convert_Slice_string_To_bool).
 */
function watchRequested(query: Map<string, string[]>): boolean {
  const first = query.get('watch')?.[0];
  if (first === undefined) return false;
  const v = first.toLowerCase();
  return v !== 'false' && v !== '0';
}
