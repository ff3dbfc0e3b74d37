// The four PATCH content types kube-apiserver accepts. JSON merge patch (RFC 7386) and JSON patch
// (RFC 6902) are exact. Strategic merge patch is an approximation without OpenAPI schemas: lists
// are merged by the merge keys the built-in types declare (containers by name, env by name, …),
// directives ($patch, $retainKeys, $setElementOrder, $deleteFromPrimitiveList) are honoured.
import { ApiError, failure } from './status.js';

type Json = unknown;
type JsonMap = Record<string, unknown>;

function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isMap(patch)) return patch;
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** One RFC 6902 operation. */
export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

function patchError(message: string): ApiError {
  return new ApiError(failure(422, 'Invalid', message));
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw patchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, parts: string[]): { parent: JsonMap | Json[]; key: string } {
  let cur: Json = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isMap(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw patchError(`doc is missing path: ${'/' + parts.join('/')}`);
  }
  if (!Array.isArray(cur) && !isMap(cur)) throw patchError(`doc is missing path: ${'/' + parts.join('/')}`);
  return { parent: cur, key: parts[parts.length - 1]! };
}

function getAt(doc: Json, path: string): Json {
  let cur: Json = doc;
  for (const p of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isMap(cur) ? cur[p] : undefined;
    if (cur === undefined) throw patchError(`doc is missing path: ${path}`);
  }
  return cur;
}

function removeAt(doc: Json, path: string): Json {
  const { parent, key } = parentOf(doc, pointer(path));
  if (Array.isArray(parent)) return parent.splice(Number(key), 1)[0];
  if (!(key in parent)) throw patchError(`unable to remove nonexistent key: ${key}: missing value`);
  const v = parent[key];
  delete parent[key];
  return v;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const { parent, key } = parentOf(doc, parts);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw patchError(`invalid index ${key}`);
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
  } else {
    if (replace && !(key in parent)) throw patchError(`replace operation does not apply: doc is missing key: ${path}`);
    parent[key] = value;
  }
  return doc;
}

/** RFC 6902 JSON patch, applied to a copy. */
export function applyJsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw patchError('json patch must be an array of operations');
  let doc = structuredClone(target);
  for (const op of ops as JsonPatchOperation[]) {
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, structuredClone(op.value), false);
        break;
      case 'replace':
        doc = addAt(doc, op.path, structuredClone(op.value), true);
        break;
      case 'remove':
        removeAt(doc, op.path);
        break;
      case 'move':
        doc = addAt(doc, op.path, removeAt(doc, op.from ?? ''), false);
        break;
      case 'copy':
        doc = addAt(doc, op.path, structuredClone(getAt(doc, op.from ?? '')), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) throw patchError(`testing value ${op.path} failed`);
        break;
      default:
        throw patchError(`Unexpected kind: ${String((op as { op?: unknown }).op)}`);
    }
  }
  return doc;
}

// patchMergeKey of the list fields of built-in types (k8s.io/api types.go struct tags).
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
  resourceClaims: 'name',
  schedulingGates: 'name',
  secrets: 'name',
  addresses: 'type',
  podIPs: 'ip',
  topologySpreadConstraints: 'topologyKey',
};
// Primitive lists declared patchStrategy:"merge".
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

function mergeKeyFor(field: string, original: Json[], patch: Json[]): string | undefined {
  if (field === 'ports') {
    const sample = [...patch, ...original].find(isMap);
    return sample && 'containerPort' in sample ? 'containerPort' : 'port';
  }
  return MERGE_KEYS[field];
}

function mergeList(field: string, original: Json, patch: Json[]): Json {
  const orig = Array.isArray(original) ? original : [];
  if (patch.some((p) => isMap(p) && p['$patch'] === 'replace')) {
    return patch.filter((p) => !(isMap(p) && p['$patch'] === 'replace'));
  }
  const key = mergeKeyFor(field, orig, patch);
  if (key && patch.every(isMap)) {
    const out = orig.map((o) => (isMap(o) ? { ...o } : o));
    for (const item of patch as JsonMap[]) {
      const idx = out.findIndex((o) => isMap(o) && o[key] === item[key]);
      if (item['$patch'] === 'delete') {
        if (idx >= 0) out.splice(idx, 1);
      } else if (idx >= 0) out[idx] = applyStrategicMergePatch(out[idx], item);
      else out.push(applyStrategicMergePatch({}, item));
    }
    return out;
  }
  if (MERGED_PRIMITIVE_LISTS.has(field)) return [...new Set([...orig, ...patch])];
  return patch;
}

function reorder(list: Json, order: Json[], field: string): Json {
  if (!Array.isArray(list)) return list;
  const key = mergeKeyFor(field, list, order);
  const id = (v: Json): string => JSON.stringify(key && isMap(v) ? v[key] : v);
  const rank = new Map(order.map((o, i) => [id(o), i]));
  return [...list].sort((a, b) => (rank.get(id(a)) ?? Infinity) - (rank.get(id(b)) ?? Infinity));
}

/** Strategic merge patch (an approximation, see the file comment). */
export function applyStrategicMergePatch(target: Json, patch: Json): Json {
  if (!isMap(patch)) return patch;
  if (patch['$patch'] === 'delete') return undefined;
  if (patch['$patch'] === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return rest;
  }
  let out: JsonMap = isMap(target) ? { ...target } : {};
  const orders: [string, Json[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch') continue;
    if (k === '$retainKeys' && Array.isArray(v)) {
      const keep = new Set([...(v as string[]), ...Object.keys(patch)]);
      out = Object.fromEntries(Object.entries(out).filter(([key]) => keep.has(key)));
    } else if (k.startsWith('$setElementOrder/') && Array.isArray(v)) {
      orders.push([k.slice('$setElementOrder/'.length), v]);
    } else if (k.startsWith('$deleteFromPrimitiveList/') && Array.isArray(v)) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur)) out[field] = cur.filter((x) => !v.includes(x));
    } else if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      out[k] = mergeList(k, out[k], v);
    } else if (isMap(v)) {
      const merged = applyStrategicMergePatch(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = v;
    }
  }
  for (const [field, order] of orders) if (field in out) out[field] = reorder(out[field], order, field);
  return out;
}
