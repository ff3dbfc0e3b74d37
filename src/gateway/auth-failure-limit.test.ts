import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuthFailureLimiter, OTHER_SOURCES, sourceKey } from './auth-failure-limit.js';

test('sources: IPv4 as is (also IPv4-mapped), IPv6 by its /64, none as unknown', () => {
  for (const [ip, key] of [
    ['10.0.0.7', '10.0.0.7'],
    ['::ffff:10.0.0.7', '10.0.0.7'],
    [null, 'unknown'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:0db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ] as const)
    assert.equal(sourceKey(ip), key, String(ip));
});

test('a bucket per source: the burst, then the refill rate; refusals counted into one batch per interval', () => {
  const l = createAuthFailureLimiter({ perSecond: 2, burst: 3, intervalMs: 10_000, maxSources: 10 });
  const t0 = 1_000_000;
  assert.deepEqual(
    [1, 2, 3].map(() => l.take('10.0.0.1', t0)),
    [undefined, undefined, undefined],
  );
  assert.deepEqual(l.take('10.0.0.1', t0), { retryAfterSeconds: 1 });
  assert.equal(l.take('10.0.0.2', t0), undefined, 'another source has its own bucket');
  assert.equal(l.take('10.0.0.1', t0 + 500), undefined, 'one token back after 1/perSecond');
  assert.deepEqual(l.take('10.0.0.1', t0 + 600), { retryAfterSeconds: 1 });
  assert.deepEqual(l.due(t0 + 9_999), [], 'the batch waits for its interval');
  assert.deepEqual(l.due(t0 + 10_000), [{ source: '10.0.0.1', count: 2, firstMs: t0, lastMs: t0 + 600 }]);
  assert.deepEqual(l.due(t0 + 20_000), [], 'written once');
  l.take('10.0.0.1', t0 + 20_000);
  assert.deepEqual(l.due(t0 + 20_000, true), [], 'nothing refused, nothing to write');
});

test('the sources tracked are bounded: idle ones are forgotten, past the bound new sources share one bucket', () => {
  const l = createAuthFailureLimiter({ perSecond: 1, burst: 1, intervalMs: 1000, maxSources: 2 });
  l.take('10.0.0.1', 0);
  l.take('10.0.0.2', 0);
  assert.equal(l.take('10.0.0.3', 0), undefined, 'the shared bucket has its burst');
  assert.deepEqual(l.take('10.0.0.4', 0), { retryAfterSeconds: 1 }, 'and is shared');
  assert.deepEqual(
    l.due(0, true).map((b) => [b.source, b.count]),
    [[OTHER_SOURCES, 1]],
  );
  // A second later every bucket is full again: the sources are forgotten and a new one gets its own bucket.
  assert.equal(l.take('10.0.0.5', 1000), undefined);
  assert.equal(l.take('10.0.0.6', 1000), undefined);
  assert.deepEqual(l.take('10.0.0.6', 1000), { retryAfterSeconds: 1 });
  assert.deepEqual(
    l.due(1000, true).map((b) => b.source),
    ['10.0.0.6'],
  );
});
