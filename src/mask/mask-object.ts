/**
 * Masks a parsed Kubernetes JSON document in place: single objects, `*List`s, `meta.k8s.io/v1`
 * Tables (cells and row objects, PartialObjectMetadata or full) and watch events. What is masked:
 * - Secret `data` (base64 of the marker, so clients still decode it) and `stringData`;
 * - ConfigMap `data` / `binaryData` entries whose key matches the ConfigMap key patterns;
 * - the `kubectl.kubernetes.io/last-applied-configuration` annotation, masked as the manifest it holds
 *   (a Secret's data in clear lives there), or replaced whole when it is not JSON;
 * - container `env` values whose name matches the env name patterns;
 * - string fields named like a secret (`password`, `token`, `clientSecret`, …) in any object;
 * - every other string through the value patterns.
 * A whole value masked inside a Kubernetes object gets a marker with a keyed digest when the rules
 * carry one (marker.ts, value-digest.ts), bound to the object and the field path, so a change stays
 * visible. Request bodies (patches included) are in mask-request-body.ts.
 */
import { digestMarker, isMaskedBase64, isMaskMarker, markerBase64, MASK_MARKER, MASKED_BASE64 } from './marker.js';
import type { MaskRules } from './mask-rules.js';
import type { ValueBinding } from './value-digest.js';
import { JsonTooDeepError, MAX_JSON_DEPTH } from './json-depth.js';

/** How many values were masked, and how many objects a masking exception left in clear. */
export interface MaskCounter {
  masked: number;
  exempted: number;
}

/** What the request says about the objects in the document. */
export interface MaskScope {
  /** Kind of objects that carry none (typed list items, patch bodies), from the request's resource. */
  kindHint?: string;
  /** True when a masking exception lets this caller read the object in clear. */
  isExempt?(namespace: string, name: string): boolean;
}

/** Rules, scope and counter of one masking run. */
export interface MaskContext {
  rules: MaskRules;
  scope: MaskScope;
  counter: MaskCounter;
}

/** The annotation `kubectl apply` (client-side) writes: the whole manifest, Secret data included. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const SECRET_FIELD =
  /^(?:password|passwd|pwd|secret|token|api[-_]?key|client[-_]?secret|secret[-_]?key|access[-_]?key|secret[-_]?access[-_]?key|private[-_]?key|account[-_]?key|shared[-_]?access[-_]?key)$/i;
const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);
const RESOURCE_KINDS: Record<string, string> = {
  secrets: 'Secret',
  configmaps: 'ConfigMap',
  pods: 'Pod',
  deployments: 'Deployment',
  statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet',
  replicasets: 'ReplicaSet',
  jobs: 'Job',
  cronjobs: 'CronJob',
  replicationcontrollers: 'ReplicationController',
};

// Objects whose typed lists omit apiVersion: their group, so a list item binds like the object read alone.
const KIND_GROUPS: Record<string, string> = {
  Deployment: 'apps',
  StatefulSet: 'apps',
  DaemonSet: 'apps',
  ReplicaSet: 'apps',
  Job: 'batch',
  CronJob: 'batch',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMarker = (s: string): boolean => isMaskMarker(s) || isMaskedBase64(s);

/** The object a value belongs to, and the field path to it from the object's root. */
interface At {
  owner: Omit<ValueBinding, 'field'> | undefined;
  path: string;
}
const NOWHERE: At = { owner: undefined, path: '' };
const child = (at: At, key: string): At => ({ owner: at.owner, path: at.path === '' ? key : `${at.path}.${key}` });
/**
 * A list entry's place: by its name where it has one (env, containers, ports: stable when the list is reordered),
 * else its index. A name met again in the same list is told apart by its occurrence (`[DB_DSN#2]`): two entries must
 * never share a binding, or a writer could add a guess under an existing name and compare the markers.
 */
const item = (at: At, el: unknown, i: number, seen?: Map<string, number>): At => {
  let name = isObj(el) && typeof el.name === 'string' ? el.name : String(i);
  if (seen !== undefined) {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) name = `${name}#${n}`;
  }
  return { owner: at.owner, path: `${at.path}[${name}]` };
};
/**
 * Where a nested collection's entries sit: inside an object the digests are already bound to (a manifest in an
 * annotation, a custom resource's spec), everything stays bound to that owner — an object nested there is masked as
 * its kind but never under the identity it claims, so no one can make another object's marker from their own; at
 * the top of an answer (a List's items, a watch event, a Table row) each object is its own owner.
 */
