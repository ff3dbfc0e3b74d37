/**
 * The request URI as the audit records it, at a cost with a fixed bound: every `/k8s` request is
 * audited, unauthenticated ones too, so the work spent on a URI must not grow with what a caller
 * sends. A URI up to MAX_RECORDED_URI_CHARS is masked whole (maskRequestUri); a longer one is
 * recorded cut at a path or query separator before that limit, masked, followed by its full
 * length and a SHA-256 prefix (to tell two long URIs apart); what is cut off is never recorded.
 */
import { createHash } from 'node:crypto';
import { maskRequestUri } from './line-masker.js';
import type { MaskContext } from './mask-object.js';

/** Longest URI recorded whole; well above what kubectl sends (label and field selectors included). */
export const MAX_RECORDED_URI_CHARS = 4096;

/** maskRequestUri for URIs up to `maxChars`; above, the masked head up to a separator plus `[cut: N characters, sha256:…]`. */
export function maskRequestUriBounded(uri: string, ctx: MaskContext, maxChars = MAX_RECORDED_URI_CHARS): string {
  if (uri.length <= maxChars) return maskRequestUri(uri, ctx);
  const head = uri.slice(0, maxChars);
  // Cut between query parameters (or path segments), never inside a value: half a secret may no longer look like one.
  const query = head.indexOf('?');
  const cut = query === -1 ? head.lastIndexOf('/') : Math.max(query, head.lastIndexOf('&'));
  const kept = cut <= 0 ? '' : head.slice(0, cut);
  const digest = createHash('sha256').update(uri).digest('hex').slice(0, 16);
  return `${kept === '' ? '' : maskRequestUri(kept, ctx)}[cut: ${uri.length} characters, sha256:${digest}]`;
}
