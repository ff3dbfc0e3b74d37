import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auditEvent } from './audit-event.js';
import { cutText, MAX_GROUPS, MAX_NAME_CHARS, MAX_USER_AGENT_CHARS } from './bounded-fields.js';

const base = { auditID: 'a', stage: 'ResponseComplete', time: '2026-12-02T00:00:00.000Z', verb: 'get', requestURI: '/api', decision: 'deny' } as const;

test('cutText keeps short text, cuts long text at the limit with its length and a digest that tells two long texts apart', () => {
  for (const [s, max, kept] of [
    ['abc', 3, 'abc'],
    ['', 0, ''],
    ['abcd', 3, 'abc'],
  ] as const) {
    const out = cutText(s, max);
    assert.equal(out.startsWith(kept), true);
    assert.equal(out === s, s.length <= max);
  }
  const a = cutText(`${'x'.repeat(600)}a`, 512);
  const b = cutText(`${'x'.repeat(600)}b`, 512);
  assert.match(a, /^x{512}…\[cut: 601 characters, sha256:[0-9a-f]{16}\]$/);
  assert.notEqual(a, b);
});

test('every caller-controlled field of an event is bounded; ordinary values are kept as given', () => {
  const long = 'u'.repeat(15_000);
  const e = auditEvent({
    ...base,
    userAgent: long,
    connection: long,
    user: long,
    groups: [...Array(MAX_GROUPS + 5).keys()].map((i) => `g${i}${long}`),
    impersonatedUser: long,
    namespace: long,
    name: long,
    resource: long,
    subresource: long,
    apiGroup: long,
    sourceIP: long,
    message: long,
    session: long,
    annotations: { 'audit.hoopctl.dev/client-audit-id': long },
  });
  assert.equal(e.userAgent!.length < MAX_USER_AGENT_CHARS + 80, true);
  assert.match(e.userAgent!, /…\[cut: 15000 characters, sha256:[0-9a-f]{16}\]$/);
  for (const v of [e.connection, e.user, e.impersonatedUser, e.namespace, e.name, e.resource, e.subresource, e.apiGroup, e.sourceIP, e.session]) {
    assert.equal(v!.length < MAX_NAME_CHARS + 80, true);
  }
  assert.equal(e.message!.length < 5000, true);
  assert.equal(e.groups.length, MAX_GROUPS + 1);
  assert.equal(e.groups.at(-1), '…[cut: 5 more groups]');
  assert.equal(
    e.groups.every((g) => g.length < MAX_NAME_CHARS + 80),
    true,
  );
  // Unbounded, this event would be about 4 MB.
  assert.equal(JSON.stringify(e).length < 160_000, true);
  const plain = auditEvent({ ...base, userAgent: 'kubectl/v1.31.0 (linux/amd64)', user: 'alice@example.com', groups: ['dev'], connection: 'prod' });
  assert.deepEqual([plain.userAgent, plain.user, plain.groups, plain.connection], ['kubectl/v1.31.0 (linux/amd64)', 'alice@example.com', ['dev'], 'prod']);
});