const nested = (at: At, key: string): At => (at.owner === undefined ? NOWHERE : child(at, key));

/**
 * The marker of a whole value at `at`: with a digest when the rules have a key and the value belongs
 * to a known object, else the plain one. `base64`: the field holds base64 (the digest covers the bytes).
 */
function markerFor(ctx: MaskContext, at: At, value: unknown, base64: boolean): string {
  const digest = ctx.rules.digest;
  if (digest === undefined || at.owner === undefined) return base64 ? MASKED_BASE64 : MASK_MARKER;
  let bytes: Uint8Array | string;
  if (typeof value !== 'string') bytes = JSON.stringify(value) ?? '';
  else if (base64) bytes = decodeBase64(value) ?? value;
  else bytes = value;
  const marker = digestMarker(digest({ ...at.owner, field: at.path }, bytes));
  return base64 ? markerBase64(marker) : marker;
}

// Secret data is canonical base64 (kube-apiserver validates it); anything else is digested as the string it is.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of canonical base64 (Buffer's decoder: `Uint8Array.from(atob(…))` cost half the gateway's CPU on a large Secret list). */
function decodeBase64(s: string): Uint8Array | undefined {
  return BASE64.test(s) ? Buffer.from(s, 'base64') : undefined;
}

/** The kind of a built-in resource (`secrets` → `Secret`), for objects that do not name it. */
export function kindForResource(resource: string): string | undefined {
  return RESOURCE_KINDS[resource];
}

/** A fresh context with a zero counter. */
export function createMaskContext(rules: MaskRules, scope: MaskScope = {}): MaskContext {
  return { rules, scope, counter: { masked: 0, exempted: 0 } };
}

/** Masks a parsed response document (object, list, Table, watch event); returns the (possibly replaced) root. */
export function maskDocument(doc: unknown, ctx: MaskContext): unknown {
  return maskValue(doc, ctx, ctx.scope.kindHint, NOWHERE);
}

/** Masks one element of a list's `items` or a Table's `rows`, exactly as maskDocument would inside the whole list. */
export function maskListElement(containerKind: string | undefined, key: 'items' | 'rows', element: unknown, ctx: MaskContext): unknown {
  if (key === 'rows' && isObj(element)) return maskTableRow(element, ctx, NOWHERE);
  return maskValue(element, ctx, key === 'items' ? itemKind(containerKind, ctx) : undefined, NOWHERE);
}

/** Masks a value as an object of `kind` (the caller knows what it is), or by its own shape when no kind is given. */
export function maskAs(value: unknown, ctx: MaskContext, kind?: string): unknown {
  return maskValue(value, ctx, kind, NOWHERE);
}

/** Masks one string with the value patterns. */
export function maskString(text: string, ctx: MaskContext): string {
  return ctx.rules.values.mask(text, ctx.counter);
}

// How deep the (synchronous, recursive) walk is right now: every object and array entered counts, and a document
// nested deeper than MAX_JSON_DEPTH throws JsonTooDeepError instead of overflowing the stack (json-depth.ts).
let depth = 0;

function enter(): void {
  if (depth >= MAX_JSON_DEPTH) throw new JsonTooDeepError();
  depth++;
}

function maskValue(v: unknown, ctx: MaskContext, hint: string | undefined, at: At): unknown {
  if (typeof v === 'string') return v === '' || isMarker(v) ? v : maskString(v, ctx);
  if (Array.isArray(v)) {
    enter();
    try {
      const seen = new Map<string, number>();
      for (let i = 0; i < v.length; i++) v[i] = maskValue(v[i], ctx, undefined, item(at, v[i], i, seen));
    } finally {
      depth--;
    }
    return v;
  }
  if (isObj(v)) maskNode(v, ctx, hint, at);
  return v;
}

