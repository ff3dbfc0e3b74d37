/**
 * Masks a watch stream event by event: each event is buffered only until its last byte
 * (kube-apiserver sends one JSON object plus a newline per event, but one event may span several
 * reads: fixtures README §13) and emitted, masked and newline-terminated, at once.
 */
import { HoopError } from '../errors.js';
import { parseJsonValue, tooLarge, type StreamLimits, type StreamMasker } from './json-stream.js';
import { CLOSE_BRACE, CLOSE_BRACKET, createJsonScanner, OPEN_BRACE, OPEN_BRACKET, QUOTE, SCAN_END, SCAN_STRING_END } from './json-scanner.js';
import { maskDocument, type MaskContext } from './mask-object.js';

const notObjects = (): HoopError => new HoopError('upstream_error', 'the watch stream carries something other than JSON objects');

/** Masks a watch stream: a sequence of JSON events, each emitted (masked, newline-terminated) as soon as it is complete. */
export function createWatchMasker(ctx: MaskContext, limits: StreamLimits): StreamMasker {
  const scanner = createJsonScanner();
  let event = '';
  return {
    push(text) {
      let out = '';
      let from = 0;
      scanner.feed(text);
      for (let c = scanner.next(); c !== SCAN_END; c = scanner.next()) {
        const depth = scanner.depth();
        if (c === SCAN_STRING_END) continue;
        if (c === QUOTE) {
          if (depth === 0) throw notObjects();
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          if (depth === 1) from = scanner.at();
        } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          if (depth === 0) {
            event += text.slice(from, scanner.at() + 1);
            grow(event);
            out += `${JSON.stringify(maskDocument(parseJsonValue(event, 'a watch event'), ctx))}\n`;
            event = '';
          } else if (depth < 0) throw new HoopError('upstream_error', 'the watch stream is not JSON');
        } else if (depth === 0) {
          throw notObjects();
        }
      }
      if (scanner.depth() > 0) {
        event += text.slice(from);
        grow(event);
      }
      return out;
    },
    end() {
      if (scanner.depth() !== 0 || scanner.inString()) throw new HoopError('upstream_error', 'the watch stream ended inside an event');
      return '';
    },
  };

  function grow(text: string): void {
    if (text.length > limits.maxValueChars) throw tooLarge('a watch event', limits.maxValueChars);
  }
}
