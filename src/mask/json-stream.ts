/**
 * Streaming maskers for JSON answers. A list or Table is masked item by item (`items` / `rows` are
 * split out of the top-level object and parsed one element at a time), so a 10,000-Secret list
 * needs memory for one element, not the whole body (watch streams: watch-masker.ts). The text is
 * scanned once (json-scanner.ts), so braces inside strings never confuse the split.
 */
import { HoopError } from '../errors.js';
import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  createJsonScanner,
  isJsonSpace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  SCAN_END,
  SCAN_STRING_END,
  type JsonScanner,
} from './json-scanner.js';
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

/** Where a document masker is: before the first byte, parsing it whole, in the head before the list, in the list, after it. */
type Phase = 'start' | 'whole' | 'head' | 'elements' | 'tail';

/** The state of one document masker across pushes. */
interface DocumentState {
  ctx: MaskContext;
  limits: StreamLimits;
  scanner: JsonScanner;
  phase: Phase;
  buf: string;
  /** Where the depth-1 key being read starts in this chunk (-1: not in a key), and its part from earlier chunks. */
  keyFrom: number;
  keyText: string;
  lastKey: string;
  expectKey: boolean;
  afterColon: boolean;
  splitKey: 'items' | 'rows';
  containerKind: string | undefined;
  element: string;
  elementStarted: boolean;
  firstElement: boolean;
  /** The chunk being pushed, where its unconsumed part starts, and what it has produced so far. */
  text: string;
  from: number;
  out: string;
}

/**
 * Masks one JSON document. Its `items` (any list) or `rows` (Table) array at the top level is
 * streamed element by element; everything else is parsed whole (within maxValueChars).
 */
export function createJsonDocumentMasker(ctx: MaskContext, limits: StreamLimits): StreamMasker {
  const s: DocumentState = {
    ctx,
    limits,
    scanner: createJsonScanner(),
    phase: 'start',
    buf: '',
    keyFrom: -1,
    keyText: '',
    lastKey: '',
    expectKey: false,
    afterColon: false,
    splitKey: 'items',
    containerKind: undefined,
    element: '',
    elementStarted: false,
    firstElement: true,
    text: '',
    from: 0,
    out: '',
  };
  return {
    push(chunk) {
      s.text = chunk;
      s.from = 0;
      s.out = '';
      s.scanner.feed(chunk);
      if (s.phase === 'start') begin(s);
      if (s.phase === 'head') scanHead(s);
      if (s.phase === 'elements') scanElements(s);
      keepRest(s);
      const out = s.out;
      s.out = '';
      return out;
    },
    end: () => finish(s),
  };
}

function grow(s: DocumentState, value: string, what: string): void {
  if (value.length > s.limits.maxValueChars) throw tooLarge(what, s.limits.maxValueChars);
}

// The head is `{…,"items":[`: parse it closed as `…[]}`, mask, and emit it re-opened.
function emitHead(s: DocumentState, head: string): string {
  const obj = parseJsonValue(`${head}]}`, 'the answer') as Record<string, unknown>;
  s.containerKind = typeof obj.kind === 'string' ? obj.kind : undefined;
  const masked = JSON.stringify(maskDocument(obj, s.ctx));
  const tail = `${JSON.stringify(s.splitKey)}:[]}`;
  if (!masked.endsWith(tail)) throw new HoopError('upstream_error', 'the answer repeats its list key and cannot be masked');
  return masked.slice(0, -2);
}

function emitElement(s: DocumentState): string {
  const value = maskListElement(s.containerKind, s.splitKey, parseJsonValue(s.element, 'a list element'), s.ctx);
  const out = `${s.firstElement ? '' : ','}${JSON.stringify(value)}`;
  s.firstElement = false;
  s.element = '';
  s.elementStarted = false;
  return out;
}

// Only an object can have a list to split out; anything else is parsed whole.
function begin(s: DocumentState): void {
  const { text } = s;
  let i = 0;
  while (i < text.length && isJsonSpace(text.charCodeAt(i))) i++;
  if (i === text.length) return;
  s.phase = text.charCodeAt(i) === OPEN_BRACE ? 'head' : 'whole';
  s.from = i;
  s.scanner.feed(text, i);
}

