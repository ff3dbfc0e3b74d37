// The controllers a real control plane runs next to the API server, reduced to what kubectl users
// notice: every namespace gets `kube-root-ca.crt` and the `default` ServiceAccount; a deleted
// namespace is emptied then removed; deleting an owner deletes its dependents (background GC);
// when the cluster has Nodes, new pods are bound and reported Running. Work is deferred with
// setImmediate so watchers always see the triggering event before the reaction.
import type { LogBook } from './log-book.js';
import { kubeTime, type KubeObject, type ObjectStore, type StoreEvent } from './object-store.js';
import { isUnscheduled, runningPod } from './pod-lifecycle.js';
import { findResource, RESOURCES } from './registry.js';
import { startWorkloadControllers, type WorkQueue } from './workload-controller.js';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const SERVICEACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;
const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

/** Creates the queue the controllers share. */
function createWorkQueue(): WorkQueue {
  let pending = new Map<string, () => void>();
  let scheduled: NodeJS.Immediate | undefined;
  let stopped = false;
  const flush = (): void => {
    scheduled = undefined;
    const batch = pending;
    pending = new Map();
    for (const work of batch.values()) if (!stopped) work();
  };
  return {
    enqueue(key, work) {
      if (stopped) return;
      pending.set(key, work);
      scheduled ??= setImmediate(flush);
    },
    async idle() {
      while (scheduled && !stopped) await new Promise((r) => setImmediate(r));
    },
    stop() {
      stopped = true;
      if (scheduled) clearImmediate(scheduled);
    },
  };
}

const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

function setUpNamespace(store: ObjectStore, ns: string, caPem: string): void {
  if (!store.get(NAMESPACES, '', ns) || store.get(NAMESPACES, '', ns)?.metadata.deletionTimestamp) return;
  if (!store.get(CONFIGMAPS, ns, 'kube-root-ca.crt')) {
    store.create(CONFIGMAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt', namespace: ns, annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } },
      data: { 'ca.crt': caPem },
    });
  }
  if (!store.get(SERVICEACCOUNTS, ns, 'default')) {
    store.create(SERVICEACCOUNTS, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } });
  }
}

// Like the namespace controller: delete everything inside; objects holding finalizers only get a
// deletionTimestamp, and the namespace stays Terminating until they are gone.
function finalizeNamespace(store: ObjectStore, logs: LogBook, ns: string, now: Date): void {
  const current = store.get(NAMESPACES, '', ns);
  if (!current?.metadata.deletionTimestamp) return;
  let remaining = 0;
  for (const spec of RESOURCES) {
    if (!spec.stored || !spec.namespaced) continue;
    for (const o of store.list(spec, ns)) {
      if ((o.metadata.finalizers ?? []).length > 0) {
        remaining++;
        if (!o.metadata.deletionTimestamp)
          store.update(spec, { ...o, metadata: { ...o.metadata, deletionTimestamp: kubeTime(now), deletionGracePeriodSeconds: 0 } });
        continue;
      }
      store.remove(spec, ns, o.metadata.name);
      if (spec === PODS) logs.forget(ns, o.metadata.name);
    }
  }
  if (remaining === 0) store.remove(NAMESPACES, '', ns);
}

function collectGarbage(store: ObjectStore, owner: KubeObject): void {
  const uid = owner.metadata.uid;
  for (const spec of RESOURCES) {
    if (!spec.stored) continue;
    const scope = spec.namespaced ? (owner.metadata.namespace ?? '') : '';
    for (const o of store.list(spec, scope)) {
      if ((o.metadata.ownerReferences ?? []).some((r) => r['uid'] === uid)) store.remove(spec, o.metadata.namespace ?? '', o.metadata.name);
    }
  }
}

function schedule(store: ObjectStore, pod: KubeObject, now: Date): void {
  const current = store.get(PODS, pod.metadata.namespace ?? '', pod.metadata.name);
  if (!current || !isUnscheduled(current)) return;
  const nodes = store.list(NODES, '');
  if (nodes.length === 0) return;
  // Spread pods over nodes deterministically by name, like a scheduler would spread them.
  let h = 0;
  for (const ch of current.metadata.name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  store.update(PODS, runningPod(current, nodes[h % nodes.length]!, now));
}

/** Running controllers. */
export interface Controllers {
  /** Resolves when the controllers have reacted to every change so far. */
  settled(): Promise<void>;
  stop(): void;
}

/** Starts the simulated controllers. */
export function startControllers(store: ObjectStore, options: { logs: LogBook; caPem: string; now: () => Date }): Controllers {
  const queue = createWorkQueue();
  const stopWorkloads = startWorkloadControllers(store, queue, options.now);
  const unsubscribe = store.subscribe((e: StoreEvent) => {
    const o = e.object;
    if (e.spec === NAMESPACES) {
      if (e.type === 'ADDED') queue.enqueue(`ns-setup/${o.metadata.name}`, () => setUpNamespace(store, o.metadata.name, options.caPem));
      if (e.type === 'MODIFIED' && o.metadata.deletionTimestamp) {
        queue.enqueue(`ns-finalize/${o.metadata.name}`, () => finalizeNamespace(store, options.logs, o.metadata.name, options.now()));
      }
      return;
    }
    const ns = o.metadata.namespace;
    if (e.type === 'DELETED' && ns && store.get(NAMESPACES, '', ns)?.metadata.deletionTimestamp) {
      queue.enqueue(`ns-finalize/${ns}`, () => finalizeNamespace(store, options.logs, ns, options.now()));
    }
    if (e.type === 'DELETED' && o.metadata.uid) queue.enqueue(`gc/${o.metadata.uid}`, () => collectGarbage(store, o));
    if (e.spec === PODS && e.type === 'ADDED' && isUnscheduled(o)) {
      queue.enqueue(`schedule/${o.metadata.namespace}/${o.metadata.name}`, () => schedule(store, o, options.now()));
    }
  });
  return {
    settled: () => queue.idle(),
    stop() {
      unsubscribe();
      stopWorkloads();
      queue.stop();
    },
  };
}
