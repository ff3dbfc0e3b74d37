// POST, PUT, PATCH (merge, JSON, strategic, server-side apply), DELETE and DELETE-collection.
import { parse as parseYaml } from 'yaml';
import type { RequestContext } from './handler-context.js';
import { decodeBody, readBody, writeObject } from './http-io.js';
import type { KubeObject } from './object-store.js';
import { asResourceObject, isDryRun, prepareCreate, prepareUpdate, type WriteIntent } from './object-writer.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import { findResource, type ResourceSpec } from './registry.js';
import { sendObject } from './render.js';
import { selectObjects } from './read-handlers.js';
import { ApiError, badRequest, deleteSuccess, failure, notFound, unsupportedMediaType } from './status.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
// kube-apiserver's namespace lifecycle admission refuses to delete these.
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

function store(ctx: RequestContext, spec: ResourceSpec, o: KubeObject, create: boolean): KubeObject {
  if (isDryRun(ctx)) return o;
  return create ? ctx.state.store.create(spec, o) : ctx.state.store.update(spec, o);
}

/** POST to a collection. */
export async function handleCreate(ctx: RequestContext, spec: ResourceSpec, namespace: string): Promise<void> {
  const body = decodeBody(ctx.req.headers['content-type'], await readBody(ctx.req), spec.kind);
  const incoming = asResourceObject(spec, body);
  const o = prepareCreate(ctx, spec, namespace, incoming, { operation: 'Update' });
  sendObject(ctx, spec, store(ctx, spec, o, true), 201);
}

/** PUT of a named object (or of its status subresource). */
export async function handleUpdate(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string, subresource = ''): Promise<void> {
  const body = decodeBody(ctx.req.headers['content-type'], await readBody(ctx.req), spec.kind);
  const old = ctx.state.store.get(spec, namespace, name);
  if (!old) throw notFound(spec, name);
  const incoming = asResourceObject(spec, body);
  const intent: WriteIntent = { operation: 'Update', subresource: subresource || undefined };
  const o = prepareUpdate(ctx, spec, old, incoming, body as Record<string, unknown>, intent);
  sendObject(ctx, spec, finalizeIfDone(ctx, spec, store(ctx, spec, o, false)));
}

function patchType(contentType: string | undefined): 'merge' | 'json' | 'strategic' | 'apply' {
  const t = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (t === 'application/merge-patch+json') return 'merge';
  if (t === 'application/json-patch+json') return 'json';
  if (t === 'application/strategic-merge-patch+json') return 'strategic';
  if (t === 'application/apply-patch+yaml' || t === 'application/apply-patch+cbor') {
    if (t.endsWith('cbor')) throw unsupportedMediaType();
    return 'apply';
  }
  throw new ApiError(
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    ),
  );
}

/** PATCH of a named object (or its status subresource); server-side apply creates a missing object. */
export async function handlePatch(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string, subresource = ''): Promise<void> {
  const type = patchType(ctx.req.headers['content-type']);
  const raw = await readBody(ctx.req);
  let patch: unknown;
  try {
    patch = type === 'apply' ? parseYaml(raw.toString('utf8')) : JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw badRequest(`error decoding patch: ${e instanceof Error ? e.message : String(e)}`);
  }
  const old = ctx.state.store.get(spec, namespace, name);
  const intent: WriteIntent = { operation: type === 'apply' ? 'Apply' : 'Update', subresource: subresource || undefined, fromPatch: true };
  if (type === 'apply') {
    const incoming = asResourceObject(spec, patch);
    if (incoming.metadata.name && incoming.metadata.name !== name) {
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (!old) {
      if (subresource) throw notFound(spec, name);
      const o = prepareCreate(ctx, spec, namespace, { ...incoming, metadata: { ...incoming.metadata, name } }, intent);
      sendObject(ctx, spec, store(ctx, spec, o, true), 201);
      return;
    }
  }
  if (!old) throw notFound(spec, name);
  let patched: unknown;
  if (type === 'merge') patched = applyMergePatch(old, patch);
  else if (type === 'json') patched = applyJsonPatch(old, patch);
  else patched = applyStrategicMergePatch(old, patch);
  const incoming = asResourceObject(spec, patched);
  if (type === 'apply') syncLastApplied(ctx, old, incoming, patch);
  if (type !== 'json' && !hasResourceVersion(patch)) delete incoming.metadata.resourceVersion;
  const o = prepareUpdate(
    ctx,
    spec,
    old,
    incoming,
    (typeof patch === 'object' && patch !== null && !Array.isArray(patch) ? patch : {}) as Record<string, unknown>,
    intent,
  );
  sendObject(ctx, spec, finalizeIfDone(ctx, spec, store(ctx, spec, o, false)));
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

// Go's encoding/json writes map keys sorted.
function sortedJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedJson);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => [k, sortedJson(x)]),
  );
}

/**
 * kube-apiserver's lastAppliedUpdater: a server-side apply by field manager `kubectl` on an object that has
 * the client-side annotation rewrites it to the applied configuration (fixture 121, observation 35).
 */
