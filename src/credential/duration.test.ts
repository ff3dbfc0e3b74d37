import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from '../errors.js';
import { formatDuration, parseDuration } from './duration.js';

test('parseDuration', () => {
  const cases: [string, number][] = [
    ['15m', 900],
    ['1h30m', 5400],
    ['90s', 90],
    ['2h', 7200],
    ['1h2m3s', 3723],
    ['1h0m', 3600],
    [' 5m ', 300],
    ['120m', 7200],
  ];
  for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text);
});

test('parseDuration refuses bad input with a usage error', () => {
  for (const text of ['', '15', '15x', 'm', '1m1h', '1m1m', '0s', '0h0m', '-5m', '1.5h', '1h 30m', '15M', 'h1']) {
    assert.throws(
      () => parseDuration(text),
      (e: unknown) => isHoopError(e, 'usage') && e.hint !== undefined,
      text,
    );
  }
});

test('formatDuration', () => {
  const cases: [number, string][] = [
    [899, '14m 59s'],
    [0, '0s'],
    [-3, '0s'],
    [59.9, '59s'],
    [60, '1m'],
    [3600, '1h'],
    [5400, '1h 30m'],
    [3661, '1h 1m 1s'],
    [90000, '25h'],
    [NaN, '0s'],
  ];
  for (const [seconds, text] of cases) assert.equal(formatDuration(seconds), text, String(seconds));
});
