import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLiveStreams } from './live-streams.js';

test('closeSession closes every stream of that session only', () => {
  const streams = createLiveStreams(() => 0);
  const closed: string[] = [];
  streams.add('s1', 60_000, { close: (r) => closed.push(`a:${r}`) });
  streams.add('s1', 60_000, { close: (r) => closed.push(`b:${r}`) });
  const untrackC = streams.add('s2', 60_000, { close: () => closed.push('c') });
  assert.equal(streams.count(), 3);
  assert.equal(streams.closeSession('s1', 'revoked'), 2);
  assert.deepEqual(closed, ['a:revoked', 'b:revoked']);
  assert.equal(streams.count('s1'), 0);
  untrackC();
  assert.equal(streams.count(), 0);
  assert.equal(streams.closeSession('s2', 'x'), 0);
  assert.deepEqual(closed, ['a:revoked', 'b:revoked']);
});

test('the expiry timer closes the streams at the session end', async () => {
  const start = Date.now();
  const streams = createLiveStreams(() => Date.now());
  let reason: string | undefined;
  streams.add('s1', start + 80, { close: (r) => { reason = r; } });
  await sleep(30);
  assert.equal(reason, undefined);
  await sleep(150);
  assert.equal(reason, 'session expired');
  assert.equal(streams.count(), 0);
});

test('a throwing stream does not keep the others open; closeAll clears everything', () => {
  const streams = createLiveStreams(() => 0);
  let closed = 0;
  streams.add('s1', 60_000, { close: () => { throw new Error('boom'); } });
  streams.add('s1', 60_000, { close: () => { closed++; } });
  streams.add('s2', 60_000, { close: () => { closed++; } });
  streams.closeAll('stopping');
  assert.equal(closed, 2);
  assert.equal(streams.count(), 0);
});

test('a stream registered after its session was closed or expired is closed at once', () => {
  const streams = createLiveStreams(() => 1_000);
  const reasons: string[] = [];
  streams.closeSession('s1', 'revoked');
  streams.add('s1', 60_000, { close: (r) => reasons.push(r) });
  streams.add('s2', 999, { close: (r) => reasons.push(r) });
  assert.deepEqual(reasons, ['session ended', 'session expired']);
  assert.equal(streams.count(), 0);
});
