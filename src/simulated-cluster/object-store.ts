// The simulated etcd: objects keyed by (group, resource, namespace, name), one global
// monotonically increasing resourceVersion, and a bounded history of changes so a watch can
// resume from a resourceVersion (answering 410 Expired when that is older than the history).
import { randomUUID } from 'node:crypto';
import type { ResourceSpec } from './registry.js';

/** Any Kubernetes object as JSON; fields other than metadata are free-form. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** metav1.ObjectMeta as far as the simulation reads it. */
export interface ObjectMeta {
  name: string;
  generateName?: string | undefined;
  namespace?: string | undefined;
  uid?: string | undefined;
  resourceVersion?: string | undefined;
  generation?: number | undefined;
  creationTimestamp?: string | null | undefined;
  deletionTimestamp?: string | undefined;
  deletionGracePeriodSeconds?: number | undefined;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  ownerReferences?: Record<string, unknown>[] | undefined;
  finalizers?: string[] | undefined;
  managedFields?: Record<string, unknown>[] | undefined;
  [field: string]: unknown;
}

/** A change, as a watch sees it. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  spec: ResourceSpec;
  object: KubeObject;
  resourceVersion: number;
}

/** Storage operations; objects handed out must be treated as immutable (copy before changing). */
export interface ObjectStore {
  /** The newest resourceVersion handed out. */
  currentResourceVersion(): number;
  get(spec: ResourceSpec, namespace: string, name: string): KubeObject | undefined;
  /** Objects sorted by key (`namespace/name`), as etcd returns them; `namespace` '' means all. */
  list(spec: ResourceSpec, namespace: string): KubeObject[];
  /** Stores a new object: fills uid, resourceVersion, creationTimestamp, generation. */
  create(spec: ResourceSpec, object: KubeObject, createdAt?: Date): KubeObject;
  /** Replaces an object, bumping resourceVersion (and generation when anything but metadata/status changed). */
  update(spec: ResourceSpec, object: KubeObject): KubeObject;
  /** Removes an object; the DELETED event carries a new resourceVersion, like etcd's delete revision. */
  remove(spec: ResourceSpec, namespace: string, name: string): KubeObject | undefined;
  subscribe(listener: (event: StoreEvent) => void): () => void;
  /** Changes after `resourceVersion`, or 'expired' when the history no longer reaches back that far. */
  eventsSince(resourceVersion: number): StoreEvent[] | 'expired';
  count(): number;
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// Go encodes ObjectMeta fields in declaration order; kubectl -o yaml sorts anyway, but raw JSON
// consumers (and fixture comparisons) see this order.
const META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

/** ObjectMeta with its keys in Go declaration order (undefined values dropped). */
export function orderMeta(meta: ObjectMeta): ObjectMeta {
  const out: Record<string, unknown> = {};
  for (const k of META_ORDER) if (meta[k] !== undefined) out[k] = meta[k];
  for (const [k, v] of Object.entries(meta)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as ObjectMeta;
}

function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

function specPart(o: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

/** Creates an empty store; `now` is the clock used for creationTimestamp. */
export function createObjectStore(options: { now?: () => Date; historySize?: number } = {}): ObjectStore {
  const now = options.now ?? (() => new Date());
  const historySize = options.historySize ?? 10_000;
  const tables = new Map<ResourceSpec, Map<string, KubeObject>>();
  const sortedKeys = new Map<ResourceSpec, string[]>();
  const listeners = new Set<(event: StoreEvent) => void>();
  let history: StoreEvent[] = [];
  let compactedThrough = 0;
  let rv = 0;

  function table(spec: ResourceSpec): Map<string, KubeObject> {
    let t = tables.get(spec);
    if (!t) {
      t = new Map();
      tables.set(spec, t);
    }
    return t;
  }

  function emit(event: StoreEvent): void {
    history.push(event);
    if (history.length > historySize) {
      const dropped = history.length - Math.floor(historySize / 2);
      compactedThrough = history[dropped - 1]!.resourceVersion;
      history = history.slice(dropped);
    }
    for (const l of listeners) l(event);
  }

  function withMeta(object: KubeObject, patch: Partial<ObjectMeta>): KubeObject {
    return { ...object, metadata: orderMeta({ ...object.metadata, ...patch }) };
  }

  function create(spec: ResourceSpec, object: KubeObject, createdAt?: Date): KubeObject {
    rv += 1;
    const meta: Partial<ObjectMeta> = {
      uid: object.metadata.uid ?? randomUUID(),
      resourceVersion: String(rv),
      creationTimestamp: kubeTime(createdAt ?? now()),
    };
    if (spec.hasGeneration) meta.generation = 1;
    const stored = withMeta(object, meta);
    const key = keyOf(spec.namespaced ? stored.metadata.namespace : undefined, stored.metadata.name);
    table(spec).set(key, stored);
    sortedKeys.delete(spec);
    emit({ type: 'ADDED', spec, object: stored, resourceVersion: rv });
    return stored;
  }

  return {
    currentResourceVersion: () => rv,
    get(spec, namespace, name) {
      return tables.get(spec)?.get(keyOf(spec.namespaced ? namespace : undefined, name));
    },
    list(spec, namespace) {
      const t = tables.get(spec);
      if (!t) return [];
      let keys = sortedKeys.get(spec);
      if (!keys) {
        keys = [...t.keys()].sort();
        sortedKeys.set(spec, keys);
      }
      const out: KubeObject[] = [];
      if (namespace === '' || !spec.namespaced) {
        for (const k of keys) out.push(t.get(k)!);
      } else {
        const prefix = `${namespace}/`;
        for (const k of keys) if (k.startsWith(prefix)) out.push(t.get(k)!);
      }
      return out;
    },
    create,
    update(spec, object) {
      const key = keyOf(spec.namespaced ? object.metadata.namespace : undefined, object.metadata.name);
      const old = table(spec).get(key);
      if (!old) return create(spec, object);
      rv += 1;
      const meta: Partial<ObjectMeta> = {
        resourceVersion: String(rv),
        uid: old.metadata.uid,
        creationTimestamp: old.metadata.creationTimestamp,
      };
      if (spec.hasGeneration) {
        const gen = old.metadata.generation ?? 1;
        meta.generation = specPart(old) === specPart(object) ? gen : gen + 1;
      }
      const stored = withMeta(object, meta);
      table(spec).set(key, stored);
      emit({ type: 'MODIFIED', spec, object: stored, resourceVersion: rv });
      return stored;
    },
    remove(spec, namespace, name) {
      const key = keyOf(spec.namespaced ? namespace : undefined, name);
      const t = tables.get(spec);
      const old = t?.get(key);
      if (!t || !old) return undefined;
      t.delete(key);
      sortedKeys.delete(spec);
      rv += 1;
      const gone = withMeta(old, { resourceVersion: String(rv) });
      emit({ type: 'DELETED', spec, object: gone, resourceVersion: rv });
      return gone;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    eventsSince(since) {
      if (since < compactedThrough) return 'expired';
      let lo = 0;
      let hi = history.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (history[mid]!.resourceVersion <= since) lo = mid + 1;
        else hi = mid;
      }
      return history.slice(lo);
    },
    count() {
      let n = 0;
      for (const t of tables.values()) n += t.size;
      return n;
    },
  };
}
