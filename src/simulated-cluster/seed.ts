// Initial cluster contents. `empty`: the namespaces every cluster has. `demo`: a small cluster
// for the quickstart and benchmarks, plainly labelled as a hoopctl simulation: two nodes,
// namespaces demo and prod, Deployments whose ReplicaSets and Running pods the simulated
// controllers create, Services, ConfigMaps, the Secret `db-creds` with obvious demo values,
// events and log lines.
import type { Controllers } from './controllers.js';
import { applyDefaults } from './defaults.js';
import { demoLogLine } from './demo-logs.js';
import type { LogBook } from './log-book.js';
import type { KubeObject, ObjectStore } from './object-store.js';
import { resourceForKind } from './registry.js';

/** Which initial contents to load. */
export type SeedName = 'demo' | 'empty';

/** A clock the seed can hold in the past so seeded objects have realistic ages. */
export interface SimClock {
  now(): Date;
  /** While set, now() returns this instant. */
  freeze(at: Date | undefined): void;
}

/** Creates the clock of a server: real time unless frozen. */
export function createSimClock(): SimClock {
  let frozen: Date | undefined;
  return {
    now: () => (frozen ? new Date(frozen) : new Date()),
    freeze: (at) => {
      frozen = at;
    },
  };
}

const SIM_NOTE = 'Simulated by the hoopctl test kube-apiserver: nothing runs here.';
const HOUR = 3600_000;

type SeedObject = { apiVersion: string; kind: string; metadata: Record<string, unknown>; [field: string]: unknown };

function put(store: ObjectStore, o: SeedObject, at: Date): KubeObject {
  const spec = resourceForKind(o.apiVersion, o.kind);
  if (!spec) throw new Error(`seed: no resource for ${o.apiVersion} ${o.kind}`);
  return store.create(spec, applyDefaults(spec, o as unknown as KubeObject), at);
}

function node(name: string, ip: string, controlPlane: boolean): SeedObject {
  const labels: Record<string, string> = {
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'hoopctl.dev/simulated': 'true',
  };
  if (controlPlane) labels['node-role.kubernetes.io/control-plane'] = '';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, annotations: { 'hoopctl.dev/simulation': SIM_NOTE } },
    spec: controlPlane ? { taints: [] } : {},
    status: {
      capacity: { cpu: '4', memory: '16351240Ki', pods: '110' },
      allocatable: { cpu: '4', memory: '16248840Ki', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status (simulated)' }],
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.6',
        osImage: 'hoopctl simulation (no real node)',
        kernelVersion: '6.1.0-hoopctl-sim',
        containerRuntimeVersion: 'containerd://1.7.24',
        architecture: 'amd64',
        operatingSystem: 'linux',
      },
    },
  };
}

function deployment(ns: string, name: string, image: string, replicas: number, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image, ports: [{ containerPort: 8080 }], ...extra }] } },
    },
  };
}

function service(ns: string, name: string, port: number, targetPort: number) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { app: name } },
    spec: { selector: { app: name }, ports: [{ name: 'http', port, targetPort }] },
  };
}

function namespace(name: string, note?: string) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: note ? { name, annotations: { 'hoopctl.dev/simulation': note } } : { name } };
}

