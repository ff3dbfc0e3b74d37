// The resources this simulated kube-apiserver serves. Discovery documents, routing and the
// store are all derived from this one table, so what discovery advertises is what exists.
// Names, verbs, short names, categories and storage version hashes are those of
// kube-apiserver 1.32 (see fixtures bodies/discovery/).

/** A subresource as advertised by discovery (`pods/log`, `deployments/scale`, …). */
export interface SubresourceSpec {
  name: string;
  kind: string;
  verbs: readonly string[];
  /** Set when the subresource answers a kind of another group (`deployments/scale` → autoscaling/v1). */
  group?: string;
  version?: string;
}

/** One REST resource of the simulated API server. */
export interface ResourceSpec {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  verbs: readonly string[];
  shortNames?: readonly string[];
  categories?: readonly string[];
  storageVersionHash?: string;
  subresources: readonly SubresourceSpec[];
  /** Objects are kept in the store (false for create-only reviews such as SelfSubjectReview). */
  stored: boolean;
  /** metadata.generation is maintained (workloads), as the real strategies do. */
  hasGeneration?: boolean;
  /** DELETE answers the deleted object rather than a Success Status (ReturnDeletedObject in the real registry). */
  deleteReturnsObject?: boolean;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
const STATUS_VERBS = ['get', 'patch', 'update'] as const;
const PROXY_VERBS = ['create', 'delete', 'get', 'patch', 'update'] as const;

function status(kind: string): SubresourceSpec {
  return { name: 'status', kind, verbs: STATUS_VERBS };
}
function scale(): SubresourceSpec {
  return { name: 'scale', kind: 'Scale', verbs: STATUS_VERBS, group: 'autoscaling', version: 'v1' };
}

function stored(spec: Omit<ResourceSpec, 'stored' | 'subresources'> & { subresources?: SubresourceSpec[] }): ResourceSpec {
  return { ...spec, subresources: spec.subresources ?? [], stored: true };
}
function review(group: string, resource: string, kind: string, namespaced = false): ResourceSpec {
  return {
    group,
    version: 'v1',
    resource,
    kind,
    singular: resource.slice(0, -1),
    namespaced,
    verbs: ['create'],
    subresources: [],
    stored: false,
  };
}

/** Every resource served, in discovery order (core first, then groups as kube-apiserver orders them). */
export const RESOURCES: readonly ResourceSpec[] = [
  stored({
    group: '',
    version: 'v1',
    resource: 'configmaps',
    kind: 'ConfigMap',
    singular: 'configmap',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['cm'],
    storageVersionHash: 'qFsyl6wFWjQ=',
  }),
  stored({
    group: '',
    version: 'v1',
    resource: 'events',
    kind: 'Event',
    singular: 'event',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['ev'],
    storageVersionHash: 'r2yiGXH7wu8=',
  }),
  stored({
    group: '',
    version: 'v1',
    resource: 'namespaces',
    kind: 'Namespace',
    singular: 'namespace',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
    storageVersionHash: 'Q3oi5N2YM8M=',
    subresources: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }, status('Namespace')],
    deleteReturnsObject: true,
  }),
  stored({
    group: '',
    version: 'v1',
    resource: 'nodes',
    kind: 'Node',
    singular: 'node',
    namespaced: false,
    verbs: CRUD,
    shortNames: ['no'],
    storageVersionHash: 'XwShjMxG9Fs=',
    subresources: [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: PROXY_VERBS }, status('Node')],
  }),
  stored({
    group: '',
    version: 'v1',
    resource: 'pods',
    kind: 'Pod',
    singular: 'pod',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['po'],
    categories: ['all'],
    storageVersionHash: 'xPOwRZ+Yhw8=',
    subresources: [
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'ephemeralcontainers', kind: 'Pod', verbs: STATUS_VERBS },
      { name: 'eviction', kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'proxy', kind: 'PodProxyOptions', verbs: PROXY_VERBS },
      status('Pod'),
    ],
    deleteReturnsObject: true,
  }),
  stored({
    group: '',
    version: 'v1',
    resource: 'secrets',
    kind: 'Secret',
    singular: 'secret',
    namespaced: true,
    verbs: CRUD,
    storageVersionHash: 'S6u1pOWzb84=',
  }),
  stored({
    group: '',
    version: 'v1',
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    singular: 'serviceaccount',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['sa'],
    storageVersionHash: 'pbx9ZvyFpBE=',
    subresources: [{ name: 'token', kind: 'TokenRequest', verbs: ['create'], group: 'authentication.k8s.io', version: 'v1' }],
  }),
  stored({
    group: '',
    version: 'v1',
    resource: 'services',
    kind: 'Service',
    singular: 'service',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['svc'],
    categories: ['all'],
    storageVersionHash: '0/CO1lhkEBI=',
    subresources: [{ name: 'proxy', kind: 'ServiceProxyOptions', verbs: PROXY_VERBS }, status('Service')],
    deleteReturnsObject: true,
  }),
  stored({
    group: 'apps',
    version: 'v1',
    resource: 'daemonsets',
    kind: 'DaemonSet',
    singular: 'daemonset',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['ds'],
    categories: ['all'],
    storageVersionHash: 'dd7pWHUlMKQ=',
    subresources: [status('DaemonSet')],
    hasGeneration: true,
  }),
  stored({
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    singular: 'deployment',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['deploy'],
    categories: ['all'],
    storageVersionHash: '8aSe+NMegvE=',
    subresources: [scale(), status('Deployment')],
    hasGeneration: true,
  }),
  stored({
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    kind: 'ReplicaSet',
    singular: 'replicaset',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['rs'],
    categories: ['all'],
    storageVersionHash: 'P1RzHs8/mWQ=',
    subresources: [scale(), status('ReplicaSet')],
    hasGeneration: true,
  }),
  stored({
    group: 'apps',
    version: 'v1',
    resource: 'statefulsets',
    kind: 'StatefulSet',
    singular: 'statefulset',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['sts'],
    categories: ['all'],
    storageVersionHash: 'H+vl74LkKdo=',
    subresources: [scale(), status('StatefulSet')],
    hasGeneration: true,
  }),
  review('authentication.k8s.io', 'selfsubjectreviews', 'SelfSubjectReview'),
  review('authorization.k8s.io', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
  review('authorization.k8s.io', 'selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
  stored({
    group: 'batch',
    version: 'v1',
    resource: 'cronjobs',
    kind: 'CronJob',
    singular: 'cronjob',
    namespaced: true,
    verbs: CRUD,
    shortNames: ['cj'],
    categories: ['all'],
    storageVersionHash: 'sd5LIXh4Fjs=',
    subresources: [status('CronJob')],
    hasGeneration: true,
  }),
  stored({
    group: 'batch',
    version: 'v1',
    resource: 'jobs',
    kind: 'Job',
    singular: 'job',
    namespaced: true,
    verbs: CRUD,
    categories: ['all'],
    storageVersionHash: 'mudhfqk/qZY=',
    subresources: [status('Job')],
    hasGeneration: true,
  }),
  stored({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    singular: 'clusterrolebinding',
    namespaced: false,
    verbs: CRUD,
    storageVersionHash: '48tpQ8gZHFc=',
  }),
  stored({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'clusterroles',
    kind: 'ClusterRole',
    singular: 'clusterrole',
    namespaced: false,
    verbs: CRUD,
    storageVersionHash: 'bYE5ZWDrJ44=',
  }),
  stored({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'rolebindings',
    kind: 'RoleBinding',
    singular: 'rolebinding',
    namespaced: true,
    verbs: CRUD,
    storageVersionHash: 'eGsCzGH6b1g=',
  }),
  stored({
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    resource: 'roles',
    kind: 'Role',
    singular: 'role',
    namespaced: true,
    verbs: CRUD,
    storageVersionHash: '7FuwZcIIItM=',
  }),
];

/** API groups other than the core group, in the order `/apis` lists them. */
export const GROUPS: readonly string[] = [...new Set(RESOURCES.map((r) => r.group).filter((g) => g !== ''))];

const byPath = new Map(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.resource}`, r]));
const byKind = new Map(RESOURCES.map((r) => [`${r.group}/${r.kind}`, r]));

/** The resource served at `/api(s)/<group>/<version>/…/<resource>`, if any. */
export function findResource(group: string, version: string, resource: string): ResourceSpec | undefined {
  return byPath.get(`${group}/${version}/${resource}`);
}

/** True when `<group>/<version>` is served (so an unknown resource in it is a JSON 404, not a text one). */
export function isServedGroupVersion(group: string, version: string): boolean {
  return RESOURCES.some((r) => r.group === group && r.version === version);
}

/** The resource of an object's `apiVersion` + `kind` (`apps/v1` + `Deployment`). */
export function resourceForKind(apiVersion: string, kind: string): ResourceSpec | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const spec = byKind.get(`${group}/${kind}`);
  return spec && spec.version === version ? spec : undefined;
}

/** Finds a resource by plural, singular, short name or kind (case-insensitive), like kubectl's resource arguments. */
export function resolveResourceName(nameOrKind: string): ResourceSpec | undefined {
  const n = nameOrKind.toLowerCase();
  return RESOURCES.find((r) => r.resource === n || r.singular === n || r.kind.toLowerCase() === n || r.shortNames?.includes(n));
}

/** `apiVersion` of objects of this resource (`v1`, `apps/v1`). */
export function apiVersionOf(spec: ResourceSpec): string {
  return spec.group === '' ? spec.version : `${spec.group}/${spec.version}`;
}
