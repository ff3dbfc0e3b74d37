/** How long a session may live: what was asked, within the connection's limits. */
import { HoopError } from '../errors.js';

/** Shortest session worth issuing: less than a minute is gone before kubectl finishes discovery. */
export const MIN_SESSION_TTL_SECONDS = 60;

/**
 * Seconds to grant: `requested` (or `defaultTtl`), at least 60 s, never more than `maxTtl`.
 * The cap wins over the floor, so a misconfigured max below a minute is still honoured.
 */
export function grantTtl(requested: number | undefined, defaultTtl: number, maxTtl: number): number {
  if (requested !== undefined && (!Number.isFinite(requested) || requested <= 0)) {
    throw new HoopError('usage', `requested session length ${requested} is not a positive number of seconds`);
  }
  const wanted = Math.floor(requested ?? defaultTtl);
  return Math.min(Math.floor(maxTtl), Math.max(MIN_SESSION_TTL_SECONDS, wanted));
}