/** Loads a seed. Seeded objects are dated in the past; the clock is real time again afterwards. */
export async function loadSeed(seed: SeedName, deps: { store: ObjectStore; logs: LogBook; controllers: Controllers; clock: SimClock }): Promise<void> {
  const { store, logs, controllers, clock } = deps;
  const start = Date.now();
  const at = (hoursAgo: number) => new Date(start - hoursAgo * HOUR);
  try {
    clock.freeze(at(72));
    for (const ns of ['default', 'kube-system', 'kube-public']) put(store, namespace(ns), at(72));
    if (seed === 'empty') {
      await controllers.settled();
      return;
    }
    put(store, node('hoopctl-sim-control-plane', '172.18.0.2', true), at(72));
    put(store, node('hoopctl-sim-worker', '172.18.0.3', false), at(72));
    put(
      store,
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, targetPort: 6443 }] },
      },
      at(72),
    );
    put(store, deployment('kube-system', 'coredns', 'registry.k8s.io/coredns/coredns:v1.11.3', 2), at(72));
    await controllers.settled();

    clock.freeze(at(50));
    put(store, namespace('demo', 'Demo namespace of the hoopctl simulated cluster.'), at(50));
    put(store, namespace('prod', 'Pretend production namespace of the hoopctl simulated cluster (nothing real runs here).'), at(50));
    await controllers.settled();
    put(
      store,
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db-creds', namespace: 'demo' },
        type: 'Opaque',
        stringData: { username: 'demo-user', password: 'demo-password-not-a-real-secret' },
      },
      at(50),
    );
    put(
      store,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'app-config', namespace: 'demo' },
        data: { 'app.conf': 'log_level=info\nfeature_checkout=true\n', greeting: 'hello from the hoopctl demo cluster' },
      },
      at(50),
    );
    put(
      store,
      deployment('demo', 'web', 'nginx:1.27', 2, {
        env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-creds', key: 'password' } } }],
      }),
      at(50),
    );
    put(store, service('demo', 'web', 80, 8080), at(50));
    put(
      store,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'api-config', namespace: 'prod' }, data: { LOG_LEVEL: 'warn', REGION: 'sim-eu-west-1' } },
      at(49),
    );
    put(store, deployment('prod', 'api', 'ghcr.io/example/orders-api:1.4.2', 2), at(49));
    put(store, service('prod', 'api', 80, 8080), at(49));
    put(
      store,
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'nightly-report', namespace: 'prod' },
        spec: {
          schedule: '0 2 * * *',
          jobTemplate: {
            spec: {
              template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'report', image: 'busybox:1.36', command: ['sh', '-c', 'echo report'] }] } },
            },
          },
        },
      },
      at(30),
    );
    await controllers.settled();
  } finally {
    clock.freeze(undefined);
  }
  seedLogsAndEvents(store, logs, start);
}

function seedLogsAndEvents(store: ObjectStore, logs: LogBook, now: number): void {
  const pods = resourceForKind('v1', 'Pod')!;
  const events = resourceForKind('v1', 'Event')!;
  for (const pod of store.list(pods, '')) {
    const app = pod.metadata.labels?.['app'] ?? pod.metadata.labels?.['k8s-app'] ?? '';
    const containers = ((pod['spec'] as { containers?: { name: string }[] }).containers ?? []).map((c) => c.name);
    for (const container of containers) {
      for (let i = 0; i < 20; i++) {
        const time = new Date(now - (20 - i) * 30_000);
        logs.append(
          { namespace: pod.metadata.namespace ?? '', pod: pod.metadata.name, container },
          demoLogLine(app === 'coredns' ? 'kube-dns' : app, i, time),
          time,
        );
      }
    }
    const node = (pod['spec'] as { nodeName?: string }).nodeName ?? '';
    const started = pod.metadata.creationTimestamp ?? null;
    for (const [reason, message] of [
      ['Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`],
      ['Pulled', 'Container image already present on machine (simulated)'],
      ['Started', 'Started container (simulated)'],
    ] as const) {
      store.create(
        events,
        {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `${pod.metadata.name}.${reason.toLowerCase()}`, namespace: pod.metadata.namespace },
          involvedObject: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: 'v1' },
          reason,
          message,
          source: { component: reason === 'Scheduled' ? 'default-scheduler' : 'kubelet', host: reason === 'Scheduled' ? undefined : node },
          firstTimestamp: started,
          lastTimestamp: started,
          count: 1,
          type: 'Normal',
          reportingComponent: reason === 'Scheduled' ? 'default-scheduler' : 'kubelet',
        },
        started ? new Date(started) : undefined,
      );
    }
  }
}
