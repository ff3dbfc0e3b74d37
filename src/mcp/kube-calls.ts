/**
 * Kubernetes API calls of the MCP tools, as plain requests (method, path, body) for a session: they
 * go to the gateway's `/k8s/<connection>` with the session credential, so the gateway's policy,
 * masking and audit apply to every one. Building them is pure; sending is the caller's (McpBackend).
 */
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { HoopError } from '../errors.js';
import { findResource, type KnownResource } from '../kube/known-resources.js';

/** One request to the Kubernetes API (path relative to the connection's API root). */
export interface KubeCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  body?: string;
  contentType?: string;
}

/** The answer, unparsed. */
export interface KubeAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** Field manager of server-side apply (KEP-555), so changes made by agents are attributable in managedFields. */
export const FIELD_MANAGER = 'hoopctl-mcp';

function resourceOf(word: string): KnownResource {
  const r = findResource(word);
  if (r === undefined)
    throw new HoopError('usage', `unknown resource ${JSON.stringify(word)} (use a plural name like pods, deployments, or plural.group for custom resources)`);
  return r;
}

function segment(value: string, what: string): string {
  // Names go into the path: refuse anything that could change it (the gateway refuses non-canonical paths anyway).
  if (value === '' || value.includes('/') || value === '.' || value === '..')
    throw new HoopError('usage', `${what} ${JSON.stringify(value)} is not a valid name`);
  return encodeURIComponent(value);
}

/** Collection path of a resource, e.g. `/apis/apps/v1/namespaces/demo/deployments`. */
export function collectionPath(r: Pick<KnownResource, 'group' | 'version' | 'namespaced' | 'resource'>, namespace: string | undefined): string {
  const root = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  if (!r.namespaced || namespace === undefined) return `${root}/${r.resource}`;
  return `${root}/namespaces/${segment(namespace, 'namespace')}/${r.resource}`;
}

/** Path of one object (namespaced resources need a namespace). */
export function objectPath(resource: string, name: string, namespace: string | undefined): string {
  const r = resourceOf(resource);
  if (r.namespaced && namespace === undefined) throw new HoopError('usage', `${r.resource} are namespaced: give a namespace`);
  return `${collectionPath(r, namespace)}/${segment(name, 'name')}`;
}

/** GET of a list, optionally filtered by a label selector. */
export function listCall(resource: string, namespace: string | undefined, labelSelector?: string): KubeCall {
  const r = resourceOf(resource);
  return { method: 'GET', path: collectionPath(r, namespace), ...(labelSelector === undefined ? {} : { query: { labelSelector } }) };
}

/** GET of one object. */
export function getCall(resource: string, name: string, namespace: string | undefined): KubeCall {
  return { method: 'GET', path: objectPath(resource, name, namespace) };
}

/** Events about one object (what `kubectl describe` shows at its end). */
export function eventsCall(name: string, namespace: string): KubeCall {
  return { method: 'GET', path: `/api/v1/namespaces/${segment(namespace, 'namespace')}/events`, query: { fieldSelector: `involvedObject.name=${name}` } };
}

/** `pods/log` of a pod. */
export function logsCall(pod: string, namespace: string, options: { container?: string; tailLines?: number }): KubeCall {
  const query: Record<string, string> = {};
  if (options.container !== undefined) query.container = options.container;
  if (options.tailLines !== undefined) query.tailLines = String(options.tailLines);
  return { method: 'GET', path: `${objectPath('pods', pod, namespace)}/log`, query };
}

/** DELETE of one object. */
export function deleteCall(resource: string, name: string, namespace: string | undefined): KubeCall {
  return { method: 'DELETE', path: objectPath(resource, name, namespace) };
}

/** PATCH of the `scale` subresource (deployments, statefulsets, replicasets). */
export function scaleCall(resource: string, name: string, namespace: string, replicas: number): KubeCall {
  return {
    method: 'PATCH',
    path: `${objectPath(resource, name, namespace)}/scale`,
    contentType: 'application/merge-patch+json',
    body: JSON.stringify({ spec: { replicas } }),
  };
}

