/**
 * The fixed marker that replaces every masked value. Secret `data` values become the base64 of
 * the marker, so clients that decode them (kubectl, client libraries) still get valid base64.
 */

/** What a masked value reads as, in clear text (stringData, ConfigMap values, env values, log lines). */
export const MASK_MARKER = '**hoopctl-masked**';

/** base64 of MASK_MARKER: the value of every masked Secret `data` entry. */
export const MASKED_BASE64 = 'Kipob29wY3RsLW1hc2tlZCoq';

/** Bumped when the masking code changes what it masks, so `X-Hoopctl-Masked` names a new rule set. */
export const MASK_CODE_VERSION = 1;

/** True when a request body carries a masked value (clear or base64), i.e. a masked read is being written back. */
export function carriesMaskedValue(body: Uint8Array | string): boolean {
  const text = typeof body === 'string' ? body : latin1(body);
  return text.includes(MASK_MARKER) || text.includes(MASKED_BASE64);
}

// Both markers are ASCII, so a byte-for-char view finds them in JSON, YAML and protobuf bodies alike.
function latin1(bytes: Uint8Array): string {
  let out = '';
  const STEP = 8192;
  for (let i = 0; i < bytes.length; i += STEP) out += String.fromCharCode(...bytes.subarray(i, i + STEP));
  return out;
}
