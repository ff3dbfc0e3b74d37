import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBodyBudget } from './body-budget.js';

test('body budget: per-session and overall limits refuse the chunk that would pass them; release gives back exactly what was held', () => {
  const b = createBodyBudget({ totalBytes: 100, perSessionBytes: 60 });
  const a1 = b.open('a');
  const a2 = b.open('a');
  const c = b.open('c');
  assert.equal(a1.take(40), true);
  assert.equal(a2.take(30), false, 'session a would hold 70 > 60');
  assert.equal(a2.take(20), true);
  assert.equal(c.take(50), false, 'overall 110 > 100');
  assert.equal(c.take(40), true);
  assert.deepEqual(b.held(), { total: 100, sessions: 2 });
  a1.release();
  a1.release();
  assert.deepEqual(b.held(), { total: 60, sessions: 2 });
  assert.equal(b.open('d').take(40), true);
  a2.release();
  c.release();
  assert.deepEqual(b.held(), { total: 40, sessions: 1 });
});
