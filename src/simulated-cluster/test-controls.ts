// Back doors for tests: change the cluster as a controller or another client would (every change
// reaches watchers), and push container log lines to `kubectl logs -f` followers.
import { applyDefaults } from './defaults.js';
import type { LogBook } from './log-book.js';
import { orderMeta, type KubeObject, type ObjectStore } from './object-store.js';
import { normalizeObject } from './render.js';
import { findResource, resolveResourceName, resourceForKind, type ResourceSpec } from './registry.js';
import { validateObject } from './validation.js';

/** Names an object: `kind` may be a kind, plural, singular or short name (`ConfigMap`, `configmaps`, `cm`). */
export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const PODS = findResource('', 'v1', 'pods')!;

function specOfRef(ref: ObjectRef): ResourceSpec {
  const spec = resolveResourceName(ref.kind);
  if (!spec || !spec.stored) throw new Error(`kube-api-server: unknown kind ${JSON.stringify(ref.kind)}`);
  return spec;
}

/** Creates or replaces an object (defaults applied, status kept when the new one has none). */
export function applyObject(store: ObjectStore, input: Record<string, unknown>): KubeObject {
  const apiVersion = String(input['apiVersion'] ?? '');
  const kind = String(input['kind'] ?? '');
  const spec = resourceForKind(apiVersion, kind);
  if (!spec || !spec.stored) throw new Error(`kube-api-server: cannot store ${apiVersion} ${kind}`);
  const o = normalizeObject(spec, structuredClone(input));
  const ns = spec.namespaced ? (o.metadata.namespace ?? 'default') : undefined;
  if (ns !== undefined && !store.get(NAMESPACES, '', ns)) throw new Error(`kube-api-server: namespace ${ns} does not exist`);
  const old = store.get(spec, ns ?? '', o.metadata.name);
  const meta = { ...o.metadata };
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation']) delete meta[k];
  if (ns !== undefined) meta.namespace = ns;
  else delete meta.namespace;
  let next: KubeObject = applyDefaults(spec, { ...o, metadata: orderMeta(meta) });
  if (old && next['status'] === undefined && old['status'] !== undefined) next = { ...next, status: old['status'] };
  validateObject(spec, next);
  return old ? store.update(spec, next) : store.create(spec, next);
}

/** Deletes an object at once (no finalizers, no grace period); undefined when it did not exist. */
export function removeObject(store: ObjectStore, logs: LogBook, ref: ObjectRef): KubeObject | undefined {
  const spec = specOfRef(ref);
  const ns = spec.namespaced ? (ref.namespace ?? 'default') : '';
  const removed = store.remove(spec, ns, ref.name);
  if (removed && spec === PODS) logs.forget(ns, ref.name);
  return removed;
}

/** Reads an object, for assertions. */
export function getObject(store: ObjectStore, ref: ObjectRef): KubeObject | undefined {
  const spec = specOfRef(ref);
  return store.get(spec, spec.namespaced ? (ref.namespace ?? 'default') : '', ref.name);
}

/** Appends a log line to a pod's container (its first container by default); the pod must exist. */
export function appendPodLog(store: ObjectStore, logs: LogBook, namespace: string, pod: string, line: string, container?: string): void {
  const p = store.get(PODS, namespace, pod);
  if (!p) throw new Error(`kube-api-server: pod ${namespace}/${pod} does not exist`);
  const first = ((p['spec'] as { containers?: { name: string }[] } | undefined)?.containers ?? [])[0]?.name;
  const name = container ?? first;
  if (!name) throw new Error(`kube-api-server: pod ${namespace}/${pod} has no container`);
  for (const text of line.replace(/\n$/, '').split('\n')) logs.append({ namespace, pod, container: name }, text);
}
