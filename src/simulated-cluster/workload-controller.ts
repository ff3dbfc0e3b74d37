// Deployment and ReplicaSet controllers, reduced: a Deployment owns one ReplicaSet per pod
// template (`<name>-<pod-template-hash>`, older ones scaled to 0), a ReplicaSet keeps
// `spec.replicas` pods named `<rs>-<5 chars>`, and both report status from their pods. Active only
// when the cluster has Nodes (the demo seed), since without them no pod could ever run.
import { createHash, randomInt } from 'node:crypto';
import { applyDefaults } from './defaults.js';
import { kubeTime, type KubeObject, type ObjectStore } from './object-store.js';
import { findResource } from './registry.js';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const REPLICASETS = findResource('apps', 'v1', 'replicasets')!;
const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

type Obj = Record<string, any>;

/** The pod-template-hash label value of a pod template (same alphabet as the real one). */
function podTemplateHash(template: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(template)).digest();
  let out = '';
  for (let i = 0; i < 10; i++) out += SAFE[digest[i]! % SAFE.length];
  return out;
}

function ownedBy(o: KubeObject, owner: KubeObject): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r['uid'] === owner.metadata.uid);
}

function ownerRef(owner: KubeObject): Record<string, unknown> {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

function isReady(pod: KubeObject): boolean {
  return ((pod['status'] as Obj | undefined)?.['conditions'] ?? []).some((c: Obj) => c['type'] === 'Ready' && c['status'] === 'True');
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function reconcileReplicaSet(store: ObjectStore, ns: string, name: string): void {
  const rs = store.get(REPLICASETS, ns, name);
  if (!rs || rs.metadata.deletionTimestamp || store.list(NODES, '').length === 0) return;
  const spec = rs['spec'] as Obj;
  const want = Number(spec['replicas'] ?? 1);
  let pods = store.list(PODS, ns).filter((p) => ownedBy(p, rs) && !p.metadata.deletionTimestamp);
  for (let i = pods.length; i < want; i++) {
    let suffix = '';
    for (let j = 0; j < 5; j++) suffix += SAFE[randomInt(SAFE.length)];
    const template = (spec['template'] ?? {}) as Obj;
    store.create(
      PODS,
      applyDefaults(PODS, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${name}-${suffix}`, namespace: ns, labels: { ...(template['metadata']?.['labels'] ?? {}) }, ownerReferences: [ownerRef(rs)] },
        spec: template['spec'] ?? {},
      }),
    );
  }
  for (const extra of pods.slice(want).reverse()) store.remove(PODS, ns, extra.metadata.name);
  pods = store.list(PODS, ns).filter((p) => ownedBy(p, rs) && !p.metadata.deletionTimestamp);
  const ready = pods.filter(isReady).length;
  const status: Obj = {
    replicas: pods.length,
    fullyLabeledReplicas: pods.length,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: rs.metadata.generation ?? 1,
  };
  if (!sameJson(rs['status'], status)) store.update(REPLICASETS, { ...rs, status });
}

function reconcileDeployment(store: ObjectStore, ns: string, name: string, now: Date): void {
  const d = store.get(DEPLOYMENTS, ns, name);
  if (!d || d.metadata.deletionTimestamp || store.list(NODES, '').length === 0) return;
  const spec = d['spec'] as Obj;
  const replicas = Number(spec['replicas'] ?? 1);
  const template = (spec['template'] ?? {}) as Obj;
  const hash = podTemplateHash(template);
  const owned = store.list(REPLICASETS, ns).filter((rs) => ownedBy(rs, d));
  const revisions = owned.map((rs) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0));
  let current = owned.find((rs) => rs.metadata.labels?.['pod-template-hash'] === hash);
  if (!current) {
    const labels = { ...(template['metadata']?.['labels'] ?? {}), 'pod-template-hash': hash };
    current = store.create(REPLICASETS, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${name}-${hash}`,
        namespace: ns,
        labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(replicas),
          'deployment.kubernetes.io/max-replicas': String(replicas + 1),
          'deployment.kubernetes.io/revision': String(Math.max(0, ...revisions) + 1),
        },
        ownerReferences: [ownerRef(d)],
      },
      spec: {
        replicas,
        selector: { matchLabels: { ...(spec['selector']?.['matchLabels'] ?? {}), 'pod-template-hash': hash } },
        template: { ...template, metadata: { ...(template['metadata'] ?? {}), labels } },
      },
      status: { replicas: 0 },
    });
  } else if ((current['spec'] as Obj)['replicas'] !== replicas) {
    current = store.update(REPLICASETS, { ...current, spec: { ...(current['spec'] as Obj), replicas } });
  }
  for (const old of owned) {
    if (old !== current && old.metadata.uid !== current.metadata.uid && (old['spec'] as Obj)['replicas'] !== 0) {
      store.update(REPLICASETS, { ...old, spec: { ...(old['spec'] as Obj), replicas: 0 } });
    }
  }
  const all = store.list(REPLICASETS, ns).filter((rs) => ownedBy(rs, d));
  const sum = (f: string) => all.reduce((n, rs) => n + Number((rs['status'] as Obj | undefined)?.[f] ?? 0), 0);
  const updated = Number((current['status'] as Obj | undefined)?.['replicas'] ?? 0);
  const available = sum('availableReplicas');
  const old = (d['status'] ?? {}) as Obj;
  const condition = (type: string, ok: boolean, reason: string, message: string): Obj => {
    const prev = (old['conditions'] ?? []).find((c: Obj) => c['type'] === type);
    const status = ok ? 'True' : 'False';
    const since = prev && prev['status'] === status ? prev['lastTransitionTime'] : kubeTime(now);
    return { type, status, lastUpdateTime: prev && prev['status'] === status ? prev['lastUpdateTime'] : since, lastTransitionTime: since, reason, message };
  };
  const status: Obj = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: sum('replicas'),
    updatedReplicas: updated,
    readyReplicas: sum('readyReplicas'),
    availableReplicas: available,
    conditions: [
      condition(
        'Available',
        available >= replicas,
        available >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        available >= replicas ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
      ),
      condition('Progressing', true, 'NewReplicaSetAvailable', `ReplicaSet "${current.metadata.name}" has successfully progressed.`),
    ],
  };
  if (available < replicas) status['unavailableReplicas'] = replicas - available;
  const revision = current.metadata.annotations?.['deployment.kubernetes.io/revision'];
  const annotations = revision ? { ...d.metadata.annotations, 'deployment.kubernetes.io/revision': revision } : d.metadata.annotations;
  if (!sameJson(old, status) || !sameJson(annotations, d.metadata.annotations)) {
    store.update(DEPLOYMENTS, { ...d, metadata: { ...d.metadata, annotations }, status });
  }
}