/** Server-side apply calls, one per document of a YAML or JSON manifest (https://kubernetes.io/docs/reference/using-api/server-side-apply/). */
export function applyCalls(manifest: string, defaultNamespace: string | undefined): { call: KubeCall; what: string }[] {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(manifest)
      .map((d) => {
        if (d.errors.length > 0) throw d.errors[0]!;
        return d.toJS() as unknown;
      })
      .filter((d) => d !== null && d !== undefined);
  } catch (e) {
    // A JSON manifest is YAML too; this only fails on text that is neither.
    try {
      docs = [parseYaml(manifest) as unknown];
    } catch {
      throw new HoopError('usage', `the manifest is not YAML or JSON: ${(e as Error).message}`);
    }
  }
  if (docs.length === 0) throw new HoopError('usage', 'the manifest holds no object');
  return docs.map((doc, i) => {
    const o = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
    if (typeof o !== 'object' || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') {
      throw new HoopError('usage', `document ${i + 1} of the manifest needs apiVersion, kind and metadata.name`);
    }
    const slash = o.apiVersion.indexOf('/');
    const group = slash === -1 ? '' : o.apiVersion.slice(0, slash);
    const version = slash === -1 ? o.apiVersion : o.apiVersion.slice(slash + 1);
    const known = findResource(o.kind);
    if (known === undefined || known.group !== group)
      throw new HoopError('usage', `kind ${o.kind} (${o.apiVersion}) is not one hoopctl mcp knows how to apply`);
    const namespace = known.namespaced ? (typeof o.metadata.namespace === 'string' ? o.metadata.namespace : defaultNamespace) : undefined;
    if (known.namespaced && namespace === undefined)
      throw new HoopError('usage', `${o.kind} ${o.metadata.name} needs a namespace (metadata.namespace or the namespace argument)`);
    const body = { ...o, metadata: { ...o.metadata, ...(namespace === undefined ? {} : { namespace }) } };
    return {
      what: `${known.resource}/${o.metadata.name}${namespace === undefined ? '' : ` in ${namespace}`}`,
      call: {
        method: 'PATCH' as const,
        path: `${collectionPath({ ...known, version }, namespace)}/${segment(o.metadata.name, 'name')}`,
        query: { fieldManager: FIELD_MANAGER },
        contentType: 'application/apply-patch+yaml',
        body: JSON.stringify(body),
      },
    };
  });
}

/** The message of a Kubernetes `Status` answer (how the gateway refuses), else the text itself, shortened. */
export function statusMessage(answer: KubeAnswer): string {
  try {
    const s = JSON.parse(answer.text) as { kind?: unknown; message?: unknown };
    if (s.kind === 'Status' && typeof s.message === 'string') return s.message;
  } catch {
    /* not JSON */
  }
  return answer.text.length > 500 ? `${answer.text.slice(0, 500)}…` : answer.text;
}

/** A short line per object of a list: name, namespace, and the status fields people look at first. */
export function summarizeList(list: unknown): string[] {
  const items = (list as { items?: unknown[] } | null)?.items;
  if (!Array.isArray(items)) return [];
  return items.map((it) => {
    const o = it as { metadata?: { name?: string; namespace?: string }; status?: Record<string, unknown>; spec?: Record<string, unknown> };
    const parts = [o.metadata?.namespace === undefined ? (o.metadata?.name ?? '?') : `${o.metadata.namespace}/${o.metadata.name ?? '?'}`];
    if (typeof o.status?.phase === 'string') parts.push(`phase=${o.status.phase}`);
    if (typeof o.spec?.replicas === 'number')
      parts.push(`replicas=${typeof o.status?.readyReplicas === 'number' ? o.status.readyReplicas : 0}/${o.spec.replicas} ready`);
    return parts.join('  ');
  });
}
