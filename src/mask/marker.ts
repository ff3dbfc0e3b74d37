/**
 * The markers that replace masked values. Secret `data` values become the base64 of a marker, so
 * clients that decode them (kubectl, client libraries) still get valid base64.
 *
 * Two forms. The plain `**hoopctl-masked**` stands for a value found inside a longer text (value
 * patterns, log lines, URIs), and for any value when no digest key is at hand (the local proxy,
 * tests). A whole value of a known object carries a keyed digest: `**hoopctl-masked:<16 hex>**`,
 * an HMAC (value-digest.ts) over the value bound to the object's group, kind, namespace, name and
 * field path. So `kubectl diff`, `describe` and two `get -o yaml` show that a value changed (or
 * not) without showing it, equal values in different objects or fields do not compare, and without
 * the gateway's key nobody can test a guess against a digest.
 */

/** What a masked value reads as when no digest applies (value patterns, log lines, URIs, no key). */
export const MASK_MARKER = '**hoopctl-masked**';

/** base64 of MASK_MARKER. */
export const MASKED_BASE64 = 'Kipob29wY3RsLW1hc2tlZCoq';

/** Bumped when the masking code changes what it masks, so `X-Hoopctl-Masked` names a new rule set. */
export const MASK_CODE_VERSION = 1;

/** Hex characters of the digest a marker carries (64 bits of the HMAC). */
export const MARKER_DIGEST_CHARS = 16;

const CLEAR_PREFIX = '**hoopctl-masked';
/** How the base64 of every marker starts: its first 15 bytes are always `**hoopctl-maske`. */
export const MARKER_BASE64_PREFIX = btoa(CLEAR_PREFIX.slice(0, 15));
const BASE64_PREFIX = MARKER_BASE64_PREFIX;
const MARKER = /^\*\*hoopctl-masked(?::[0-9a-f]{16})?\*\*$/;

/** The marker of a whole value with its digest (`digest`: MARKER_DIGEST_CHARS lower-case hex). */
export function digestMarker(digest: string): string {
  return `${CLEAR_PREFIX}:${digest}**`;
}

/** base64 of a marker, for fields that hold base64 (Secret `data`, ConfigMap `binaryData`). */
export function markerBase64(marker: string): string {
  return btoa(marker);
}

/** True when `s` is exactly a marker (plain or with a digest). */
export function isMaskMarker(s: string): boolean {
  return s.length <= 40 && MARKER.test(s);
}

/** True when `s` is exactly the base64 of a marker. */
export function isMaskedBase64(s: string): boolean {
  if (s === MASKED_BASE64) return true;
  if (!s.startsWith(BASE64_PREFIX) || s.length > 56) return false;
  try {
    return isMaskMarker(atob(s));
  } catch {
    return false;
  }
}

/** True when a request body carries a masked value (clear or base64), i.e. a masked read is being written back. */
export function carriesMaskedValue(body: Uint8Array | string): boolean {
  const text = typeof body === 'string' ? body : latin1(body);
  return text.includes(CLEAR_PREFIX) || text.includes(BASE64_PREFIX);
}

/**
 * True when any key, string or byte array inside a parsed request body carries a marker — also when it is spelled so
 * that only a decoder sees it: JSON `\u` and YAML `\x` escapes are already decoded by the parser here, and base64
 * broken by whitespace is joined first (Go's base64 decoder in kube-apiserver skips `\r` and `\n`). Iterative, so a
 * deeply nested body cannot overflow the stack.
 */
export function containsMaskedValue(body: unknown): boolean {
  const stack: unknown[] = [body];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (stringCarriesMarker(v)) return true;
    } else if (v instanceof Uint8Array) {
      if (carriesMaskedValue(v) || stringCarriesMarker(latin1(v))) return true;
    } else if (Array.isArray(v)) {
      for (const e of v) stack.push(e);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, e] of Object.entries(v)) {
        if (stringCarriesMarker(k)) return true;
        stack.push(e);
      }
    }
  }
  return false;
}

/** True when one string carries a marker, with whitespace inside base64 ignored. */
export function stringCarriesMarker(s: string): boolean {
  return carriesMaskedValue(s) || (/\s/.test(s) && carriesMaskedValue(s.replace(/\s+/g, '')));
}

// Both markers are ASCII, so a byte-for-char view finds them in JSON, YAML and protobuf bodies alike.
function latin1(bytes: Uint8Array): string {
  let out = '';
  const STEP = 8192;
  for (let i = 0; i < bytes.length; i += STEP) out += String.fromCharCode(...bytes.subarray(i, i + STEP));
  return out;
}
