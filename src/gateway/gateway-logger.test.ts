import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGatewayLogger } from './gateway-logger.js';

function sink(isTTY: boolean): { lines: string[]; stream: { write(c: string): void; isTTY: boolean } } {
  const lines: string[] = [];
  return {
    lines,
    stream: {
      isTTY,
      write: (c: string) => {
        lines.push(...c.split('\n').filter((l) => l !== ''));
      },
    },
  };
}

test('JSON lines when stderr is not a TTY: level, time, message and fields; token-like fields censored', () => {
  const s = sink(false);
  const log = createGatewayLogger({ stream: s.stream });
  log('request denied', {
    requestId: 'a1',
    connection: 'prod',
    user: 'alice',
    decision: 'deny',
    status: 403,
    authorization: 'Bearer xyz',
    sessionToken: 'abc',
  });
  log('WARNING: connection x: TLS verification of the upstream is OFF');
  log('unhandled gateway error: boom');
  const [a, b, c] = s.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(a!.level, 'info');
  assert.equal(a!.msg, 'request denied');
  assert.deepEqual([a!.requestId, a!.connection, a!.user, a!.decision, a!.status], ['a1', 'prod', 'alice', 'deny', 403]);
  assert.equal(a!.authorization, '[redacted]');
  assert.equal(a!.sessionToken, '[redacted]');
  assert.ok(!s.lines.join('\n').includes('xyz') && !s.lines.join('\n').includes('abc'));
  assert.match(String(a!.time), /^\d{4}-\d\d-\d\dT/);
  assert.equal(b!.level, 'warn');
  assert.equal(c!.level, 'error');
});

test('a human format on a TTY (or when asked)', () => {
  const s = sink(true);
  createGatewayLogger({ stream: s.stream, now: () => Date.parse('2026-01-01T00:00:00Z') })('gateway listening on http://127.0.0.1:1', {
    connection: 'prod',
    note: 'two words',
  });
  assert.deepEqual(s.lines, ['2026-01-01T00:00:00.000Z INFO  gateway listening on http://127.0.0.1:1 connection=prod note="two words"']);
  const j = sink(true);
  createGatewayLogger({ stream: j.stream, format: 'json' })('x');
  assert.equal(JSON.parse(j.lines[0]!).msg, 'x');
});
