/**
 * How deep a JSON document the maskers walk. The walk is recursive (three frames a level), so a body
 * nested tens of thousands of levels would overflow the stack and end as a 500. 512 levels is far
 * beyond any built-in kind (a Pod is about 15 deep) and is what many JSON parsers allow; it stays
 * well under where Node's default stack runs out (about 2,000 levels for this walk, measured).
 * kube-apiserver accepts up to 10,000 levels, so a custom resource nested deeper than 512 is
 * answered "cannot mask" (502) and refused as a request body (400) rather than passed unmasked.
 */
import { HoopError } from '../errors.js';

/** Deepest nesting (objects and arrays) the maskers accept. */
export const MAX_JSON_DEPTH = 512;

/** Thrown by the maskers for a document nested deeper than MAX_JSON_DEPTH. */
export class JsonTooDeepError extends HoopError {
  /** The limit that was exceeded. */
  readonly limit = MAX_JSON_DEPTH;

  constructor() {
    super('upstream_error', `the JSON nests deeper than ${MAX_JSON_DEPTH} levels, which the gateway does not mask`);
  }
}

/** The next nesting level; throws JsonTooDeepError past the limit. */
export function deeper(level: number): number {
  if (level >= MAX_JSON_DEPTH) throw new JsonTooDeepError();
  return level + 1;
}
