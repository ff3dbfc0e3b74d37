/**
 * Request bodies as the audit log keeps them: a full object, a merge or strategic-merge patch
 * (masked as an object of the request's kind, metadata or not), or an RFC 6902 JSON patch, whose
 * values are masked by what their target path says they are.
 */
import { stringCarriesMarker } from './marker.js';
import { maskAs, type MaskContext } from './mask-object.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Masks a request body in place; returns the (possibly replaced) root. */
export function maskRequestBody(body: unknown, ctx: MaskContext): unknown {
  if (!Array.isArray(body)) return maskAs(body, ctx, ctx.scope.kindHint);
  for (const op of body) {
    if (!isObj(op) || !('value' in op)) continue;
    op.value = maskPatchValue(typeof op.path === 'string' ? op.path : '', op.value, ctx);
  }
  return body;
}

// RFC 6901 pointer segments, `~1` and `~0` unescaped.
function pointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function maskPatchValue(path: string, value: unknown, ctx: MaskContext): unknown {
  const kind = ctx.scope.kindHint;
  const parts = pointer(path);
  const [top, key] = parts;
  const valueMap = (kind === 'Secret' && (top === 'data' || top === 'stringData')) || (kind === 'ConfigMap' && (top === 'data' || top === 'binaryData'));
  if (valueMap && top !== undefined && parts.length <= 2) {
    // `/data` (the whole map) or `/data/<key>`: masked as that field of an object of the request's kind.
    const holder = maskAs({ [top]: key === undefined ? value : { [key]: value } }, ctx, kind) as Obj;
    return key === undefined ? holder[top] : (holder[top] as Obj)[key];
  }
  // Anything else is masked as it would be under its own field name (`password`, `env`, the last-applied annotation…).
  const last = parts[parts.length - 1] ?? '';
  return (maskAs({ [last]: value }, ctx) as Obj)[last];
}

/**
 * Where a request body carries a masked value: dotted field paths (`data.password`,
 * `metadata.annotations.kubectl.kubernetes.io/last-applied-configuration`, `spec.containers[0].env[1].value`),
 * JSON patch operations by their target path. Empty when no string holds a marker.
 */
export function maskedFieldPaths(body: unknown): string[] {
  const out: string[] = [];
  if (Array.isArray(body) && body.every((op) => isObj(op) && typeof op.op === 'string')) {
    for (const op of body as Obj[]) {
      if (!('value' in op)) continue;
      const at = pointer(typeof op.path === 'string' ? op.path : '').reduce((p, k) => (/^\d+$/.test(k) ? `${p}[${k}]` : p === '' ? k : `${p}.${k}`), '');
      walkMasked(op.value, at, out);
    }
    return out;
  }
  walkMasked(body, '', out);
  return out;
}

function walkMasked(v: unknown, at: string, out: string[]): void {
  if (typeof v === 'string') {
    if (stringCarriesMarker(v)) out.push(at);
  } else if (Array.isArray(v)) v.forEach((e, i) => walkMasked(e, `${at}[${i}]`, out));
  else if (isObj(v)) for (const [k, e] of Object.entries(v)) walkMasked(e, at === '' ? k : `${at}.${k}`, out);
}