function syncLastApplied(ctx: RequestContext, old: KubeObject, incoming: KubeObject, patch: unknown): void {
  if (ctx.url.searchParams.get('fieldManager') !== 'kubectl' || old.metadata.annotations?.[LAST_APPLIED] === undefined) return;
  const applied = structuredClone(patch) as { metadata?: { annotations?: Record<string, string> } };
  if (applied.metadata?.annotations !== undefined) {
    delete applied.metadata.annotations[LAST_APPLIED];
    if (Object.keys(applied.metadata.annotations).length === 0) delete applied.metadata.annotations;
  }
  incoming.metadata.annotations = { ...incoming.metadata.annotations, [LAST_APPLIED]: `${JSON.stringify(sortedJson(applied))}\n` };
}

function hasResourceVersion(patch: unknown): boolean {
  const meta = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return typeof meta?.resourceVersion === 'string' && meta.resourceVersion !== '';
}

// An object with a deletionTimestamp goes away once its last finalizer is removed.
function finalizeIfDone(ctx: RequestContext, spec: ResourceSpec, o: KubeObject): KubeObject {
  if (spec === NAMESPACES || !o.metadata.deletionTimestamp || (o.metadata.finalizers ?? []).length > 0 || isDryRun(ctx)) return o;
  return ctx.state.store.remove(spec, o.metadata.namespace ?? '', o.metadata.name) ?? o;
}

interface DeleteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
}

async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const raw = await readBody(ctx.req);
  if (raw.length === 0) return {};
  const body = decodeBody(ctx.req.headers['content-type'], raw, 'DeleteOptions');
  return body as DeleteOptions;
}

function deleteOne(ctx: RequestContext, spec: ResourceSpec, old: KubeObject, options: DeleteOptions): KubeObject | 'removed' {
  const p = options.preconditions;
  if ((p?.uid && p.uid !== old.metadata.uid) || (p?.resourceVersion && p.resourceVersion !== old.metadata.resourceVersion)) {
    throw new ApiError(
      failure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${spec.resource} "${old.metadata.name}": Precondition failed: UID in precondition: ${p?.uid ?? ''}, UID in object meta: ${old.metadata.uid}`,
        { name: old.metadata.name, kind: spec.resource },
      ),
    );
  }
  const now = ctx.state
    .now()
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
  if (spec === NAMESPACES) {
    if (IMMORTAL_NAMESPACES.has(old.metadata.name)) {
      throw new ApiError(
        failure(403, 'Forbidden', `namespaces "${old.metadata.name}" is forbidden: this namespace may not be deleted`, {
          name: old.metadata.name,
          kind: 'namespaces',
        }),
      );
    }
    if (old.metadata.deletionTimestamp || isDryRun(ctx)) return old;
    return ctx.state.store.update(spec, { ...old, metadata: { ...old.metadata, deletionTimestamp: now }, status: { phase: 'Terminating' } });
  }
  if ((old.metadata.finalizers ?? []).length > 0) {
    if (old.metadata.deletionTimestamp || isDryRun(ctx)) return old;
    return ctx.state.store.update(spec, { ...old, metadata: { ...old.metadata, deletionTimestamp: now, deletionGracePeriodSeconds: 0 } });
  }
  if (isDryRun(ctx)) return old;
  const removed = ctx.state.store.remove(spec, old.metadata.namespace ?? '', old.metadata.name);
  if (spec.kind === 'Pod') ctx.state.logs.forget(old.metadata.namespace ?? '', old.metadata.name);
  return removed ?? 'removed';
}

/** DELETE of a named object: the object (pods, services, namespaces, pending finalizers) or a Success Status. */
export async function handleDelete(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string): Promise<void> {
  const options = await deleteOptions(ctx);
  const old = ctx.state.store.get(spec, namespace, name);
  if (!old) throw notFound(spec, name);
  const result = deleteOne(ctx, spec, old, options);
  const stillThere = result !== 'removed' && ctx.state.store.get(spec, namespace, name) !== undefined;
  if (result !== 'removed' && (spec.deleteReturnsObject || stillThere)) sendObject(ctx, spec, result);
  else writeObject(ctx.req, ctx.res, ctx.url, 200, deleteSuccess(spec, name, old.metadata.uid ?? ''));
}

/** DELETE on a collection: deletes what the selectors match and answers the list of deleted objects. */
export async function handleDeleteCollection(ctx: RequestContext, spec: ResourceSpec, namespace: string): Promise<void> {
  const options = await deleteOptions(ctx);
  const deleted: KubeObject[] = [];
  for (const o of selectObjects(ctx, spec, namespace)) {
    const r = deleteOne(ctx, spec, o, options);
    deleted.push(r === 'removed' ? o : r);
  }
  const items = deleted.map(({ kind: _k, apiVersion: _a, ...rest }) => rest);
  writeObject(ctx.req, ctx.res, ctx.url, 200, {
    kind: `${spec.kind}List`,
    apiVersion: spec.group === '' ? spec.version : `${spec.group}/${spec.version}`,
    metadata: { resourceVersion: String(ctx.state.store.currentResourceVersion()) },
    items,
  });
}
