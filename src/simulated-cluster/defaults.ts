// Server-side defaulting and normalisation applied on every write, as the real API server's
// defaulters and strategies do (values taken from fixtures 13, 15 and 70), so objects read back
// look like a real cluster's: container defaults, Deployment strategy, Namespace label and
// finalizer, Secret stringData folded into base64 data, Service cluster IPs.
import type { KubeObject } from './object-store.js';
import type { ResourceSpec } from './registry.js';

type Obj = Record<string, any>;

function obj(v: unknown): Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {};
}

function imagePullPolicy(image: string): string {
  const last = image.split('/').pop() ?? image;
  const tagged = last.includes(':') || last.includes('@');
  return !tagged || last.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Obj): Obj {
  const out: Obj = { ...c, resources: c['resources'] ?? {} };
  if (Array.isArray(c['ports'])) out['ports'] = c['ports'].map((p: Obj) => ({ ...p, protocol: p['protocol'] ?? 'TCP' }));
  out['terminationMessagePath'] ??= '/dev/termination-log';
  out['terminationMessagePolicy'] ??= 'File';
  out['imagePullPolicy'] ??= imagePullPolicy(String(c['image'] ?? ''));
  return out;
}

function defaultPodSpec(spec: Obj, isPod: boolean): Obj {
  const out: Obj = { ...spec };
  for (const f of ['containers', 'initContainers']) {
    if (Array.isArray(out[f])) out[f] = out[f].map(defaultContainer);
  }
  out['restartPolicy'] ??= 'Always';
  out['terminationGracePeriodSeconds'] ??= 30;
  out['dnsPolicy'] ??= 'ClusterFirst';
  if (isPod) {
    out['serviceAccountName'] ??= 'default';
    out['serviceAccount'] ??= out['serviceAccountName'];
  }
  out['securityContext'] ??= {};
  out['schedulerName'] ??= 'default-scheduler';
  if (isPod) {
    out['tolerations'] ??= [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ];
    out['priority'] ??= 0;
    out['enableServiceLinks'] ??= true;
    out['preemptionPolicy'] ??= 'PreemptLowerPriority';
  }
  return out;
}

function defaultTemplate(template: unknown): Obj {
  const t = obj(template);
  return {
    ...t,
    metadata: { creationTimestamp: null, ...obj(t['metadata']) },
    spec: defaultPodSpec(obj(t['spec']), false),
  };
}

let nextClusterIp = 1;
let nextNodePort = 30080;
function allocateClusterIp(): string {
  const n = nextClusterIp++;
  return `10.96.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}

function defaultService(o: KubeObject): KubeObject {
  const spec = obj(o['spec']);
  const type = spec['type'] ?? 'ClusterIP';
  const out: Obj = { ...spec, type };
  const needsNodePort = type === 'NodePort' || type === 'LoadBalancer';
  if (Array.isArray(spec['ports'])) {
    out['ports'] = spec['ports'].map((p: Obj) => {
      const port: Obj = { ...p, protocol: p['protocol'] ?? 'TCP', targetPort: p['targetPort'] ?? p['port'] };
      if (needsNodePort) port['nodePort'] ??= nextNodePort++;
      return port;
    });
  }
  if (type !== 'ExternalName') {
    out['clusterIP'] ??= allocateClusterIp();
    out['clusterIPs'] ??= out['clusterIP'] === 'None' ? ['None'] : [out['clusterIP']];
    out['ipFamilies'] ??= ['IPv4'];
    out['ipFamilyPolicy'] ??= 'SingleStack';
    out['internalTrafficPolicy'] ??= 'Cluster';
  }
  out['sessionAffinity'] ??= 'None';
  return { ...o, spec: out, status: o['status'] ?? { loadBalancer: {} } };
}

function foldStringData(o: KubeObject): KubeObject {
  const { stringData, ...rest } = o as KubeObject & { stringData?: Record<string, string> };
  const data: Record<string, string> = { ...obj(rest['data']) };
  for (const [k, v] of Object.entries(stringData ?? {})) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  const out: KubeObject = { ...rest, type: rest['type'] || 'Opaque' };
  if (Object.keys(data).length > 0) out['data'] = data;
  else delete out['data'];
  return out;
}

function deploymentStrategy(strategy: Obj): Obj {
  const type = strategy['type'] ?? 'RollingUpdate';
  if (type !== 'RollingUpdate') return { ...strategy, type };
  return { ...strategy, type, rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%', ...obj(strategy['rollingUpdate']) } };
}

const WORKLOAD_DEFAULTS: Record<string, (spec: Obj) => Obj> = {
  Deployment: (s) => ({
    replicas: 1,
    ...s,
    template: defaultTemplate(s['template']),
    strategy: deploymentStrategy(obj(s['strategy'])),
    revisionHistoryLimit: s['revisionHistoryLimit'] ?? 10,
    progressDeadlineSeconds: s['progressDeadlineSeconds'] ?? 600,
  }),
  ReplicaSet: (s) => ({ replicas: 1, ...s, template: defaultTemplate(s['template']) }),
  StatefulSet: (s) => ({
    replicas: 1,
    ...s,
    template: defaultTemplate(s['template']),
    podManagementPolicy: s['podManagementPolicy'] ?? 'OrderedReady',
    updateStrategy: s['updateStrategy'] ?? { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    revisionHistoryLimit: s['revisionHistoryLimit'] ?? 10,
    persistentVolumeClaimRetentionPolicy: s['persistentVolumeClaimRetentionPolicy'] ?? { whenDeleted: 'Retain', whenScaled: 'Retain' },
  }),
  DaemonSet: (s) => ({
    ...s,
    template: defaultTemplate(s['template']),
    updateStrategy: s['updateStrategy'] ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    revisionHistoryLimit: s['revisionHistoryLimit'] ?? 10,
  }),
  Job: (s) => ({
    parallelism: 1,
    completions: 1,
    backoffLimit: 6,
    completionMode: 'NonIndexed',
    suspend: false,
    ...s,
    template: defaultTemplate(s['template']),
  }),
  CronJob: (s) => ({
    concurrencyPolicy: 'Allow',
    suspend: false,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
    ...s,
    jobTemplate: { ...obj(s['jobTemplate']), spec: WORKLOAD_DEFAULTS['Job']!(obj(obj(s['jobTemplate'])['spec'])) },
  }),
};

/** Applies the defaults of the object's kind; returns a new object. */
export function applyDefaults(spec: ResourceSpec, o: KubeObject): KubeObject {
  switch (spec.kind) {
    case 'Namespace':
      return {
        ...o,
        metadata: { ...o.metadata, labels: { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name } },
        spec: { finalizers: ['kubernetes'], ...obj(o['spec']) },
        status: { phase: 'Active', ...obj(o['status']) },
      };
    case 'Secret':
      return foldStringData(o);
    case 'Pod':
      return { ...o, spec: defaultPodSpec(obj(o['spec']), true), status: o['status'] ?? { phase: 'Pending', qosClass: 'BestEffort' } };
    case 'Service':
      return defaultService(o);
    default: {
      const workload = WORKLOAD_DEFAULTS[spec.kind];
      if (!workload) return o;
      return { ...o, spec: workload(obj(o['spec'])), status: o['status'] ?? {} };
    }
  }
}
