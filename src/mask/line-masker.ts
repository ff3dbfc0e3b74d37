/**
 * Masks text line by line (`pods/log`, also with `follow=true`; `text/plain` answers; request URIs).
 * A complete line is masked and emitted at once; a private key block that spans lines is masked
 * from its BEGIN line through its END line.
 */
import { MASK_MARKER } from './marker.js';
import type { MaskContext } from './mask-object.js';
import { maskString } from './mask-object.js';
import type { StreamLimits, StreamMasker } from './json-stream.js';

const KEY_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
const KEY_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
const KEY_BEGIN_ALL = new RegExp(KEY_BEGIN.source, 'g');
// A line of base64 only may be the body of a key whose BEGIN line is out of view (`logs --tail`);
// short words are not held (a key's last line ends with `=` or is long enough to matter).
const BASE64_LINE = /^(?:[A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9+/]+={1,2})$/;
// Full-width PEM body lines (RFC 7468: 64 characters; MIME: 76).
const PEM_WIDTH_LINE = /^(?:[A-Za-z0-9+/]{64}|[A-Za-z0-9+/]{76})$/;
const MAX_HELD_LINES = 200;

/**
 * Masks a text stream line by line. A private key block is masked from its BEGIN line through its
 * END line. Lines of base64 only are held back until the next other line shows what they were: the
 * body of a key whose BEGIN was cut off by `--tail` (END follows: masked), or not (released; full
 * PEM-width lines are masked anyway). A line longer than maxValueChars is masked and emitted in
 * pieces (a secret cut in two there may escape the value patterns, so the limit is generous).
 */
export function createLineMasker(ctx: MaskContext, limits: StreamLimits): StreamMasker {
  let pending = '';
  let inKey = false;
  let held: string[] = [];

  const release = (asKey: boolean): string => {
    if (held.length === 0) return '';
    const out = held
      .map((l) => {
        if (!asKey && !PEM_WIDTH_LINE.test(l)) return `${maskString(l, ctx)}\n`;
        return `${MASK_MARKER}\n`;
      })
      .join('');
    if (asKey || held.some((l) => PEM_WIDTH_LINE.test(l))) ctx.counter.masked++;
    held = [];
    return out;
  };

  const maskLine = (line: string): string => {
    if (inKey) {
      const end = KEY_END.exec(line);
      if (end === null) return line === '' ? '\n' : `${MASK_MARKER}\n`;
      inKey = false;
      return `${MASK_MARKER}${maskString(line.slice(end.index + end[0].length), ctx)}\n`;
    }
    const begin = KEY_BEGIN.exec(line);
    if (begin !== null && !KEY_END.test(line.slice(begin.index))) {
      inKey = true;
      ctx.counter.masked++;
      return `${release(false)}${maskString(line.slice(0, begin.index), ctx)}${MASK_MARKER}\n`;
    }
    if (BASE64_LINE.test(line)) {
      held.push(line);
      return held.length >= MAX_HELD_LINES ? release(false) : '';
    }
    const end = KEY_END.exec(line);
    if (end !== null && begin === null) {
      const body = release(true);
      if (body === '') ctx.counter.masked++;
      return `${body}${MASK_MARKER}${maskString(line.slice(end.index + end[0].length), ctx)}\n`;
    }
    return `${release(false)}${maskString(line, ctx)}\n`;
  };

  return {
    push(text) {
      pending += text;
      let out = '';
      let nl = pending.indexOf('\n');
      let from = 0;
      while (nl !== -1) {
        out += maskLine(pending.slice(from, nl));
        from = nl + 1;
        nl = pending.indexOf('\n', from);
      }
      pending = pending.slice(from);
      if (pending.length > limits.maxValueChars) {
        out += release(false) + maskString(pending, ctx);
        pending = '';
      }
      return out;
    },
    end() {
      // The last line has no newline: it is masked as it stands, never held.
      const last = pending === '' ? '' : inKey ? MASK_MARKER : maskString(pending, ctx);
      pending = '';
      return release(false) + last;
    },
  };
}

/**
 * `+` as a space and every well-formed `%XX` run decoded; a malformed escape stays as written and does not stop the
 * rest from being decoded (one `%zz` in a query must not leave `secret-id%3D…` unmasked; Go drops that pair and
 * serves the request).
 */
function decodeLeniently(uri: string): string {
  const spaced = uri.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * A request URI as it may be logged: the query decoded and masked by the value patterns
 * (`?labelSelector=token%3D…`); unchanged when nothing in it looks secret.
 */
export function maskRequestUri(uri: string, ctx: MaskContext): string {
  const decoded = decodeLeniently(uri);
  const before = ctx.counter.masked;
  const masked = maskString(decoded, ctx);
  return ctx.counter.masked === before ? uri : masked;
}

/**
 * An exec command line (`?command=…` argv) as it may be stored or shown: each argument masked by the value
 * patterns, as the audit masks the same arguments in the request URI. A private key block opened in one
 * argument and closed in a later one is masked across them (the URI masker sees them as one text).
 */
export function maskArgv(argv: readonly string[], ctx: MaskContext): string[] {
  let inKey = false;
  return argv.map((arg) => {
    if (inKey) {
      const end = KEY_END.exec(arg);
      if (end === null) return arg === '' ? arg : MASK_MARKER;
      inKey = false;
      return `${MASK_MARKER}${maskString(arg.slice(end.index + end[0].length), ctx)}`;
    }
    let lastBegin = -1;
    for (const m of arg.matchAll(KEY_BEGIN_ALL)) lastBegin = m.index;
    // The private-key pattern masks an unterminated block to the end of this argument; the next ones follow.
    if (lastBegin !== -1 && !KEY_END.test(arg.slice(lastBegin))) inKey = true;
    return maskString(arg, ctx);
  });
}
