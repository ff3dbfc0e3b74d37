// The common path of every write (create, update, patch, server-side apply): identity checks,
// server-owned metadata, defaulting, validation and managed fields, in the order the real
// registry runs them (BeforeCreate / BeforeUpdate, then the store).
import { randomInt } from 'node:crypto';
import type { RequestContext } from './handler-context.js';
import { defaultManager, recordManager } from './managed-fields.js';
import { orderMeta, type KubeObject, type ObjectMeta } from './object-store.js';
import { applyDefaults } from './defaults.js';
import { apiVersionOf, findResource, type ResourceSpec } from './registry.js';
import { normalizeObject } from './render.js';
import { alreadyExists, badRequest, conflict, namespaceNotFound, namespaceTerminating } from './status.js';
import { validateObject } from './validation.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const NAME_SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** How a write was asked for, for managedFields. */
export interface WriteIntent {
  operation: 'Update' | 'Apply';
  subresource?: string | undefined;
  /** The body was a patch or an apply configuration (it, not the result, is what the manager owns). */
  fromPatch?: boolean;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Checks that a decoded body is an object of this resource and returns it with kind/apiVersion filled in. */
export function asResourceObject(spec: ResourceSpec, body: unknown): KubeObject {
  if (!isObject(body)) throw badRequest(`the object provided is unrecognized (must be of type ${spec.kind})`);
  const apiVersion = body['apiVersion'];
  const kind = body['kind'];
  if (apiVersion !== undefined && apiVersion !== '' && apiVersion !== apiVersionOf(spec)) {
    throw badRequest(`the API version in the data (${String(apiVersion)}) does not match the expected API version (${apiVersionOf(spec)})`);
  }
  if (kind !== undefined && kind !== '' && kind !== spec.kind) {
    throw badRequest(
      `${spec.kind} in version "${spec.version}" cannot be handled as a ${spec.kind}: the kind in the data (${String(kind)}) does not match the expected kind (${spec.kind})`,
    );
  }
  const metadata = isObject(body['metadata']) ? (body['metadata'] as ObjectMeta) : ({} as ObjectMeta);
  return normalizeObject(spec, { ...body, metadata: { ...metadata } });
}

/** The field manager of a write: `?fieldManager=` or the User-Agent's program name. */
function managerOf(ctx: RequestContext): string {
  return ctx.url.searchParams.get('fieldManager') ?? defaultManager(ctx.req.headers['user-agent']);
}

/** True for `?dryRun=All`: the write is computed and answered, never stored. */
export function isDryRun(ctx: RequestContext): boolean {
  return ctx.url.searchParams.getAll('dryRun').includes('All');
}

/** 404 when the namespace does not exist, 403 when it is being deleted (fixture 91). */
function assertNamespaceWritable(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string): void {
  if (!spec.namespaced) return;
  const ns = ctx.state.store.get(NAMESPACES, '', namespace);
  if (!ns) throw namespaceNotFound(namespace);
  if (ns.metadata.deletionTimestamp) throw namespaceTerminating(spec, name, namespace);
}

// Fields the strategy or admission sets after decoding: kube-apiserver does not count them as
// owned by the client (fixtures 13 and 70 show defaulted spec fields owned, these not).
const NOT_OWNED: Record<string, readonly string[]> = {
  Namespace: ['finalizers'],
  Pod: ['tolerations', 'priority', 'preemptionPolicy', 'serviceAccount', 'serviceAccountName'],
};

function ownedFields(spec: ResourceSpec, defaulted: KubeObject): Record<string, unknown> {
  const { status: _s, ...rest } = defaulted;
  const drop = NOT_OWNED[spec.kind];
  if (!drop || typeof rest['spec'] !== 'object' || rest['spec'] === null) return rest;
  const ownedSpec = { ...(rest['spec'] as Record<string, unknown>) };
  for (const f of drop) delete ownedSpec[f];
  return Object.keys(ownedSpec).length > 0 ? { ...rest, spec: ownedSpec } : (({ spec: _x, ...r }) => r)(rest);
}

function finish(ctx: RequestContext, spec: ResourceSpec, o: KubeObject, sent: Record<string, unknown>, intent: WriteIntent): KubeObject {
  const defaulted = applyDefaults(spec, o);
  validateObject(spec, defaulted);
  // A full object (POST, PUT) owns its fields as defaulted at decoding; a patch owns what it sent.
  const owned = intent.fromPatch ? sent : ownedFields(spec, defaulted);
  return recordManager(defaulted, owned, {
    manager: managerOf(ctx),
    operation: intent.operation,
    apiVersion: apiVersionOf(spec),
    time: ctx.state.now(),
    subresource: intent.subresource,
  });
}

/** Builds a new object for POST (or an apply that creates): name from generateName, server metadata cleared. */
export function prepareCreate(ctx: RequestContext, spec: ResourceSpec, namespace: string, incoming: KubeObject, intent: WriteIntent): KubeObject {
  const meta: ObjectMeta = { ...incoming.metadata };
  if (spec.namespaced) {
    if (meta.namespace && meta.namespace !== namespace)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    meta.namespace = namespace;
  } else {
    delete meta.namespace;
  }
  if (!meta.name && meta.generateName) {
    let suffix = '';
    for (let i = 0; i < 5; i++) suffix += NAME_SUFFIX_CHARS[randomInt(NAME_SUFFIX_CHARS.length)];
    meta.name = `${meta.generateName}${suffix}`;
  }
  meta.name ??= '';
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink'])
    delete meta[k];
  const o = normalizeObject(spec, { ...incoming, metadata: orderMeta(meta) });
  if (meta.name) {
    assertNamespaceWritable(ctx, spec, namespace, meta.name);
    const existing = ctx.state.store.get(spec, namespace, meta.name);
    if (existing) {
      if (existing.metadata.deletionTimestamp) {
        const err = alreadyExists(spec, meta.name);
        err.status.message = `object is being deleted: ${err.status.message}`;
        throw err;
      }
      throw alreadyExists(spec, meta.name);
    }
  }
  return finish(ctx, spec, o, incoming, intent);
}

/** Builds the replacement of `old` for PUT, PATCH and apply: server-owned metadata kept, status kept when it has its own subresource. */
export function prepareUpdate(
  ctx: RequestContext,
  spec: ResourceSpec,
  old: KubeObject,
  incoming: KubeObject,
  sent: Record<string, unknown>,
  intent: WriteIntent,
): KubeObject {
  const meta: ObjectMeta = { ...incoming.metadata };
  if (meta.name !== undefined && meta.name !== old.metadata.name) {
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${old.metadata.name})`);
  }
  if (meta.resourceVersion && meta.resourceVersion !== old.metadata.resourceVersion) throw conflict(spec, old.metadata.name);
  const kept: ObjectMeta = {
    ...meta,
    name: old.metadata.name,
    uid: old.metadata.uid,
    creationTimestamp: old.metadata.creationTimestamp,
    // Like kube's field manager: managedFields a request sets replace the live ones (kubectl's
    // client-side → server-side apply migration is a JSON patch of just them, fixture 121); none sent keeps them.
    managedFields:
      meta.managedFields !== undefined && JSON.stringify(meta.managedFields) !== JSON.stringify(old.metadata.managedFields)
        ? meta.managedFields
        : old.metadata.managedFields,
  };
  if (old.metadata.namespace !== undefined) kept.namespace = old.metadata.namespace;
  if (old.metadata.deletionTimestamp) kept.deletionTimestamp = old.metadata.deletionTimestamp;
  if (old.metadata.generation !== undefined) kept.generation = old.metadata.generation;
  const next: Record<string, unknown> = { ...incoming, metadata: orderMeta(kept) };
  const hasStatusSubresource = spec.subresources.some((s) => s.name === 'status');
  if (intent.subresource === 'status') {
    return finish(ctx, spec, normalizeObject(spec, { ...old, status: incoming['status'] }), sent, intent);
  }
  if (hasStatusSubresource) {
    if (old['status'] === undefined) delete next['status'];
    else next['status'] = old['status'];
  }
  return finish(ctx, spec, normalizeObject(spec, next), sent, intent);
}
