/**
 * Kubernetes `Status` bodies (meta/v1), worded and ordered as kube-apiserver writes them, so
 * kubectl prints our refusals exactly like its own ("Error from server (Forbidden): …").
 * Wording: k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go (forbiddenMessage)
 * and k8s.io/apimachinery/pkg/api/errors/errors.go (NewForbidden, NewNotFound).
 */
import type { KubeStatus, RequestInfo } from './types.js';

type Details = NonNullable<KubeStatus['details']>;

/** Builds a Failure `Status`; field order follows the Go struct, so JSON.stringify matches the API server byte for byte. */
export function buildStatus(code: number, reason: string, message: string, details?: Details): KubeStatus {
  const head = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason } as const;
  return details === undefined ? { ...head, code } : { ...head, details: orderDetails(details), code };
}

/**
 * 403 in kube's words, e.g. `pods "x" is forbidden: User "alice" cannot delete resource "pods"
 * in API group "" in the namespace "demo": <why>`. Exec-class requests are named with verb
 * `create`, the permission they need whatever the method (KEP-4006: WebSocket exec arrives as GET).
 */
export function forbiddenStatus(info: RequestInfo, user: string, why: string): KubeStatus {
  const attributes = forbiddenMessage(info, user);
  const err = why === '' ? attributes : `${attributes}: ${why}`;
  if (!info.isResourceRequest) return buildStatus(403, 'Forbidden', `forbidden: ${err}`, {});
  const qualified = qualifiedResource(info.apiGroup, info.resource);
  const message = info.name === '' ? `${qualified} is forbidden: ${err}` : `${qualified} ${JSON.stringify(info.name)} is forbidden: ${err}`;
  return buildStatus(403, 'Forbidden', message, { name: info.name, group: info.apiGroup, kind: info.resource });
}

/** 401, as the API server answers a bad or expired bearer token (message "Unauthorized" there). */
export function unauthorizedStatus(message = 'Unauthorized'): KubeStatus {
  return buildStatus(401, 'Unauthorized', message);
}

/** 400 with a plain message (e.g. a refused non-canonical path). */
export function badRequestStatus(message: string): KubeStatus {
  return buildStatus(400, 'BadRequest', message);
}

/** 404: `secrets "missing" not found` for a named object, or kube's generic message when none is given. */
export function notFoundStatus(object?: { group?: string; resource: string; name: string }): KubeStatus {
  if (object === undefined) return buildStatus(404, 'NotFound', 'the server could not find the requested resource', {});
  const qualified = qualifiedResource(object.group ?? '', object.resource);
  return buildStatus(404, 'NotFound', `${qualified} ${JSON.stringify(object.name)} not found`, {
    name: object.name,
    group: object.group ?? '',
    kind: object.resource,
  });
}

function forbiddenMessage(info: RequestInfo, user: string): string {
  const verb = info.execClass ? 'create' : info.verb;
  if (!info.isResourceRequest) return `User ${JSON.stringify(user)} cannot ${verb} path ${JSON.stringify(info.path)}`;
  const resource = info.subresource === '' ? info.resource : `${info.resource}/${info.subresource}`;
  const scope = info.namespace === '' ? 'at the cluster scope' : `in the namespace ${JSON.stringify(info.namespace)}`;
  return `User ${JSON.stringify(user)} cannot ${verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(info.apiGroup)} ${scope}`;
}

/** schema.GroupResource.String(): `deployments.apps`, or just `pods` for the core group. */
function qualifiedResource(group: string, resource: string): string {
  return group === '' ? resource : `${resource}.${group}`;
}

/** StatusDetails field order (name, group, kind, uid, causes) with empty strings left out (`omitempty`). */
function orderDetails(d: Details): Details {
  const out: Details = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.causes !== undefined && d.causes.length > 0) out.causes = d.causes;
  if (d.retryAfterSeconds !== undefined) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}
