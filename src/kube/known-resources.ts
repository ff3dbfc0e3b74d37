/** The built-in resources kubectl users name most, with their short names, for turning kubectl words into API paths. */

/** One API resource as discovery would describe it. */
export interface KnownResource {
  resource: string;
  group: string;
  version: string;
  namespaced: boolean;
  /** Singular, short names and kinds people type (`po`, `pod`, `Pod`). */
  aliases: string[];
}

const r = (resource: string, group: string, version: string, namespaced: boolean, ...aliases: string[]): KnownResource => ({
  resource,
  group,
  version,
  namespaced,
  aliases,
});

/** Resources of a stock kube-apiserver 1.32 (see fixtures bodies/discovery), the subset kubectl users touch. */
export const KNOWN_RESOURCES: readonly KnownResource[] = [
  r('pods', '', 'v1', true, 'po', 'pod'),
  r('services', '', 'v1', true, 'svc', 'service'),
  r('configmaps', '', 'v1', true, 'cm', 'configmap'),
  r('secrets', '', 'v1', true, 'secret'),
  r('namespaces', '', 'v1', false, 'ns', 'namespace'),
  r('nodes', '', 'v1', false, 'no', 'node'),
  r('events', '', 'v1', true, 'ev', 'event'),
  r('endpoints', '', 'v1', true, 'ep'),
  r('serviceaccounts', '', 'v1', true, 'sa', 'serviceaccount'),
  r('persistentvolumeclaims', '', 'v1', true, 'pvc', 'persistentvolumeclaim'),
  r('persistentvolumes', '', 'v1', false, 'pv', 'persistentvolume'),
  r('resourcequotas', '', 'v1', true, 'quota', 'resourcequota'),
  r('limitranges', '', 'v1', true, 'limits', 'limitrange'),
  r('deployments', 'apps', 'v1', true, 'deploy', 'deployment'),
  r('replicasets', 'apps', 'v1', true, 'rs', 'replicaset'),
  r('statefulsets', 'apps', 'v1', true, 'sts', 'statefulset'),
  r('daemonsets', 'apps', 'v1', true, 'ds', 'daemonset'),
  r('jobs', 'batch', 'v1', true, 'job'),
  r('cronjobs', 'batch', 'v1', true, 'cj', 'cronjob'),
  r('horizontalpodautoscalers', 'autoscaling', 'v2', true, 'hpa', 'horizontalpodautoscaler'),
  r('ingresses', 'networking.k8s.io', 'v1', true, 'ing', 'ingress'),
  r('networkpolicies', 'networking.k8s.io', 'v1', true, 'netpol', 'networkpolicy'),
  r('poddisruptionbudgets', 'policy', 'v1', true, 'pdb', 'poddisruptionbudget'),
  r('roles', 'rbac.authorization.k8s.io', 'v1', true, 'role'),
  r('rolebindings', 'rbac.authorization.k8s.io', 'v1', true, 'rolebinding'),
  r('clusterroles', 'rbac.authorization.k8s.io', 'v1', false, 'clusterrole'),
  r('clusterrolebindings', 'rbac.authorization.k8s.io', 'v1', false, 'clusterrolebinding'),
  r('storageclasses', 'storage.k8s.io', 'v1', false, 'sc', 'storageclass'),
  r('customresourcedefinitions', 'apiextensions.k8s.io', 'v1', false, 'crd', 'crds', 'customresourcedefinition'),
  r('leases', 'coordination.k8s.io', 'v1', true, 'lease'),
];

/**
 * Finds a resource by name, alias or kind (case-insensitive), also in `resource.group` form.
 * An unknown `plural.group` is taken as a namespaced v1 custom resource, as kubectl would find it by discovery.
 */
export function findResource(word: string): KnownResource | undefined {
  const w = word.toLowerCase();
  const dot = w.indexOf('.');
  const head = dot === -1 ? w : w.slice(0, dot);
  const group = dot === -1 ? undefined : w.slice(dot + 1);
  const known = KNOWN_RESOURCES.find((k) => (k.resource === head || k.aliases.includes(head)) && (group === undefined || k.group === group));
  if (known !== undefined) return known;
  if (group !== undefined && group.includes('.')) return r(head, group, 'v1', true);
  return undefined;
}
