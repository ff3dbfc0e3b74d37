import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatRelative, formatTime, formatTimeAndRelative } from './time-format.js';

test('formatTime: local wall-clock time in one sortable format; the zone is a parameter', () => {
  const cases: [string | number | null, number, string][] = [
    ['2026-12-02T15:04:05.123Z', 0, '2026-12-02 15:04:05'],
    ['2026-12-02T15:04:05Z', 60, '2026-12-02 16:04:05'],
    ['2026-12-31T23:30:00Z', 90, '2027-01-01 01:00:00'],
    ['2026-01-01T00:10:00Z', -300, '2025-12-31 19:10:00'],
    [Date.parse('2026-06-01T08:00:00Z'), 0, '2026-06-01 08:00:00'],
    [null, 0, '-'],
    ['not a time', 0, '-'],
  ];
  for (const [at, offset, want] of cases) assert.equal(formatTime(at, offset), want, `${String(at)} at ${offset}`);
  // Without an offset, the process's zone (TZ) decides; the shape is the same.
  assert.match(formatTime('2026-12-02T15:04:05Z'), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
});

test('formatRelative: "5m ago" and "in 12m", two units at most', () => {
  const now = Date.parse('2026-12-02T15:00:00Z');
  const cases: [string | null, string][] = [
    ['2026-12-02T14:55:00Z', '5m ago'],
    ['2026-12-02T15:12:00Z', 'in 12m'],
    ['2026-12-02T15:00:00.400Z', 'now'],
    ['2026-12-02T13:49:30Z', '1h 10m ago'],
    ['2026-12-02T15:00:45Z', 'in 45s'],
    [null, '-'],
  ];
  for (const [at, want] of cases) assert.equal(formatRelative(at, now), want, String(at));
  assert.equal(formatTimeAndRelative('2026-12-02T15:12:00Z', now, 0), '2026-12-02 15:12:00 (in 12m)');
});
