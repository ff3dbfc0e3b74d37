import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionView } from '../api/wire.js';
import { formatSessionRows, sessionRole } from './cmd-sessions.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const base: SessionView = {
  id: 's1', user: 'alice@example.com', groups: ['dev'], connection: 'prod', namespace: null, role: null, reason: null,
  createdAt: '2026-01-01T11:55:00Z', expiresAt: '2026-01-01T12:10:00Z', endedAt: null, endReason: null,
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

test('formatSessionRows: the ROLE column shows an elevated role', () => {
  const rows = formatSessionRows([{ ...base, role: 'edit', reason: 'INC-1' }, { ...base, id: 's2', defaultRoles: ['view'] }], NOW);
  assert.match(rows[1]!, /^s1\s+alice@example\.com\s+prod\s+edit\s+active, 10m left\s+INC-1$/);
  assert.match(rows[2]!, /^s2\s+alice@example\.com\s+prod\s+view \(default\)\s+active, 10m left$/);
});