/** Subscribes the Deployment and ReplicaSet controllers; returns the unsubscribe function. */
export function startWorkloadControllers(store: ObjectStore, queue: WorkQueue, now: () => Date): () => void {
  const ownerKey = (o: KubeObject, kind: string): string | undefined => {
    const ref = (o.metadata.ownerReferences ?? []).find((r) => r['kind'] === kind && r['controller'] === true);
    return ref ? String(ref['name']) : undefined;
  };
  return store.subscribe((e) => {
    const o = e.object;
    const ns = o.metadata.namespace ?? '';
    if (e.spec === DEPLOYMENTS && e.type !== 'DELETED') {
      queue.enqueue(`deploy/${ns}/${o.metadata.name}`, () => reconcileDeployment(store, ns, o.metadata.name, now()));
    } else if (e.spec === REPLICASETS) {
      if (e.type !== 'DELETED') queue.enqueue(`rs/${ns}/${o.metadata.name}`, () => reconcileReplicaSet(store, ns, o.metadata.name));
      const d = ownerKey(o, 'Deployment');
      if (d) queue.enqueue(`deploy/${ns}/${d}`, () => reconcileDeployment(store, ns, d, now()));
    } else if (e.spec === PODS) {
      const rs = ownerKey(o, 'ReplicaSet');
      if (rs) queue.enqueue(`rs/${ns}/${rs}`, () => reconcileReplicaSet(store, ns, rs));
    }
  });
}

/** Runs deferred, coalesced work items (one per key per turn of the event loop). */
export interface WorkQueue {
  enqueue(key: string, work: () => void): void;
  /** Resolves once no work is pending (work may enqueue more work). */
  idle(): Promise<void>;
  stop(): void;
}
