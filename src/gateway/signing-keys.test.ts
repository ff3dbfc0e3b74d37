import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSqliteStore } from '../store/sqlite-store.js';
import { acceptedUntil, loadSigningKeys } from './signing-keys.js';

const HOUR = 3_600_000;
const rec = (kid: string, at: number, retiredAt?: number) => ({
  kid,
  alg: 'ES256',
  privateJwk: '{}',
  publicJwk: '{}',
  createdAt: new Date(at).toISOString(),
  ...(retiredAt === undefined ? {} : { retiredAt: new Date(retiredAt).toISOString() }),
});

test('acceptedUntil: current forever, a replaced key until its successor + pick-up + token life, a retired key until retiredAt', () => {
  const got = acceptedUntil([rec('k2', 10 * HOUR), rec('k1', 0), rec('k3', 20 * HOUR, 21 * HOUR), rec('k4', 30 * HOUR)], HOUR, 10_000);
  assert.deepEqual(Object.fromEntries(got), { k1: 10 * HOUR + 10_000 + HOUR, k2: 20 * HOUR + 10_000 + HOUR, k3: 21 * HOUR, k4: Infinity });
});

test('automatic rotation: a new key once the current is rotateEvery old; the old one leaves JWKS once its tokens expired', async () => {
  const store = await openSqliteStore(':memory:');
  let now = Date.parse('2026-01-01T00:00:00Z');
  const logs: string[] = [];
  const keys = await loadSigningKeys(store, {
    now: () => now,
    maxTokenLifetimeSeconds: 3600,
    rotateEverySeconds: 24 * 3600,
    reloadIntervalMs: 0,
    log: (l) => logs.push(l),
  });
  const first = keys.current.kid;
  now += 23 * HOUR;
  await keys.reload();
  assert.equal(keys.current.kid, first, 'not yet due');
  now += HOUR;
  await keys.reload();
  const second = keys.current.kid;
  assert.notEqual(second, first);
  assert.equal((await store.getSigningKeys()).length, 2);
  assert.deepEqual(
    keys
      .jwks()
      .keys.map((k) => k.kid)
      .sort(),
    [first, second].sort(),
  );
  assert.ok(await keys.publicKey(first));
  now += HOUR - 1;
  assert.ok(keys.accepts(first), 'a token signed just before the rotation may still be alive');
  now += 2;
  assert.ok(!keys.accepts(first));
  assert.equal(await keys.publicKey(first), undefined);
  assert.deepEqual(
    keys.jwks().keys.map((k) => k.kid),
    [second],
  );
  assert.ok(
    logs.some((l) => l.includes('signing key rotated')),
    logs.join('\n'),
  );
  keys.close();
  await store.close();
});
