/**
 * The CLI's one time format: absolute times in the local zone as `2026-12-02 15:04:05` (sortable, no `T`/`Z`
 * to decode), relative ones as `5m ago` / `in 12m`. Machine output (`-o json`, exports) keeps RFC 3339 UTC.
 */
import { formatDuration } from './duration.js';

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * `2026-12-02 15:04:05` in the zone `offsetMinutes` east of UTC (default: the local zone at that instant,
 * which follows `TZ`); `-` for a missing or unparseable time.
 */
export function formatTime(at: string | number | null | undefined, offsetMinutes?: number): string {
  if (at === null || at === undefined) return '-';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return '-';
  const offset = offsetMinutes ?? -new Date(ms).getTimezoneOffset();
  const d = new Date(ms + offset * 60_000);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** Short duration for a relative time: the two largest units (`1h 5m`, `12m`, `45s`). */
function short(seconds: number): string {
  return formatDuration(seconds).split(' ').slice(0, 2).join(' ');
}

/** `5m ago` for a past instant, `in 12m` for a future one, `now` within a second; `-` when unknown. */
export function formatRelative(at: string | number | null | undefined, nowMs: number): string {
  if (at === null || at === undefined) return '-';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return '-';
  const seconds = (ms - nowMs) / 1000;
  if (Math.abs(seconds) < 1) return 'now';
  return seconds > 0 ? `in ${short(seconds)}` : `${short(-seconds)} ago`;
}

/** Both: `2026-12-02 15:04:05 (in 12m)`, for messages that name a deadline. */
export function formatTimeAndRelative(at: string | number, nowMs: number, offsetMinutes?: number): string {
  return `${formatTime(at, offsetMinutes)} (${formatRelative(at, nowMs)})`;
}
