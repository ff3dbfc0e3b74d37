// Discovery documents generated from the registry, in the shapes kube-apiserver 1.32 serves:
// aggregated discovery (KEP-3352, apidiscovery.k8s.io v2 and v2beta1) for /api and /apis, and the
// legacy APIVersions / APIGroupList / APIGroup / APIResourceList documents.
import { GROUPS, RESOURCES, type ResourceSpec } from './registry.js';

type Doc = Record<string, unknown>;

/** `apidiscovery.k8s.io` versions kubectl asks for (1.27 knows only v2beta1). */
export type AggregatedVersion = 'v2' | 'v2beta1';

function aggregatedResource(r: ResourceSpec): Doc {
  const doc: Doc = {
    resource: r.resource,
    responseKind: { group: '', version: '', kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames) doc['shortNames'] = r.shortNames;
  if (r.categories) doc['categories'] = r.categories;
  if (r.subresources.length > 0) {
    doc['subresources'] = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? '', version: s.version ?? '', kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return doc;
}

function resourcesOf(group: string): ResourceSpec[] {
  return RESOURCES.filter((r) => r.group === group);
}

function aggregatedGroup(group: string): Doc {
  const resources = resourcesOf(group);
  const version = resources[0]?.version ?? 'v1';
  const metadata = group === '' ? { creationTimestamp: null } : { name: group, creationTimestamp: null };
  return {
    metadata,
    versions: [{ version, resources: resources.map(aggregatedResource), freshness: 'Current' }],
  };
}

/** Aggregated discovery for `/api` (core) or `/apis` (every other group). */
export function aggregatedDiscovery(root: 'api' | 'apis', version: AggregatedVersion): Doc {
  const groups = root === 'api' ? [''] : GROUPS;
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map(aggregatedGroup),
  };
}

/** Legacy `/api` answer. */
export function apiVersions(serverAddress: string): Doc {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(group: string): Doc {
  const version = resourcesOf(group)[0]?.version ?? 'v1';
  const gv = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [gv], preferredVersion: gv };
}

/** Legacy `/apis` answer. */
export function apiGroupList(): Doc {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS.map(groupEntry) };
}

/** Legacy `/apis/<group>` answer, or undefined for a group not served. */
export function apiGroup(group: string): Doc | undefined {
  return GROUPS.includes(group) ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) } : undefined;
}

function legacyEntries(r: ResourceSpec): Doc[] {
  const main: Doc = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
  if (r.shortNames) main['shortNames'] = r.shortNames;
  if (r.categories) main['categories'] = r.categories;
  if (r.storageVersionHash) main['storageVersionHash'] = r.storageVersionHash;
  const subs = r.subresources.map((s) => {
    const doc: Doc = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced };
    if (s.group !== undefined) doc['group'] = s.group;
    if (s.version !== undefined) doc['version'] = s.version;
    doc['kind'] = s.kind;
    doc['verbs'] = s.verbs;
    return doc;
  });
  return [main, ...subs];
}

/** Legacy `/api/v1` or `/apis/<group>/<version>` APIResourceList, or undefined when not served. */
export function apiResourceList(group: string, version: string): Doc | undefined {
  const resources = resourcesOf(group).filter((r) => r.version === version);
  if (resources.length === 0) return undefined;
  const head: Doc = group === '' ? { kind: 'APIResourceList' } : { kind: 'APIResourceList', apiVersion: 'v1' };
  return { ...head, groupVersion: group === '' ? version : `${group}/${version}`, resources: resources.flatMap(legacyEntries) };
}
