import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from '../errors.js';
import { grantTtl } from './session-ttl.js';

test('grantTtl: requested or default, at least 60 s, never above the max', () => {
  const cases: [requested: number | undefined, def: number, max: number, granted: number][] = [
    [undefined, 900, 3600, 900],
    [1800, 900, 3600, 1800],
    [7200, 900, 3600, 3600],
    [10, 900, 3600, 60],
    [90.7, 900, 3600, 90],
    [undefined, 7200, 3600, 3600],
    [undefined, 900, 30, 30], // the cap wins over the floor
  ];
  for (const [requested, def, max, granted] of cases) assert.equal(grantTtl(requested, def, max), granted, `${requested}/${def}/${max}`);
});

test('grantTtl refuses a non-positive request', () => {
  for (const bad of [0, -1, NaN, Infinity])
    assert.throws(
      () => grantTtl(bad, 900, 3600),
      (e: unknown) => isHoopError(e, 'usage'),
      String(bad),
    );
});
