// Subresources other than pods/log: `status` (the object, writable only in .status), `scale`
// (autoscaling/v1 Scale of workloads), and a clear refusal for the ones not simulated (proxy, …);
// exec, attach and portforward are served by remote-command.ts and port-forward.ts.
import type { RequestContext } from './handler-context.js';
import { readBody, writeObject } from './http-io.js';
import type { KubeObject } from './object-store.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import type { ResourceSpec } from './registry.js';
import { sendObject } from './render.js';
import { ApiError, badRequest, failure, methodNotAllowed, notFound, qualifiedResource } from './status.js';
import { handlePatch, handleUpdate } from './write-handlers.js';

function existing(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string): KubeObject {
  const o = ctx.state.store.get(spec, namespace, name);
  if (!o) throw notFound(spec, name);
  return o;
}

/** GET, PUT and PATCH of `<resource>/status`. */
export async function handleStatus(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string): Promise<void> {
  switch (ctx.req.method) {
    case 'GET':
      sendObject(ctx, spec, existing(ctx, spec, namespace, name));
      return;
    case 'PUT':
      await handleUpdate(ctx, spec, namespace, name, 'status');
      return;
    case 'PATCH':
      await handlePatch(ctx, spec, namespace, name, 'status');
      return;
    default:
      throw methodNotAllowed();
  }
}

function selectorString(o: KubeObject): string {
  const match = (o['spec'] as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels ?? {};
  return Object.keys(match)
    .sort()
    .map((k) => `${k}=${match[k]}`)
    .join(',');
}

function scaleOf(o: KubeObject): Record<string, unknown> {
  const spec = (o['spec'] ?? {}) as { replicas?: number };
  const status = (o['status'] ?? {}) as { replicas?: number };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(o) },
  };
}

/** GET, PUT and PATCH of `<workload>/scale`. */
export async function handleScale(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string): Promise<void> {
  const o = existing(ctx, spec, namespace, name);
  if (ctx.req.method === 'GET') {
    writeObject(ctx.req, ctx.res, ctx.url, 200, scaleOf(o));
    return;
  }
  if (ctx.req.method !== 'PUT' && ctx.req.method !== 'PATCH') throw methodNotAllowed();
  const raw = (await readBody(ctx.req)).toString('utf8');
  let wanted: unknown;
  try {
    const body: unknown = JSON.parse(raw);
    if (ctx.req.method === 'PUT') wanted = body;
    else {
      const type = (ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const current = scaleOf(o);
      wanted =
        type === 'application/json-patch+json'
          ? applyJsonPatch(current, body)
          : type === 'application/merge-patch+json'
            ? applyMergePatch(current, body)
            : applyStrategicMergePatch(current, body);
    }
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw badRequest(`error decoding Scale: ${e instanceof Error ? e.message : String(e)}`);
  }
  const replicas = (wanted as { spec?: { replicas?: unknown } }).spec?.replicas;
  if (typeof replicas !== 'number' || replicas < 0) throw badRequest('Scale.spec.replicas must be a non-negative integer');
  const updated = ctx.state.store.update(spec, { ...o, spec: { ...(o['spec'] as object), replicas } });
  writeObject(ctx.req, ctx.res, ctx.url, 200, scaleOf(updated));
}

// proxy, binding, eviction, ephemeralcontainers, token are not simulated
// yet: a 404 Status naming the gap (after the usual 404 for a missing object), never a fake session.
/** Refuses a subresource the simulation does not implement. */
export function handleUnimplementedSubresource(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string, subresource: string): void {
  existing(ctx, spec, namespace, name);
  const message = `${qualifiedResource(spec)} "${name}": subresource "${subresource}" is not implemented by the hoopctl kube-apiserver simulation`;
  const status = failure(404, 'NotFound', message, { name, ...(spec.group === '' ? {} : { group: spec.group }), kind: spec.resource });
  writeObject(ctx.req, ctx.res, ctx.url, 404, status);
}
