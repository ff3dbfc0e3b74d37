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
 * Request bodies (patches included) are in mask-request-body.ts.
 */
import { MASK_MARKER, MASKED_BASE64 } from './marker.js';
import { deeper } from './json-depth.js';
import type { MaskRules } from './mask-rules.js';

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

const SECRET_FIELD = /^(?:password|passwd|pwd|secret|token|api[-_]?key|client[-_]?secret|secret[-_]?key|access[-_]?key|secret[-_]?access[-_]?key|private[-_]?key|account[-_]?key|shared[-_]?access[-_]?key)$/i;
const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);
const RESOURCE_KINDS: Record<string, string> = {
  secrets: 'Secret', configmaps: 'ConfigMap', pods: 'Pod', deployments: 'Deployment', statefulsets: 'StatefulSet',
  daemonsets: 'DaemonSet', replicasets: 'ReplicaSet', jobs: 'Job', cronjobs: 'CronJob', replicationcontrollers: 'ReplicationController',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isMarker = (s: string): boolean => s === MASK_MARKER || s === MASKED_BASE64;

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
  return maskValue(doc, ctx, ctx.scope.kindHint, 0);
}

/** Masks one element of a list's `items` or a Table's `rows`, exactly as maskDocument would inside the whole list. */
export function maskListElement(containerKind: string | undefined, key: 'items' | 'rows', element: unknown, ctx: MaskContext): unknown {
  // At the level it has inside its list: the list object, then its array.
  if (key === 'rows' && isObj(element)) return maskTableRow(element, ctx, 3);
  return maskValue(element, ctx, key === 'items' ? itemKind(containerKind, ctx) : undefined, 2);
}

/** Masks a value as an object of `kind` (the caller knows what it is), or by its own shape when no kind is given. */
export function maskAs(value: unknown, ctx: MaskContext, kind?: string): unknown {
  return maskValue(value, ctx, kind, 0);
}

/** Masks one string with the value patterns. */
export function maskString(text: string, ctx: MaskContext): string {
  return ctx.rules.values.mask(text, ctx.counter);
}

// `parent` is the nesting level of the container holding `v` (0 for a root): deeper() bounds the recursion.
function maskValue(v: unknown, ctx: MaskContext, hint: string | undefined, parent: number): unknown {
  if (typeof v === 'string') return v === '' || isMarker(v) ? v : maskString(v, ctx);
  if (Array.isArray(v)) {
    const level = deeper(parent);
    for (let i = 0; i < v.length; i++) v[i] = maskValue(v[i], ctx, undefined, level);
    return v;
  }
  if (isObj(v)) maskNode(v, ctx, hint, deeper(parent));
  return v;
}

function maskNode(o: Obj, ctx: MaskContext, hint: string | undefined, level: number): void {
  const kind = typeof o.kind === 'string' ? o.kind : hint;
  if (o.kind === undefined && typeof o.type === 'string' && WATCH_TYPES.has(o.type) && 'object' in o) {
    o.object = maskValue(o.object, ctx, ctx.scope.kindHint, level);
    return walkFields(o, ctx, level, ['object']);
  }
  if (kind === 'Table' && Array.isArray(o.rows)) {
    const rows = deeper(level);
    o.rows = o.rows.map((row) => (isObj(row) ? maskTableRow(row, ctx, deeper(rows)) : maskValue(row, ctx, undefined, rows)));
    return walkFields(o, ctx, level, ['rows']);
  }
  if (kind !== undefined && kind.endsWith('List') && Array.isArray(o.items)) {
    const ik = itemKind(kind, ctx);
    const items = deeper(level);
    for (let i = 0; i < o.items.length; i++) o.items[i] = maskValue(o.items[i], ctx, ik, items);
    return walkFields(o, ctx, level, ['items']);
  }
  // With a hint the caller knows this is an object of that kind (a list item, a row, a patch body).
  if (kind !== undefined && (hint !== undefined || isObj(o.metadata))) return maskKubeObject(o, kind, ctx, level);
  walkFields(o, ctx, level);
}

function itemKind(listKind: string | undefined, ctx: MaskContext): string | undefined {
  if (listKind === undefined || listKind === 'PartialObjectMetadataList') return ctx.scope.kindHint;
  if (listKind === 'List' || !listKind.endsWith('List')) return undefined;
  return listKind.slice(0, -'List'.length);
}

