import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LocalSessionStatus } from '../usecases/status.js';
import { formatConnectionRows, formatStatusRows } from './session-tables.js';
import { textWidth } from './table.js';

const NOW = Date.parse('2026-12-02T15:00:00Z');

test('formatConnectionRows: a header, roles marked when granted only after approval, TTLs', () => {
  const lines = formatConnectionRows([
    {
      name: 'demo',
      description: 'the demo cluster',
      defaultTtlSeconds: 900,
      maxTtlSeconds: 3600,
      roles: [
        { name: 'view', approval: false },
        { name: 'edit', approval: true },
      ],
    },
    { name: 'prod', defaultTtlSeconds: 900, maxTtlSeconds: 7200, roles: [] },
  ]);
  assert.deepEqual(lines, [
    'CONNECTION   ROLES                   TTL   MAX TTL   DESCRIPTION',
    'demo         view, edit (approval)   15m   1h        the demo cluster',
    'prod         (none)                  15m   2h',
  ]);
});

test('formatStatusRows: the current session marked ">", when each ends; the kubeconfig path cut on a narrow terminal', () => {
  const s = (id: string, conn: string, minutes: number): LocalSessionStatus => ({
    sessionId: id,
    connection: conn,
    gateway: 'https://gw',
    pid: 1,
    expiresAt: new Date(NOW + minutes * 60_000).toISOString(),
    remainingSeconds: minutes * 60,
    kubeconfig: `/run/user/1000/hoopctl/sessions/${id}/kubeconfig`,
  });
  const items = [s('3f2a9c1b-7d4e-4a10-9c3b-0123456789ab', 'demo', 12), s('9b1c0000-0000-4000-8000-000000000000', 'prod', 50)];
  const lines = formatStatusRows(items, items[1]!.sessionId, NOW);
  assert.match(lines[0]!, /^ {4}CONNECTION {3}ENDS {5}SESSION {3,}KUBECONFIG$/);
  assert.match(lines[1]!, /^ {4}demo {9}in 12m {3}3f2a9c1b-\S+ {3}\/run\/user\/1000\/hoopctl\/sessions\/3f2a9c1b-\S+\/kubeconfig$/);
  assert.match(lines[2]!, /^> {3}prod {9}in 50m {3}9b1c0000-/);
  const narrow = formatStatusRows(items, undefined, NOW, { width: 80 });
  for (const l of narrow) assert.ok(textWidth(l) <= 80, l);
  assert.ok(narrow[1]!.endsWith('…'));
});
