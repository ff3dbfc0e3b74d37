/**
 * The one JSON scanner of the streaming maskers (json-stream.ts, watch-masker.ts): it finds the structural
 * characters of JSON text arriving in chunks, skipping string contents (escapes included) and white space, and
 * keeps the nesting depth. It does not validate: what it delimits is parsed by JSON.parse before it is masked.
 * One pass, constant work per character, state carried across chunks, so a value split over reads is never misread.
 */

/** next() ran out of the chunk. */
export const SCAN_END = -1;
/** next() found the quote that closes a string (an opening quote is returned as `"`, 0x22). */
export const SCAN_STRING_END = -2;

/** Char codes the maskers compare tokens with. */
export const OPEN_BRACE = 0x7b;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACE = 0x7d;
export const CLOSE_BRACKET = 0x5d;
export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const COLON = 0x3a;
const BACKSLASH = 0x5c;

/** True for JSON's four white-space characters (RFC 8259 §2). */
export function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** A scanner over a sequence of chunks. */
export interface JsonScanner {
  /** Starts on a new chunk at `from`; string and depth state carry over from the previous one. */
  feed(text: string, from?: number): void;
  /**
   * The next token of the chunk: the char code of a character outside strings that is not white space
   * (`{` `[` `}` `]` `,` `:` an opening `"`, or a character of a number or literal), SCAN_STRING_END for a closing
   * quote, SCAN_END when the chunk is used up. `at()` is its index; `depth()` already counts a bracket it returns.
   */
  next(): number;
  /** Index in the chunk of the token next() returned last. */
  at(): number;
  /** Open objects and arrays. */
  depth(): number;
  /** Inside a string (the chunk ended before its closing quote). */
  inString(): boolean;
}

// Whether the backslashes right before `end` (back to `start`) are an odd run, i.e. the last one escapes what follows.
function oddBackslashesBefore(text: string, end: number, start: number): boolean {
  let b = end - 1;
  while (b >= start && text.charCodeAt(b) === BACKSLASH) b--;
  return (end - 1 - b) % 2 === 1;
}

/** A scanner at the start of a JSON text. */
export function createJsonScanner(): JsonScanner {
  let text = '';
  let i = 0;
  let at = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;

  // Skips to the closing quote of the string being read; true when found (i is then at it). indexOf finds the quotes
  // natively; a quote is escaped when an odd run of backslashes stands before it. Each character is looked at a
  // bounded number of times, so the scan stays linear whatever the string holds.
  const skipString = (): boolean => {
    const n = text.length;
    if (escaped) {
      if (i >= n) return false;
      escaped = false;
      i++;
    }
    for (;;) {
      const q = text.indexOf('"', i);
      if (q === -1) {
        escaped = oddBackslashesBefore(text, n, i);
        i = n;
        return false;
      }
      if (!oddBackslashesBefore(text, q, i)) {
        i = q;
        return true;
      }
      i = q + 1;
    }
  };

  return {
    feed(chunk, from = 0) {
      text = chunk;
      i = from;
    },
    next() {
      if (inString) {
        if (!skipString()) return SCAN_END;
        inString = false;
        at = i++;
        return SCAN_STRING_END;
      }
      const n = text.length;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (isJsonSpace(c)) continue;
        at = i++;
        if (c === QUOTE) inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
        return c;
      }
      return SCAN_END;
    },
    at: () => at,
    depth: () => depth,
    inString: () => inString,
  };
}
