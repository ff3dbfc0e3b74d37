import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createLiveStreams, type LiveStreams } from './live-streams.js';

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

// One stream of session s1 that ends 80 ms after 1 s on the gateway clock; mocked timers, so the test decides when time passes.
function streamEndingIn80ms(t: TestContext): { streams: LiveStreams; clock: { ms: number }; reason: () => string | undefined } {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const clock = { ms: 1_000 };
  const streams = createLiveStreams(() => clock.ms);
  let reason: string | undefined;
  streams.add('s1', clock.ms + 80, {
    close: (r) => {
      reason = r;
    },
  });
  return { streams, clock, reason: () => reason };
}

test('the expiry timer closes the streams at the session end', (t) => {
  // The mocked timers and the gateway clock advance together.
  const { streams, clock, reason } = streamEndingIn80ms(t);
  const advance = (ms: number): void => {
    clock.ms += ms;
    t.mock.timers.tick(ms);
  };
  advance(79);
  assert.equal(reason(), undefined, 'open until the end');
  advance(1);
  assert.equal(reason(), 'session expired');
  assert.equal(streams.count(), 0);
});

test('a timer that fires before the clock reached the end is armed again', (t) => {
  const { clock, reason } = streamEndingIn80ms(t);
  // The timer fires at 80 ms, but the gateway clock only says 50 ms passed (timers and clocks drift apart).
  clock.ms += 50;
  t.mock.timers.tick(80);
  assert.equal(reason(), undefined, 'not ended while the clock says the session is still valid');
  clock.ms += 30;
  t.mock.timers.tick(30);
  assert.equal(reason(), 'session expired');
});

test('a throwing stream does not keep the others open; closeAll clears everything', () => {
  const streams = createLiveStreams(() => 0);
  let closed = 0;
  streams.add('s1', 60_000, {
    close: () => {
      throw new Error('boom');
    },
  });
  streams.add('s1', 60_000, {
    close: () => {
      closed++;
    },
  });
  streams.add('s2', 60_000, {
    close: () => {
      closed++;
    },
  });
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
