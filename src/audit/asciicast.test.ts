import { test } from 'node:test';
import assert from 'node:assert/strict';
import { castEventLine, castFile, castHeader, parseCast } from './asciicast.js';

test('a cast built from header and event lines parses back against the v2 rules', () => {
  const header = castHeader({ width: 100, height: 30, startedAt: '2026-01-01T00:00:01.500Z', title: 'kubectl exec web -- sh', command: ['sh'], tty: true });
  assert.deepEqual(header, {
    version: 2,
    width: 100,
    height: 30,
    timestamp: 1767225601,
    command: 'sh',
    title: 'kubectl exec web -- sh',
    env: { TERM: 'xterm-256color', SHELL: '/bin/sh' },
  });
  const text = castFile(header, castEventLine(0.1234567, 'o', 'a"\n\u001b[1m') + castEventLine(0.5, 'r', '80x24') + castEventLine(0.5, 'm', 'cap'));
  const cast = parseCast(text);
  assert.deepEqual(cast.events, [
    [0.123457, 'o', 'a"\n\u001b[1m'],
    [0.5, 'r', '80x24'],
    [0.5, 'm', 'cap'],
  ]);
});

test('parseCast names the first line that breaks the format', () => {
  const h = '{"version":2,"width":80,"height":24}';
  assert.throws(() => parseCast('{"version":1,"width":80,"height":24}\n'), /line 1: version is 1/);
  assert.throws(() => parseCast(`${h}\n[1, "o", "x"]\n[0.5, "o", "y"]\n`), /line 3: times must not go backwards/);
  assert.throws(() => parseCast(`${h}\n[1, "x", "x"]\n`), /line 2: unknown event code/);
  assert.throws(() => parseCast(`${h}\n[1, "r", "wide"]\n`), /line 2: a resize is COLSxROWS/);
  assert.throws(() => parseCast(`${h}\n[1, "o"]\n`), /line 2: an event is a 3-element array/);
});