// Depth 1 is the top-level object: track its keys until `"items":[` or `"rows":[` opens.
function scanHead(s: DocumentState): void {
  const { scanner, text } = s;
  for (let c = scanner.next(); c !== SCAN_END; c = scanner.next()) {
    const depth = scanner.depth();
    const i = scanner.at();
    if (c === SCAN_STRING_END) {
      if (s.keyFrom !== -1) {
        s.lastKey = s.keyText + text.slice(s.keyFrom, i);
        s.keyFrom = -1;
        s.keyText = '';
      }
    } else if (c === QUOTE) {
      if (depth === 1 && s.expectKey) {
        s.keyFrom = i + 1;
        s.expectKey = false;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === 2 && s.afterColon && c === OPEN_BRACKET && SPLIT_KEYS.has(s.lastKey)) {
        s.splitKey = s.lastKey as 'items' | 'rows';
        s.buf += text.slice(s.from, i + 1);
        grow(s, s.buf, 'the head of the answer');
        s.out += emitHead(s, s.buf);
        s.buf = '';
        s.from = i + 1;
        s.phase = 'elements';
        return;
      }
      if (depth === 1) s.expectKey = true;
      s.afterColon = false;
    } else if (c === COMMA) {
      if (depth === 1) s.expectKey = true;
      s.afterColon = false;
    } else if (c === COLON) {
      s.afterColon = depth === 1;
    } else if (c !== CLOSE_BRACE && c !== CLOSE_BRACKET) {
      s.afterColon = false;
    }
  }
}

// Depth 2 is inside the split array, between or within primitive elements.
function scanElements(s: DocumentState): void {
  const { scanner, text } = s;
  for (let c = scanner.next(); c !== SCAN_END; c = scanner.next()) {
    const depth = scanner.depth();
    const i = scanner.at();
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth === 1) {
        // `]` closes the array (after a primitive element, if any).
        if (s.elementStarted) {
          s.element += text.slice(s.from, i);
          s.out += emitElement(s);
        }
        s.phase = 'tail';
        s.out += ']';
        s.from = i + 1;
        return;
      }
      if (depth === 2) {
        s.element += text.slice(s.from, i + 1);
        grow(s, s.element, 'a list element');
        s.out += emitElement(s);
      }
    } else if (c === COMMA && depth === 2) {
      if (s.elementStarted) {
        s.element += text.slice(s.from, i);
        s.out += emitElement(s);
      }
    } else if (c !== SCAN_STRING_END && !s.elementStarted) {
      s.elementStarted = true;
      s.from = i;
    }
  }
}

// Keep what is not complete yet.
function keepRest(s: DocumentState): void {
  const { text } = s;
  if (s.phase === 'head') {
    if (s.keyFrom !== -1) {
      s.keyText += text.slice(s.keyFrom);
      s.keyFrom = 0;
    }
    s.buf += text.slice(s.from);
    grow(s, s.buf, 'the head of the answer');
  } else if (s.phase === 'elements' && s.elementStarted) {
    s.element += text.slice(s.from);
    grow(s, s.element, 'a list element');
  } else if (s.phase === 'whole' || s.phase === 'tail') {
    s.buf += text.slice(s.from);
    grow(s, s.buf, s.phase === 'whole' ? 'the answer' : 'the end of the answer');
  }
}

function finish(s: DocumentState): string {
  if (s.phase === 'start') return '';
  if (s.phase === 'head' || s.phase === 'whole') {
    return `${JSON.stringify(maskDocument(parseJsonValue(s.buf, 'the answer'), s.ctx))}\n`;
  }
  if (s.phase === 'elements') throw new HoopError('upstream_error', 'the answer ended inside its list');
  // The tail is `,"k":v…}` or `}`: mask its members as an object of their own.
  const rest = s.buf.trim();
  if (rest === '}') return '}\n';
  if (!rest.startsWith(',')) throw new HoopError('upstream_error', 'the answer has an unexpected end');
  const members = JSON.stringify(maskDocument(parseJsonValue(`{${rest.slice(1)}`, 'the end of the answer'), s.ctx));
  return members === '{}' ? '}\n' : `,${members.slice(1)}\n`;
}
