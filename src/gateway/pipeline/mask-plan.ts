/**
 * What the gateway does with one upstream answer when masking is on: mask it as a JSON document,
 * as a watch stream, line by line, pass it (no body, or API schema documents), or refuse it because
 * it cannot be masked (protobuf, CBOR, an unknown encoding): fail closed, never passed through.
 */
import type { RequestInfo } from '../../kube/types.js';

/** How an answer's body is treated. */
export type MaskMode = 'pass' | 'json' | 'watch' | 'lines' | 'refuse';

/** What decides the mode: the request and the answer's status and headers. */
export interface MaskPlanInput {
  info: RequestInfo | undefined;
  method: string;
  status: number;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  /** Declared Content-Length, when there is one. */
  contentLength: number | undefined;
}

/** Content codings the gateway decodes before masking (RFC 9110 §8.4.1). */
export const DECODABLE_ENCODINGS: ReadonlySet<string> = new Set(['', 'identity', 'gzip', 'x-gzip', 'deflate', 'br']);

// Discovery and OpenAPI documents describe the API, not cluster data; kubectl reads some in protobuf.
const SCHEMA_PATH = /^\/(?:openapi\/.*|apis?(?:\/[^/]+){0,2}\/?)$/;

/** The mode for one answer, with the reason when it is refused. */
export function maskModeFor(i: MaskPlanInput): { mode: MaskMode; reason?: string } {
  if (i.method === 'HEAD' || i.status === 204 || i.status === 304 || i.status < 200 || i.contentLength === 0) return { mode: 'pass' };
  const type = (i.contentType ?? '').toLowerCase();
  const media = type.split(';')[0]!.trim();
  const json = media === 'application/json' || media.endsWith('+json');
  const text = media.startsWith('text/') || media === 'application/yaml';
  const proxied = i.info?.subresource === 'proxy' || i.info?.resource === 'proxy';
  let mode: MaskMode;
  if (json && !proxied) mode = i.info?.verb === 'watch' || /;\s*stream=watch/.test(type) ? 'watch' : 'json';
  else if (json || text) mode = 'lines';
  else if (media === '' && i.info?.subresource === 'log') mode = 'lines';
  else if (i.info !== undefined && !i.info.isResourceRequest && SCHEMA_PATH.test(i.info.path)) return { mode: 'pass' };
  else return { mode: 'refuse', reason: `an answer in ${media === '' ? 'an undeclared format' : media}` };
  const encoding = (i.contentEncoding ?? '').toLowerCase().trim();
  if (!DECODABLE_ENCODINGS.has(encoding)) return { mode: 'refuse', reason: `an answer with Content-Encoding ${encoding}` };
  return { mode };
}

/**
 * The Accept header to send upstream for a resource request: JSON only, with the client's
 * `as=Table` / `as=PartialObjectMetadata` choices kept in their order. Protobuf, CBOR and YAML
 * ranges are dropped (kubectl accepts a JSON answer to a protobuf-preferring request: fixture 83);
 * `*\/*` and `application/*` become plain JSON.
 */
export function jsonOnlyAccept(accept: string | undefined): string {
  const kept: string[] = [];
  for (const range of (accept ?? '').split(',')) {
    const r = range.trim();
    const media = r.split(';')[0]!.trim().toLowerCase();
    if (media === 'application/json') kept.push(r);
    else if ((media === '*/*' || media === 'application/*') && !kept.includes('application/json')) kept.push('application/json');
  }
  if (kept.length === 0) return 'application/json';
  return [...new Set(kept)].join(',');
}

/** True when the upstream request's Accept must be rewritten to JSON: resource reads other than logs and exec-class streams. */
export function wantsJsonAnswer(info: RequestInfo | undefined): boolean {
  return info !== undefined && info.isResourceRequest && !info.execClass && info.subresource !== 'log';
}