function maskNode(o: Obj, ctx: MaskContext, hint: string | undefined, at: At): void {
  enter();
  try {
    maskNodeAt(o, ctx, hint, at);
  } finally {
    depth--;
  }
}

function maskNodeAt(o: Obj, ctx: MaskContext, hint: string | undefined, at: At): void {
  const kind = typeof o.kind === 'string' ? o.kind : hint;
  if (o.kind === undefined && typeof o.type === 'string' && WATCH_TYPES.has(o.type) && 'object' in o) {
    o.object = maskValue(o.object, ctx, ctx.scope.kindHint, nested(at, 'object'));
    return walkFields(o, ctx, at, ['object']);
  }
  if (kind === 'Table' && Array.isArray(o.rows)) {
    const rows = nested(at, 'rows');
    o.rows = o.rows.map((row, i) => (isObj(row) ? maskTableRow(row, ctx, item(rows, row, i)) : maskValue(row, ctx, undefined, item(rows, row, i))));
    return walkFields(o, ctx, at, ['rows']);
  }
  if (kind !== undefined && kind.endsWith('List') && Array.isArray(o.items)) {
    const ik = itemKind(kind, ctx);
    const items = nested(at, 'items');
    const seen = new Map<string, number>();
    for (let i = 0; i < o.items.length; i++)
      o.items[i] = maskValue(o.items[i], ctx, ik, items.owner === undefined ? NOWHERE : item(items, o.items[i], i, seen));
    return walkFields(o, ctx, at, ['items']);
  }
  // With a hint the caller knows this is an object of that kind (a list item, a row, a patch body).
  if (kind !== undefined && (hint !== undefined || isObj(o.metadata))) return maskKubeObject(o, kind, ctx, at.owner === undefined ? undefined : at);
  walkFields(o, ctx, at);
}

function itemKind(listKind: string | undefined, ctx: MaskContext): string | undefined {
  if (listKind === undefined || listKind === 'PartialObjectMetadataList') return ctx.scope.kindHint;
  if (listKind === 'List' || !listKind.endsWith('List')) return undefined;
  return listKind.slice(0, -'List'.length);
}

function maskTableRow(row: Obj, ctx: MaskContext, at: At): Obj {
  const here = at.owner === undefined ? NOWHERE : at;
  if ('cells' in row) row.cells = maskValue(row.cells, ctx, undefined, nested(here, 'cells'));
  if ('object' in row) row.object = maskValue(row.object, ctx, ctx.scope.kindHint, nested(here, 'object'));
  walkFields(row, ctx, here, ['cells', 'object']);
  return row;
}

/** The object's identity for digests; a PartialObjectMetadata row stands for an object of the requested kind. */
function ownerOf(o: Obj, actual: string): At['owner'] {
  const meta = isObj(o.metadata) ? o.metadata : {};
  const apiVersion = o.kind === actual && typeof o.apiVersion === 'string' ? o.apiVersion : undefined;
  const group = apiVersion === undefined ? (KIND_GROUPS[actual] ?? '') : apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  return {
    group,
    kind: actual,
    namespace: typeof meta.namespace === 'string' ? meta.namespace : '',
    name: typeof meta.name === 'string' ? meta.name : '',
  };
}

/** `within`: where the object sits inside another one whose digests it stays bound to (undefined: it is its own owner). */
function maskKubeObject(o: Obj, kind: string, ctx: MaskContext, within?: At): void {
  const meta = isObj(o.metadata) ? o.metadata : undefined;
  if (meta !== undefined && ctx.scope.isExempt !== undefined) {
    const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
    if (typeof meta.name === 'string' && ctx.scope.isExempt(ns, meta.name)) {
      ctx.counter.exempted++;
      return;
    }
  }
  // PartialObjectMetadata (Table rows, metadata lists) stands for an object of the requested resource.
  const actual = kind === 'PartialObjectMetadata' ? (ctx.scope.kindHint ?? kind) : kind;
  const root: At = within ?? { owner: ownerOf(o, actual), path: '' };
  const skip: string[] = [];
  if (actual === 'Secret') {
    // stringData is written into data by the API server: both bind to `data.<key>`, so a manifest's
    // stringData value and the stored data value compare (kubectl diff, the last-applied annotation).
    maskEntries(o.data, ctx, () => true, child(root, 'data'), true);
    maskEntries(o.stringData, ctx, () => true, child(root, 'data'), false);
    skip.push('data', 'stringData');
  } else if (actual === 'ConfigMap') {
    const secretKey = (k: string): boolean => ctx.rules.configMapKeys.matches(k) || SECRET_FIELD.test(k);
    maskEntries(o.data, ctx, secretKey, child(root, 'data'), false);
    maskEntries(o.binaryData, ctx, (k, v) => secretKey(k) || decodedLooksSecret(v, ctx), child(root, 'binaryData'), true);
    skip.push('binaryData');
  }
  walkFields(o, ctx, root, skip);
}

