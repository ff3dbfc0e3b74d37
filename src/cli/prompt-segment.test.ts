import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPromptSegment, formatRemaining } from './prompt-segment.js';

const now = new Date('2026-12-02T14:00:00Z');
const session = { HOOP_SESSION: 's-1', HOOP_CONNECTION: 'demo', HOOP_EXPIRES_AT: '2026-12-02T14:12:30Z' };

test('formatPromptSegment: connection, role and time left; empty outside a session', () => {
  const cases: [NodeJS.ProcessEnv, boolean, string][] = [
    [{}, true, ''],
    [{ HOOP_CONNECTION: 'demo' }, true, ''],
    [session, true, '⎈ demo 12m'],
    [{ ...session, HOOP_ROLE: 'edit' }, true, '⎈ demo:edit 12m'],
    [{ ...session, HOOP_EXPIRES_AT: '2026-12-02T13:59:59Z' }, true, '⎈ demo expired'],
    [{ ...session, HOOP_ROLE: 'edit' }, false, '⎈ demo:edit ended'],
    [{ ...session, HOOP_EXPIRES_AT: 'soon' }, true, '⎈ demo ?'],
    [{ ...session, HOOPCTL_PROMPT_SYMBOL: '' }, true, 'demo 12m'],
  ];
  for (const [env, present, want] of cases) assert.equal(formatPromptSegment(env, now, present), want, JSON.stringify(env));
});

test('formatRemaining: seconds, minutes, hours', () => {
  assert.deepEqual([0, 45, 60, 719, 3600, 3900, 7260].map(formatRemaining), ['0s', '45s', '1m', '11m', '1h', '1h5m', '2h1m']);
});
