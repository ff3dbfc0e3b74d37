import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessRequestView } from '../api/wire.js';
import { approvedText } from './approval-wait.js';
import { ttlCapNotice } from './cmd-session.js';
import { formatTime } from '../credential/time-format.js';

test('ttlCapNotice: silent when the ttl was granted (or not asked), names the real duration when capped', () => {
  const now = Date.parse('2026-12-02T14:00:00Z');
  assert.equal(ttlCapNotice(undefined, '2026-12-02T15:00:00Z', now), undefined);
  assert.equal(ttlCapNotice('1h', '2026-12-02T14:59:58Z', now), undefined);
  assert.equal(ttlCapNotice('30m', '2026-12-02T14:30:00Z', now), undefined);
  const n = ttlCapNotice('3h', '2026-12-02T15:00:00Z', now);
  assert.ok(n?.includes('--ttl 3h is above the maximum'), n);
  assert.ok(n?.includes(`lasts 1h (until ${formatTime('2026-12-02T15:00:00Z')})`), n);
});

test('approvedText: the approvers with their comments and the granted role reach the requester', () => {
  const r = {
    id: 'r1',
    summary: 'role edit for 30m',
    connection: 'prod',
    role: 'edit',
    approvals: [
      { by: 'bob@example.com', at: '2026-12-02T14:00:00Z', comment: 'ok for INC-42' },
      { by: 'carol@example.com', at: '2026-12-02T14:00:01Z' },
    ],
  } as unknown as AccessRequestView;
  const t = approvedText(r);
  assert.match(t, /approved by bob@example\.com \("ok for INC-42"\), carol@example\.com/);
  assert.match(t, /role edit granted/);
  assert.doesNotMatch(approvedText({ ...r, role: undefined } as unknown as AccessRequestView), /granted/);
});
