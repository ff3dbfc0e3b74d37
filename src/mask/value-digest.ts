/**
 * The keyed digest a masked value's marker carries: HMAC-SHA256 under the gateway's own key over the
 * value bound to where it lives (group, kind, namespace, name, field path), truncated to
 * MARKER_DIGEST_CHARS hex. Binding means two objects holding the same password get different
 * markers; the key means a reader cannot compute the marker of a guessed value.
 */
import { createHmac } from 'node:crypto';
import { MARKER_DIGEST_CHARS } from './marker.js';

/** Where a masked value lives: the object and the field path inside it (`data.password`, `spec.template.spec.containers[app].env[DB_PASSWORD].value`). */
export interface ValueBinding {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  field: string;
}

/** Computes the digest of a value (its bytes, or a string taken as UTF-8) at a binding. */
export type ValueDigest = (binding: ValueBinding, value: Uint8Array | string) => string;

/** Smallest key the gateway accepts (256 bits). */
export const MIN_DIGEST_KEY_BYTES = 32;

/** A digest function for `key` (kept by the gateway in its store, the same on every replica). */
export function createValueDigest(key: Uint8Array): ValueDigest {
  if (key.length < MIN_DIGEST_KEY_BYTES) throw new Error(`the masking digest key must have at least ${MIN_DIGEST_KEY_BYTES} bytes`);
  const k = Buffer.from(key);
  return (b, value) => {
    const h = createHmac('sha256', k);
    // Length-prefixed JSON of the binding, then the value: no two (binding, value) pairs share an input.
    const head = JSON.stringify([b.group, b.kind, b.namespace, b.name, b.field]);
    h.update(`hoopctl-mask-v1\n${head.length}\n${head}\n`);
    h.update(typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
    return h.digest('hex').slice(0, MARKER_DIGEST_CHARS);
  };
}

/** The same rules (MaskRules; generic so this module does not import mask-rules, which imports it), with whole-value markers carrying digests under `digest`. */
export function withValueDigest<R extends { digest?: ValueDigest }>(rules: R, digest: ValueDigest): R {
  return { ...rules, digest };
}