function maskEntries(map: unknown, ctx: MaskContext, secret: (key: string, value: string) => boolean, at: At, base64: boolean): void {
  if (!isObj(map)) return;
  for (const [k, v] of Object.entries(map)) {
    const here = child(at, k);
    if (typeof v === 'string' && v !== '' && !isMarker(v) && secret(k, v)) {
      map[k] = markerFor(ctx, here, v, base64);
      ctx.counter.masked++;
    } else if (v !== null && typeof v === 'object') {
      // A value that is not a string has no business here: mask it whole rather than guess.
      map[k] = markerFor(ctx, here, v, base64);
      ctx.counter.masked++;
    }
  }
}

// binaryData is base64: a private key under an innocent key name is only visible once decoded.
function decodedLooksSecret(b64: string, ctx: MaskContext): boolean {
  let text: string;
  try {
    text = atob(b64);
  } catch {
    return false;
  }
  const probe = { masked: 0 };
  ctx.rules.values.mask(text, probe);
  return probe.masked > 0;
}

function walkFields(o: Obj, ctx: MaskContext, at: At, skip: readonly string[] = []): void {
  for (const key of Object.keys(o)) {
    if (skip.includes(key)) continue;
    const value = o[key];
    const here = child(at, key);
    if (typeof value === 'string') {
      if (key === LAST_APPLIED) o[key] = maskManifestText(value, ctx, here);
      else if (value === '' || isMarker(value)) continue;
      else if (SECRET_FIELD.test(key)) {
        o[key] = markerFor(ctx, here, value, false);
        ctx.counter.masked++;
      } else o[key] = maskString(value, ctx);
    } else if (Array.isArray(value)) {
      if (key === 'env') maskEnv(value, ctx, here);
      o[key] = maskValue(value, ctx, undefined, here);
    } else if (isObj(value)) maskNode(value, ctx, undefined, here);
  }
}

// Container env: [{name, value}] — the value is masked by name, whatever it looks like.
function maskEnv(env: unknown[], ctx: MaskContext, at: At): void {
  const seen = new Map<string, number>();
  env.forEach((e, i) => {
    const place = item(at, e, i, seen);
    if (!isObj(e) || typeof e.name !== 'string' || typeof e.value !== 'string') return;
    if (e.value !== '' && !isMarker(e.value) && ctx.rules.envNames.matches(e.name)) {
      e.value = markerFor(ctx, child(place, 'value'), e.value, false);
      ctx.counter.masked++;
    }
  });
}

/**
 * The last-applied annotation holds a JSON manifest: mask it as the object it describes, its values
 * bound to the owner object (so `data.token` here and in the live object compare); not JSON → masked whole.
 */
function maskManifestText(text: string, ctx: MaskContext, at: At): string {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    ctx.counter.masked++;
    return markerFor(ctx, at, text, false);
  }
  const before = ctx.counter.masked;
  // The owner already passed the exception check; the manifest inside is masked as its own kind.
  const inner: MaskContext = { ...ctx, scope: { ...(ctx.scope.kindHint === undefined ? {} : { kindHint: ctx.scope.kindHint }) } };
  if (isObj(manifest) && typeof manifest.kind === 'string') maskKubeObject(manifest, manifest.kind, inner, { owner: at.owner, path: '' });
  else manifest = maskValue(manifest, inner, undefined, { owner: at.owner, path: '' });
  return ctx.counter.masked === before ? text : `${JSON.stringify(manifest)}${text.endsWith('\n') ? '\n' : ''}`;
}
