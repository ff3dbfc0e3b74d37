/**
 * Streaming maskers for JSON answers. A list or Table is masked item by item (`items` / `rows` are
 * split out of the top-level object and parsed one element at a time), so a 10,000-Secret list
 * needs memory for one element, not the whole body (watch streams: watch-masker.ts). The text is
 * scanned once; strings and nesting are tracked so that braces inside strings never confuse the split.
 */
import { HoopError } from '../errors.js';
import { maskDocument, maskListElement, type MaskContext } from './mask-object.js';

/** A streaming masker: feed text, get masked text back as soon as a piece is complete. */
export interface StreamMasker {
  push(text: string): string;
  /** Flushes what is left; throws if the input ended in the middle of a value. */
  end(): string;
}

/** Limits of the streaming maskers. */
export interface StreamLimits {
  /** Largest single value (one event, one list element, the non-list part of a document), in UTF-16 units. */
  maxValueChars: number;
}

const SPLIT_KEYS = new Set(['items', 'rows']);

/** Parses one complete JSON value; the error never quotes the text (it may be a secret). */
export function parseJsonValue(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HoopError('upstream_error', `${what} is not valid JSON (${text.length} characters)`);
  }
}

/** The error for a value above the limit (never quoting it). */
export function tooLarge(what: string, limit: number): HoopError {
  return new HoopError('upstream_error', `${what} is larger than ${limit} characters and cannot be masked`);
}

/**
 * Masks one JSON document. Its `items` (any list) or `rows` (Table) array at the top level is
 * streamed element by element; everything else is parsed whole (within maxValueChars).
 */
export function createJsonDocumentMasker(ctx: MaskContext, limits: StreamLimits): StreamMasker {
  let phase: 'start' | 'whole' | 'head' | 'elements' | 'tail' = 'start';
  let buf = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let keyFrom = -1;  // where the depth-1 key being read starts in this chunk (-1: not in a key)
  let keyText = '';  // its part from earlier chunks
  let lastKey = '';
  let expectKey = false;
  let afterColon = false;
  let splitKey: 'items' | 'rows' = 'items';
  let containerKind: string | undefined;
  let element = '';
  let elementStarted = false;
  let firstElement = true;

  const grow = (text: string, what: string): void => {
    if (text.length > limits.maxValueChars) throw tooLarge(what, limits.maxValueChars);
  };

  // The head is `{…,"items":[`: parse it closed as `…[]}`, mask, and emit it re-opened.
  const emitHead = (head: string): string => {
    const obj = parseJsonValue(`${head}]}`, 'the answer') as Record<string, unknown>;
    containerKind = typeof obj.kind === 'string' ? obj.kind : undefined;
    const masked = JSON.stringify(maskDocument(obj, ctx));
    const tail = `${JSON.stringify(splitKey)}:[]}`;
    if (!masked.endsWith(tail)) throw new HoopError('upstream_error', 'the answer repeats its list key and cannot be masked');
    return masked.slice(0, -2);
  };

  const emitElement = (): string => {
    const value = maskListElement(containerKind, splitKey, parseJsonValue(element, 'a list element'), ctx);
    const out = `${firstElement ? '' : ','}${JSON.stringify(value)}`;
    firstElement = false;
    element = '';
    elementStarted = false;
    return out;
  };

  return {
    push(text) {
      let out = '';
      let from = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (phase === 'start') {
          if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
          phase = c === 0x7b /* { */ ? 'head' : 'whole';
          from = i;
        }
        if (phase === 'whole' || phase === 'tail') continue;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 0x5c /* \ */) escaped = true;
          else if (c === 0x22 /* " */) {
            inString = false;
            if (keyFrom !== -1) {
              lastKey = keyText + text.slice(keyFrom, i);
              keyFrom = -1;
              keyText = '';
            }
          }
          continue;
        }
        if (phase === 'head') {
          if (c === 0x22) {
            inString = true;
            if (depth === 1 && expectKey) {
              keyFrom = i + 1;
              expectKey = false;
            }
          } else if (c === 0x7b || c === 0x5b) {
            if (depth === 1 && afterColon && c === 0x5b && SPLIT_KEYS.has(lastKey)) {
              splitKey = lastKey as 'items' | 'rows';
              buf += text.slice(from, i + 1);
              grow(buf, 'the head of the answer');
              out += emitHead(buf);
              buf = '';
              from = i + 1;
              depth++;
              phase = 'elements';
              continue;
            }
            depth++;
            if (depth === 1) expectKey = true;
            afterColon = false;
          } else if (c === 0x7d || c === 0x5d) depth--;
          else if (c === 0x2c /* , */ && depth === 1) { expectKey = true; afterColon = false; }
          else if (c === 0x3a /* : */ && depth === 1) afterColon = true;
          else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) afterColon = false;
          continue;
        }
        // phase === 'elements': depth 2 is inside the array, between or within primitive elements.
        if (c === 0x22) {
          inString = true;
          if (!elementStarted) { elementStarted = true; from = i; }
        } else if (c === 0x7b || c === 0x5b) {
          if (!elementStarted) { elementStarted = true; from = i; }
          depth++;
        } else if (c === 0x7d || c === 0x5d) {
          if (depth === 2) {
            // `]` closes the array (after a primitive element, if any).
            if (elementStarted) { element += text.slice(from, i); out += emitElement(); }
            depth = 1;
            phase = 'tail';
            out += ']';
            from = i + 1;
            continue;
          }
          depth--;
          if (depth === 2) { element += text.slice(from, i + 1); grow(element, 'a list element'); out += emitElement(); }
        } else if (c === 0x2c && depth === 2) {
          if (elementStarted) { element += text.slice(from, i); out += emitElement(); }
        } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && !elementStarted) {
          elementStarted = true;
          from = i;
        }
      }
      // Keep what is not complete yet.
      if (phase === 'head') {
        if (keyFrom !== -1) {
          keyText += text.slice(keyFrom);
          keyFrom = 0;
        }
        buf += text.slice(from);
        grow(buf, 'the head of the answer');
      } else if (phase === 'elements' && elementStarted) {
        element += text.slice(from);
        grow(element, 'a list element');
      } else if (phase === 'whole' || phase === 'tail') {
        buf += text.slice(from);
        grow(buf, phase === 'whole' ? 'the answer' : 'the end of the answer');
      }
      return out;
    },
    end() {
      if (phase === 'start') return '';
      if (phase === 'head' || phase === 'whole') {
        return `${JSON.stringify(maskDocument(parseJsonValue(buf, 'the answer'), ctx))}\n`;
      }
      if (phase === 'elements') throw new HoopError('upstream_error', 'the answer ended inside its list');
      // The tail is `,"k":v…}` or `}`: mask its members as an object of their own.
      const rest = buf.trim();
      if (rest === '}') return '}\n';
      if (!rest.startsWith(',')) throw new HoopError('upstream_error', 'the answer has an unexpected end');
      const members = JSON.stringify(maskDocument(parseJsonValue(`{${rest.slice(1)}`, 'the end of the answer'), ctx));
      return members === '{}' ? '}\n' : `,${members.slice(1)}\n`;
    },
  };
}
