/** Human durations for flags and config (`15m`, `1h30m`, `90s`), in whole seconds. */
import { HoopError } from '../errors.js';

const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1 };

/**
 * Parses `2h`, `15m`, `90s`, `1h30m`, `1h2m3s` into seconds. Units go from largest to smallest,
 * each at most once; a bare number is refused (seconds or minutes? the caller would have to guess).
 */
export function parseDuration(text: string): number {
  const bad = (why: string): never => {
    throw new HoopError('usage', `invalid duration ${JSON.stringify(text)}: ${why}`, { hint: 'use e.g. 90s, 15m, 1h or 1h30m' });
  };
  const trimmed = text.trim();
  if (trimmed === '') bad('empty');
  if (/^[0-9]+$/.test(trimmed)) bad('a unit (h, m or s) is required');
  const re = /([0-9]+)([hms])/gy;
  let seconds = 0;
  let lastUnit = Infinity;
  let end = 0;
  for (const m of trimmed.matchAll(re)) {
    const unit = UNIT_SECONDS[m[2] ?? ''] ?? 0;
    if (unit >= lastUnit) bad('units must go from hours to seconds, each once');
    lastUnit = unit;
    seconds += Number(m[1]) * unit;
    end = (m.index ?? 0) + m[0].length;
  }
  if (end !== trimmed.length) bad('expected numbers followed by h, m or s');
  if (seconds <= 0) bad('must be longer than zero');
  if (!Number.isSafeInteger(seconds)) bad('too long');
  return seconds;
}

/** Formats seconds for people: `14m 59s`, `1h 30m`, `45s`, `0s` (negative counts as 0, fractions are dropped). */
export function formatDuration(seconds: number): string {
  let rest = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const parts: string[] = [];
  for (const [unit, size] of Object.entries(UNIT_SECONDS)) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
  }
  return parts.length === 0 ? '0s' : parts.join(' ');
}
