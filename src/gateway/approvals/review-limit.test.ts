import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reviewLimitStatus, reviewRetryAfter } from './review-limit.js';

const NOW = 1_000_000_000;
const limit = { max: 3, windowSeconds: 60 };

test('reviewRetryAfter: a sliding window per session', () => {
  const cases: [string, number[], number | undefined][] = [
    ['none yet', [], undefined],
    ['below the cap', [NOW - 10_000, NOW - 5_000], undefined],
    ['at the cap: wait until the oldest leaves the window', [NOW - 50_000, NOW - 20_000, NOW - 1_000], 10],
    ['old reviews do not count', [NOW - 61_000, NOW - 60_000, NOW - 20_000, NOW - 1_000], undefined],
    ['over the cap (concurrent creations): the wait counts from the review that brings it under', [NOW - 50_000, NOW - 40_000, NOW - 30_000, NOW - 1_000], 20],
    ['never less than a second', [NOW - 59_999, NOW - 2, NOW - 1], 1],
    ['unsorted input', [NOW - 1_000, NOW - 50_000, NOW - 20_000], 10],
  ];
  for (const [name, opened, want] of cases) assert.equal(reviewRetryAfter(opened, limit, NOW), want, name);
});

test('reviewLimitStatus: a 429 kubectl prints, naming the setting and the wait', () => {
  const s = reviewLimitStatus(limit, 12, 'prod');
  assert.equal(s.code, 429);
  assert.equal(s.reason, 'TooManyRequests');
  assert.deepEqual(s.details, { retryAfterSeconds: 12 });
  assert.match(s.message, /approvals\.reviewsPerSession/);
  assert.match(s.message, /try again in 12s/);
});
