import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionView } from '../api/wire.js';
import { formatSessionRows, resolveSessionId, sessionIdCell, sessionRole, sessionState } from './cmd-sessions.js';
import { textWidth } from './table.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const base: SessionView = {
  id: 's1',
  user: 'alice@example.com',
  groups: ['dev'],
  connection: 'prod',
  namespace: null,
  role: null,
  reason: null,
  createdAt: '2026-01-01T11:55:00Z',
  expiresAt: '2026-01-01T12:10:00Z',
  endedAt: null,
  endReason: null,
};

test('sessionRole: the named (elevated) role, else the roles a default session runs with', () => {
  const cases: [string, Partial<SessionView>, string][] = [
    ['elevated', { role: 'edit' }, 'edit'],
    ['elevated, defaultRoles ignored', { role: 'edit', defaultRoles: ['view'] }, 'edit'],
    ['default session', { defaultRoles: ['view', 'logs'] }, 'view,logs (default)'],
    ['default session, no role left', { defaultRoles: [] }, '(none)'],
    ['an older gateway that does not say', {}, '-'],
  ];
  for (const [name, over, want] of cases) assert.equal(sessionRole({ ...base, ...over }), want, name);
});

test('formatSessionRows: a header; the ROLE column shows an elevated role; when it ends, relative', () => {
  const rows = formatSessionRows(
    [
      { ...base, role: 'edit', reason: 'INC-1' },
      { ...base, id: 's2', defaultRoles: ['view'] },
      { ...base, id: 's3', endedAt: '2026-01-01T11:58:00Z', endReason: 'revoked by bob@example.com' },
    ],
    NOW,
  );
  assert.deepEqual(rows, [
    'SESSION   USER                CONNECTION   ROLE             STATE                                END      REASON',
    's1        alice@example.com   prod         edit             active                               in 10m   INC-1',
    's2        alice@example.com   prod         view (default)   active                               in 10m',
    's3        alice@example.com   prod         -                ended (revoked by bob@example.com)   2m ago',
  ]);
});

test('sessionState: active with when it ends, expired since when, ended with why', () => {
  assert.equal(sessionState(base, NOW), 'active, ends in 10m');
  assert.equal(sessionState(base, Date.parse('2026-01-01T12:13:00Z')), 'expired 3m ago');
  assert.equal(sessionState({ ...base, endedAt: '2026-01-01T12:01:00Z', endReason: 'revoked by bob' }, NOW), 'ended (revoked by bob)');
});

const UUID = '3f2a9c1b-7d4e-4a10-9c3b-0123456789ab';

test('formatSessionRows on an 80-column terminal: short session ids, the reason cut, every line fits; off a terminal nothing is cut', () => {
  const long = { ...base, id: UUID, role: 'edit', reason: 'INC-4711: restart the ingress controller after the certificate rotation' };
  const tty = formatSessionRows([long], NOW, { width: 80 });
  for (const l of tty) assert.ok(textWidth(l) <= 80, l);
  assert.match(tty[1]!, /^3f2a9c1b {3}alice@example\.com .*INC-4711: .*…$/);
  const piped = formatSessionRows([long], NOW);
  assert.ok(piped[1]!.startsWith(UUID));
  assert.ok(piped[1]!.endsWith(long.reason));
  assert.equal(sessionIdCell(UUID, undefined), UUID);
  assert.equal(sessionIdCell(null, 80), '-');
});

test('resolveSessionId: a full id as is, a unique prefix to its session, an ambiguous one refused, an unknown one passed on', async () => {
  const other = '3f2a0000-0000-4000-8000-000000000000';
  const gateway = {
    listSessions: async () => [
      { ...base, id: UUID },
      { ...base, id: other },
    ],
  };
  assert.equal(await resolveSessionId(gateway, 't', UUID), UUID);
  assert.equal(await resolveSessionId(gateway, 't', '3f2a9c1b'), UUID);
  assert.equal(await resolveSessionId(gateway, 't', 'ffff'), 'ffff');
  await assert.rejects(resolveSessionId(gateway, 't', '3f2a'), (e: unknown) => (e as { code?: string }).code === 'usage');
});