function maskTableRow(row: Obj, ctx: MaskContext, level: number): Obj {
  if ('cells' in row) row.cells = maskValue(row.cells, ctx, undefined, level);
  if ('object' in row) row.object = maskValue(row.object, ctx, ctx.scope.kindHint, level);
  walkFields(row, ctx, level, ['cells', 'object']);
  return row;
}

function maskKubeObject(o: Obj, kind: string, ctx: MaskContext, level: number): void {
  const meta = isObj(o.metadata) ? o.metadata : undefined;
  if (meta !== undefined && ctx.scope.isExempt !== undefined) {
    const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
    if (typeof meta.name === 'string' && ctx.scope.isExempt(ns, meta.name)) {
      ctx.counter.exempted++;
      return;
    }
  }
  // PartialObjectMetadata (Table rows, metadata lists) stands for an object of the requested resource.
  const actual = kind === 'PartialObjectMetadata' ? ctx.scope.kindHint ?? kind : kind;
  const skip: string[] = [];
  if (actual === 'Secret') {
    maskEntries(o.data, ctx, () => true, MASKED_BASE64);
    maskEntries(o.stringData, ctx, () => true, MASK_MARKER);
    skip.push('data', 'stringData');
  } else if (actual === 'ConfigMap') {
    const secretKey = (k: string): boolean => ctx.rules.configMapKeys.matches(k) || SECRET_FIELD.test(k);
    maskEntries(o.data, ctx, secretKey, MASK_MARKER);
    maskEntries(o.binaryData, ctx, (k, v) => secretKey(k) || decodedLooksSecret(v, ctx), MASKED_BASE64);
    skip.push('binaryData');
  }
  walkFields(o, ctx, level, skip);
}

function maskEntries(map: unknown, ctx: MaskContext, secret: (key: string, value: string) => boolean, marker: string): void {
  if (!isObj(map)) return;
  for (const [k, v] of Object.entries(map)) {
    if (typeof v === 'string' && v !== '' && !isMarker(v) && secret(k, v)) {
      map[k] = marker;
      ctx.counter.masked++;
    } else if (v !== null && typeof v === 'object') {
      // A value that is not a string has no business here: mask it whole rather than guess.
      map[k] = marker;
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

function walkFields(o: Obj, ctx: MaskContext, level: number, skip: readonly string[] = []): void {
  for (const key of Object.keys(o)) {
    if (skip.includes(key)) continue;
    const child = o[key];
    if (typeof child === 'string') {
      if (key === LAST_APPLIED) o[key] = maskManifestText(child, ctx, level);
      else if (child === '' || isMarker(child)) continue;
      else if (SECRET_FIELD.test(key)) {
        o[key] = MASK_MARKER;
        ctx.counter.masked++;
      } else o[key] = maskString(child, ctx);
    } else if (Array.isArray(child)) {
      if (key === 'env') maskEnv(child, ctx);
      o[key] = maskValue(child, ctx, undefined, level);
    } else if (isObj(child)) maskNode(child, ctx, undefined, deeper(level));
  }
}

// Container env: [{name, value}] — the value is masked by name, whatever it looks like.
function maskEnv(env: unknown[], ctx: MaskContext): void {
  for (const e of env) {
    if (!isObj(e) || typeof e.name !== 'string' || typeof e.value !== 'string') continue;
    if (e.value !== '' && !isMarker(e.value) && ctx.rules.envNames.matches(e.name)) {
      e.value = MASK_MARKER;
      ctx.counter.masked++;
    }
  }
}

/** The last-applied annotation holds a JSON manifest: mask it as the object it describes; not JSON → masked whole. */
function maskManifestText(text: string, ctx: MaskContext, level: number): string {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    ctx.counter.masked++;
    return MASK_MARKER;
  }
  const before = ctx.counter.masked;
  // The owner already passed the exception check; the manifest inside is masked as its own kind.
  const inner: MaskContext = { ...ctx, scope: { ...(ctx.scope.kindHint === undefined ? {} : { kindHint: ctx.scope.kindHint }) } };
  // Its nesting counts on top of the object holding it: the walk's stack is the same.
  if (isObj(manifest) && typeof manifest.kind === 'string') maskKubeObject(manifest, manifest.kind, inner, deeper(level));
  else manifest = maskValue(manifest, inner, undefined, level);
  return ctx.counter.masked === before ? text : `${JSON.stringify(manifest)}${text.endsWith('\n') ? '\n' : ''}`;
}
