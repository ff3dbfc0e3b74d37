import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepAlivePlan, keepsSession } from './keep-alive.js';

test('the plan: the flag wins; GUI launchers without a wait flag are watched; everything else is a plain exec', () => {
  assert.equal(keepAlivePlan(['kubectl', 'get', 'pods'], undefined), 'never');
  assert.equal(keepAlivePlan(['cursor', '.'], undefined), 'if-launcher-returns');
  assert.equal(keepAlivePlan(['/usr/local/bin/code', '.'], undefined), 'if-launcher-returns');
  assert.equal(keepAlivePlan(['cursor', '--wait', '.'], undefined), 'never');
  assert.equal(keepAlivePlan(['code', '-w', 'x'], undefined), 'never');
  assert.equal(keepAlivePlan(['cursor', '.'], false), 'never');
  assert.equal(keepAlivePlan(['claude'], true), 'always');
});

test('a launcher that returned 0 at once keeps the session; a slow, failing or killed one does not', () => {
  const ok = { code: 0, signal: null };
  assert.equal(keepsSession('if-launcher-returns', ok, 300), true);
  assert.equal(keepsSession('if-launcher-returns', ok, 5000), false);
  assert.equal(keepsSession('if-launcher-returns', { code: 1, signal: null }, 300), false);
  assert.equal(keepsSession('always', { code: 3, signal: null }, 9000), true);
  assert.equal(keepsSession('always', { code: 130, signal: 'SIGINT' }, 100), false);
  assert.equal(keepsSession('always', { code: 127, signal: null, spawnError: 'command not found: x' }, 10), false);
  assert.equal(keepsSession('never', ok, 10), false);
});
