/**
 * Masks a watch stream event by event: each event is buffered only until its last byte
 * (kube-apiserver sends one JSON object plus a newline per event, but one event may span several
 * reads: fixtures README §13) and emitted, masked and newline-terminated, at once.
 */
import { HoopError } from '../errors.js';
import { parseJsonValue, tooLarge, type StreamLimits, type StreamMasker } from './json-stream.js';
import { maskDocument, type MaskContext } from './mask-object.js';

/** Masks a watch stream: a sequence of JSON events, each emitted (masked, newline-terminated) as soon as it is complete. */
export function createWatchMasker(ctx: MaskContext, limits: StreamLimits): StreamMasker {
  let event = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  return {
    push(text) {
      let out = '';
      let from = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 0x5c) escaped = true;
          else if (c === 0x22) inString = false;
          continue;
        }
        if (c === 0x22) {
          if (depth === 0) throw new HoopError('upstream_error', 'the watch stream carries something other than JSON objects');
          inString = true;
        } else if (c === 0x7b || c === 0x5b) {
          if (depth === 0) from = i;
          depth++;
        } else if (c === 0x7d || c === 0x5d) {
          depth--;
          if (depth === 0) {
            event += text.slice(from, i + 1);
            grow(event);
            out += `${JSON.stringify(maskDocument(parseJsonValue(event, 'a watch event'), ctx))}\n`;
            event = '';
            from = i + 1;
          } else if (depth < 0) throw new HoopError('upstream_error', 'the watch stream is not JSON');
        } else if (depth === 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
          throw new HoopError('upstream_error', 'the watch stream carries something other than JSON objects');
        }
      }
      if (depth > 0) {
        event += text.slice(from);
        grow(event);
      }
      return out;
    },
    end() {
      if (depth !== 0 || inString) throw new HoopError('upstream_error', 'the watch stream ended inside an event');
      return '';
    },
  };

  function grow(text: string): void {
    if (text.length > limits.maxValueChars) throw tooLarge('a watch event', limits.maxValueChars);
  }
}
