/** The one stored form of an instant, shared by both stores. */
import { HoopError } from '../errors.js';

/**
 * An instant as the one RFC 3339 form both stores answer with (toISOString: UTC, milliseconds); throws store_error on
 * garbage. SQLite compares times as strings, so every stored instant must use this one format.
 */
export function iso(value: string, what: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new HoopError('store_error', `${what} is not an RFC 3339 time: ${JSON.stringify(value)}`);
  return new Date(t).toISOString();
}
