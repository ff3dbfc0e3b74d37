/** What the gateway knows about a Kubernetes request, mirroring kube-apiserver's RequestInfo (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go). */
export interface RequestInfo {
  isResourceRequest: boolean;
  /** Percent-decoded path without query (kube's `req.URL.Path`; the `/k8s/<connection>` prefix removed); a trailing `/` is kept, as kube keeps it. */
  path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection; for non-resource URLs the lower-cased HTTP method (get, post, put, …). */
  verb: string;
  apiPrefix: 'api' | 'apis' | null;
  apiGroup: string; // '' for the core group
  apiVersion: string;
  namespace: string; // '' when cluster-scoped or all namespaces
  resource: string;
  subresource: string;
  name: string;
  /** True for pods/exec, pods/attach, pods/portforward, pods/ephemeralcontainers, any proxy subresource, whatever the method. */
  execClass: boolean;
}

/** A request path that must be refused rather than cleaned (`..`, `//`, encoded `/`, …). */
export interface NonCanonicalPath {
  refused: true;
  reason: string;
}

/** Kubernetes `Status` object (meta/v1), the body kubectl prints for errors. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string; // Forbidden, Unauthorized, NotFound, BadRequest, …
  details?: { name?: string; group?: string; kind?: string; causes?: { reason?: string; message: string; field?: string }[]; retryAfterSeconds?: number };
  code: number;
}
