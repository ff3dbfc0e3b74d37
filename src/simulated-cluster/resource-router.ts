// Maps a resource request (method + path + `watch`) to its verb handler, the way
// kube-apiserver's RequestInfo derives the verb. Streaming subresources (exec, attach,
// portforward) have one entry point here so they can be added without touching the rest.
import type { RequestContext } from './handler-context.js';
import { handleLogs } from './logs.js';
import { handlePortForward } from './port-forward.js';
import { findResource, isServedGroupVersion, type ResourceSpec } from './registry.js';
import { handleGet, handleList } from './read-handlers.js';
import type { ApiPath } from './request-path.js';
import { handleRemoteCommand } from './remote-command.js';
import { handleReview } from './reviews.js';
import { methodNotAllowed, resourceNotServed } from './status.js';
import { handleScale, handleStatus, handleUnimplementedSubresource } from './subresource-handlers.js';
import { handleWatch } from './watch.js';
import { handleCreate, handleDelete, handleDeleteCollection, handlePatch, handleUpdate } from './write-handlers.js';

type ResourcePath = Extract<ApiPath, { kind: 'resource' }>;

/** Handles one upgrade-capable subresource request (exec, attach, portforward); later steps plug in here. */
export type StreamSubresourceHandler = (ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string, subresource: string) => void | Promise<void>;

/** Handlers for streaming subresources, keyed `pods/exec`; absent ones get the not-implemented Status. */
export const streamSubresources = new Map<string, StreamSubresourceHandler>([
  ['pods/exec', handleRemoteCommand],
  ['pods/attach', handleRemoteCommand],
  ['pods/portforward', handlePortForward],
]);

// apimachinery's Convert_Slice_string_To_bool: any first value but "0" or "false" (any case) is true;
// python3-kubernetes sends `watch=True` (fixture 131).
function isWatch(ctx: RequestContext, path: ResourcePath): boolean {
  const w = ctx.url.searchParams.get('watch');
  return path.watchPrefix || (w !== null && w !== '0' && w.toLowerCase() !== 'false');
}

function requireVerb(spec: ResourceSpec, verb: string): void {
  if (!spec.verbs.includes(verb)) throw methodNotAllowed();
}

/** False when the group/version is not served at all: the caller answers the text/plain 404. */
export function isRoutable(path: ResourcePath): boolean {
  return isServedGroupVersion(path.group, path.version);
}

/** Serves a request on a resource of a served group version. */
export async function routeResource(ctx: RequestContext, path: ResourcePath): Promise<void> {
  const spec = findResource(path.group, path.version, path.resource);
  if (!spec) throw resourceNotServed();
  // A named namespaced object needs its namespace in the path; a cluster-scoped one must not have one.
  if ((spec.namespaced && path.namespace === '' && path.name !== '') || (!spec.namespaced && path.namespace !== '')) throw resourceNotServed();
  const { namespace, name, subresource } = path;
  const method = ctx.req.method ?? 'GET';

  if (!spec.stored) return handleReview(ctx, spec);

  if (subresource !== '') {
    if (!spec.subresources.some((s) => s.name === subresource)) throw resourceNotServed();
    if (subresource === 'status') return handleStatus(ctx, spec, namespace, name);
    if (subresource === 'scale') return handleScale(ctx, spec, namespace, name);
    if (subresource === 'log') {
      if (method !== 'GET') throw methodNotAllowed();
      return handleLogs(ctx, spec, namespace, name);
    }
    const stream = streamSubresources.get(`${spec.resource}/${subresource}`);
    if (stream) return stream(ctx, spec, namespace, name, subresource);
    return handleUnimplementedSubresource(ctx, spec, namespace, name, subresource);
  }

  if (name === '') {
    switch (method) {
      case 'GET':
        if (isWatch(ctx, path)) {
          requireVerb(spec, 'watch');
          return handleWatch(ctx, spec, namespace);
        }
        requireVerb(spec, 'list');
        return handleList(ctx, spec, namespace);
      case 'POST':
        requireVerb(spec, 'create');
        return handleCreate(ctx, spec, namespace);
      case 'DELETE':
        requireVerb(spec, 'deletecollection');
        return handleDeleteCollection(ctx, spec, namespace);
      default:
        throw methodNotAllowed();
    }
  }
  switch (method) {
    case 'GET':
      // A named object is watched only on the legacy /watch/ path: kube-apiserver's RequestInfo calls
      // `GET …/configmaps/x?watch=true` a get, and its get handler answers the object (the query is ignored).
      if (path.watchPrefix) {
        requireVerb(spec, 'watch');
        return handleWatch(ctx, spec, namespace, name);
      }
      requireVerb(spec, 'get');
      return handleGet(ctx, spec, namespace, name);
    case 'PUT':
      requireVerb(spec, 'update');
      return handleUpdate(ctx, spec, namespace, name);
    case 'PATCH':
      requireVerb(spec, 'patch');
      return handlePatch(ctx, spec, namespace, name);
    case 'DELETE':
      requireVerb(spec, 'delete');
      return handleDelete(ctx, spec, namespace, name);
    default:
      throw methodNotAllowed();
  }
}
