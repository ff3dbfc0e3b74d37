// metadata.managedFields bookkeeping (server-side apply's field ownership, KEP-555) in a
// schema-less approximation: the FieldsV1 set of a manager is the set of fields it sent.
import { kubeTime, type KubeObject } from './object-store.js';

type Obj = Record<string, unknown>;

// Map-typed fields get a "." entry in FieldsV1 (structs do not); without schemas we list them.
const MAP_FIELDS = new Set([
  'labels',
  'annotations',
  'data',
  'stringData',
  'binaryData',
  'matchLabels',
  'nodeSelector',
  'rollingUpdate',
  'resources',
  'limits',
  'requests',
]);
const LIST_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  conditions: 'type',
  ports: 'containerPort',
};

function isMap(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function fieldSet(value: unknown, field: string): Obj {
  if (isMap(value)) {
    const out: Obj = MAP_FIELDS.has(field) ? { '.': {} } : {};
    for (const [k, v] of Object.entries(value)) out[`f:${k}`] = fieldSet(v, k);
    return out;
  }
  if (Array.isArray(value)) {
    const key = field === 'ports' && value.some((p) => isMap(p) && !('containerPort' in p)) ? 'port' : LIST_KEYS[field];
    if (!key) return {};
    const out: Obj = {};
    for (const item of value) {
      if (isMap(item) && key in item) out[`k:${JSON.stringify({ [key]: item[key] })}`] = { '.': {}, ...fieldSet(item, '') };
    }
    return out;
  }
  return {};
}

/** The FieldsV1 of what a client sent: top-level fields, plus labels/annotations under f:metadata. */
function fieldsV1Of(sent: Obj): Obj {
  const out: Obj = {};
  const meta = isMap(sent['metadata']) ? sent['metadata'] : {};
  const metaOut: Obj = {};
  for (const f of ['labels', 'annotations']) if (isMap(meta[f])) metaOut[`f:${f}`] = fieldSet(meta[f], f);
  if (Object.keys(metaOut).length > 0) out['f:metadata'] = metaOut;
  for (const [k, v] of Object.entries(sent)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata' || k === 'status') continue;
    out[`f:${k}`] = fieldSet(v, k);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/** Records `manager` as owner of the fields it sent, replacing its previous entry. */
export function recordManager(
  o: KubeObject,
  sent: Obj,
  entry: { manager: string; operation: 'Update' | 'Apply'; apiVersion: string; time: Date; subresource?: string | undefined },
): KubeObject {
  const fields = fieldsV1Of(sent);
  const others = (o.metadata.managedFields ?? []).filter(
    (m) => !(m['manager'] === entry.manager && m['operation'] === entry.operation && m['subresource'] === entry.subresource),
  );
  if (Object.keys(fields).length === 0) return { ...o, metadata: { ...o.metadata, managedFields: others.length > 0 ? others : undefined } };
  const record: Obj = {
    manager: entry.manager,
    operation: entry.operation,
    apiVersion: entry.apiVersion,
    time: kubeTime(entry.time),
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
  };
  if (entry.subresource) record['subresource'] = entry.subresource;
  return { ...o, metadata: { ...o.metadata, managedFields: [...others, record] } };
}

/** The default field manager kube-apiserver derives from the User-Agent (`kubectl.1.32/v1.32.5 …` → `kubectl.1.32`). */
export function defaultManager(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const head = ua.split('/')[0] ?? '';
  return head.length > 0 ? head.slice(0, 128) : 'unknown';
}
