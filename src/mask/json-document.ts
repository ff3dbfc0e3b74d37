/**
 * The fast path for JSON answers that fit in memory: one native `JSON.parse`, the same masking walk
 * as the streaming masker (json-stream.ts), one `JSON.stringify`. The char-by-char scanner is only
 * needed to bound memory, so a body is buffered up to a limit and handed to it when it grows past.
 */
import { HoopError } from '../errors.js';
import { createJsonDocumentMasker, parseJsonValue, type StreamLimits, type StreamMasker } from './json-stream.js';
import { maskDocument, maskListElement, type MaskContext } from './mask-object.js';
import { summarizeJsonDocument, type JsonSummary } from './json-summary.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Masks one complete JSON document and returns exactly what createJsonDocumentMasker would: a
 * top-level `items`/`rows` array is masked element by element with the kind named before it, the
 * members before and after it as objects of their own.
 */
export function maskJsonDocument(text: string, ctx: MaskContext, onSummary?: (s: JsonSummary) => void): string {
  if (text.trim() === '') return '';
  const doc = parseJsonValue(text, 'the answer');
  const whole = (): string => {
    const masked = maskDocument(doc, ctx);
    onSummary?.(summarizeJsonDocument(masked));
    return `${JSON.stringify(masked)}\n`;
  };
  if (!isObj(doc)) return whole();
  const keys = Object.keys(doc);
  const at = keys.findIndex((k) => (k === 'items' || k === 'rows') && Array.isArray(doc[k]));
  if (at === -1) return whole();
  const splitKey = keys[at] as 'items' | 'rows';
  const head: Obj = {};
  for (const k of keys.slice(0, at)) head[k] = doc[k];
  const containerKind = typeof head.kind === 'string' ? head.kind : undefined;
  head[splitKey] = [];
  const headObj = maskDocument(head, ctx);
  const maskedHead = JSON.stringify(headObj);
  const open = `${JSON.stringify(splitKey)}:[]}`;
  // As in the streaming masker: the head must come back with its (empty) list last, or it cannot be reopened.
  if (!maskedHead.endsWith(open)) throw new HoopError('upstream_error', 'the answer repeats its list key and cannot be masked');
  const maskedElements = (doc[splitKey] as unknown[]).map((e) => maskListElement(containerKind, splitKey, e, ctx));
  const elements = maskedElements.map((e) => JSON.stringify(e));
  const tail: Obj = {};
  for (const k of keys.slice(at + 1)) tail[k] = doc[k];
  const tailObj = keys.length > at + 1 ? maskDocument(tail, ctx) : {};
  const members = JSON.stringify(tailObj);
  // The summary sees the document the client gets: the masked head, list and members.
  if (onSummary !== undefined)
    onSummary(summarizeJsonDocument({ ...(isObj(headObj) ? headObj : {}), [splitKey]: maskedElements, ...(isObj(tailObj) ? tailObj : {}) }));
  return `${maskedHead.slice(0, -2)}${elements.join(',')}]${members === '{}' ? '}' : `,${members.slice(1)}`}\n`;
}

/**
 * A JSON document masker that buffers up to `maxChars` and masks with maskJsonDocument; past that
 * it hands everything to the streaming masker, so memory stays bounded for big lists. `onSummary` gets the
 * transcript summary of a document masked whole (never of a streamed one).
 */
export function createBufferedJsonMasker(ctx: MaskContext, limits: StreamLimits, maxChars: number, onSummary?: (s: JsonSummary) => void): StreamMasker {
  let parts: string[] = [];
  let size = 0;
  let stream: StreamMasker | undefined;
  return {
    push(text) {
      if (stream !== undefined) return stream.push(text);
      parts.push(text);
      size += text.length;
      if (size <= maxChars) return '';
      stream = createJsonDocumentMasker(ctx, limits);
      const all = parts.join('');
      parts = [];
      return stream.push(all);
    },
    end() {
      if (stream !== undefined) return stream.end();
      const all = parts.join('');
      parts = [];
      return maskJsonDocument(all, ctx, onSummary);
    },
  };
}
