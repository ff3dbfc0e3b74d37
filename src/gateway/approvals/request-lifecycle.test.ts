import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessRequestRecord, AccessVoteRecord } from '../../store/store.js';
import { accessRequestRecord } from '../../../test/support/store-contract.js';
import { advanceAccessRequest, voterRefusal, type Actor, type LifecycleEvent } from './request-lifecycle.js';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const NOW = T0 + 60_000;
const at = (ms: number): string => new Date(ms).toISOString();
const RULES = { approvedWindowSeconds: 600 };

// The store contract's record, with the times this table counts from (expiry 15 minutes after creation).
const request = (over: Partial<AccessRequestRecord> = {}): AccessRequestRecord =>
  accessRequestRecord('0123456789ab', { createdAt: at(T0), expiresAt: at(T0 + 900_000), ...over });
const person = (user: string, groups: string[], over: Partial<Actor> = {}): Actor => ({ user, groups, admin: false, via: 'id-token', ...over });
const sam = person('sam', ['sre']);
const sue = person('sue', ['sre', 'dev']);
const stored = (approver: string, decision: 'approve' | 'deny' = 'approve'): AccessVoteRecord => ({
  requestId: '0123456789ab',
  approver,
  decision,
  comment: null,
  at: at(T0),
});
const vote = (actor: Actor, decision: 'approve' | 'deny', votes: AccessVoteRecord[] = [], comment: string | null = null): LifecycleEvent => ({
  type: 'vote',
  actor,
  decision,
  comment,
  votes,
});

interface Row {
  name: string;
  r: AccessRequestRecord;
  event: LifecycleEvent;
  /** Expected: the status after it and what is announced, or the refusal code and a piece of its message. */
  want:
    | { status: AccessRequestRecord['status']; notice?: string; message?: RegExp; patch?: Partial<AccessRequestRecord> }
    | { refused: 'denied' | 'usage'; message: RegExp };
}

const ROWS: Row[] = [
  // Votes: minApprovals, one denial, never one's own, only approver groups, only by a person's login.
  {
    name: 'one approval of one needed approves, usable for the window',
    r: request(),
    event: vote(sam, 'approve'),
    want: { status: 'approved', notice: 'request.approved', message: /approved by sam \(1\/1\)/, patch: { decidedAt: at(NOW), validUntil: at(NOW + 600_000) } },
  },
  {
    name: 'the first of two approvals is a vote, not a decision',
    r: request({ minApprovals: 2 }),
    event: vote(sam, 'approve'),
    want: { status: 'pending', notice: 'request.voted', message: /approved by sam \(1\/2\)/ },
  },
  {
    name: 'the second of two approvals approves',
    r: request({ minApprovals: 2 }),
    event: vote(sam, 'approve', [stored('sue')], 'ok'),
    want: { status: 'approved', notice: 'request.approved', message: /approved by sam \(ok\) \(2\/2\)/ },
  },
  {
    name: 'a stored denial does not count as an approval',
    r: request({ minApprovals: 2 }),
    event: vote(sam, 'approve', [stored('sue', 'deny')]),
    want: { status: 'pending', notice: 'request.voted', message: /\(1\/2\)/ },
  },
  {
    name: 'one denial denies, whatever the approvals',
    r: request({ minApprovals: 2 }),
    event: vote(sam, 'deny', [stored('sue')], 'not now'),
    want: { status: 'denied', notice: 'request.denied', message: /^denied by sam \(not now\)$/, patch: { decidedAt: at(NOW) } },
  },
  {
    name: "never one's own, even for an approver",
    r: request({ user: 'sue' }),
    event: vote(sue, 'approve'),
    want: { refused: 'denied', message: /is your own/ },
  },
  { name: "never one's own denial either", r: request({ user: 'sue' }), event: vote(sue, 'deny'), want: { refused: 'denied', message: /is your own/ } },
  {
    name: 'only the approver groups',
    r: request(),
    event: vote(person('bob', ['ops']), 'approve'),
    want: { refused: 'denied', message: /not in the approver groups .*\(sre\)/ },
  },
  {
    name: 'an admin outside the approver groups may not vote',
    r: request(),
    event: vote(person('root', ['platform-admins'], { admin: true }), 'approve'),
    want: { refused: 'denied', message: /not in the approver groups/ },
  },
  {
    name: 'a session credential may not vote',
    r: request(),
    event: vote(person('sam', ['sre'], { via: 'session' }), 'approve'),
    want: { refused: 'denied', message: /needs your login/ },
  },
  {
    name: 'one vote per approver',
    r: request({ minApprovals: 2 }),
    event: vote(sam, 'approve', [stored('sam')]),
    want: { refused: 'usage', message: /already voted/ },
  },
  ...(['approved', 'denied', 'expired', 'withdrawn', 'used'] as const).map((status): Row => ({
    name: `no vote on a request already ${status}`,
    r: request({ status }),
    event: vote(sam, 'approve'),
    want: { refused: 'usage', message: new RegExp(`already ${status}`) },
  })),

  // Withdrawal: the requester (or an admin), while pending.
  {
    name: 'the requester withdraws a pending request',
    r: request(),
    event: { type: 'withdraw', actor: person('alice', ['dev']) },
    want: { status: 'withdrawn', notice: 'request.withdrawn', message: /withdrawn by alice/, patch: { decidedAt: at(NOW) } },
  },
  {
    name: "an admin withdraws someone else's",
    r: request(),
    event: { type: 'withdraw', actor: person('root', [], { admin: true }) },
    want: { status: 'withdrawn', notice: 'request.withdrawn', message: /withdrawn by root/ },
  },
  { name: 'an approver may not withdraw it', r: request(), event: { type: 'withdraw', actor: sam }, want: { refused: 'denied', message: /belongs to alice/ } },
  {
    name: 'a decided request cannot be withdrawn',
    r: request({ status: 'approved' }),
    event: { type: 'withdraw', actor: person('alice', ['dev']) },
    want: { refused: 'usage', message: /already approved/ },
  },

  // Time: an unanswered request expires at expiresAt, an unused approval at validUntil; nothing else moves.
  {
    name: 'a pending request expires at expiresAt, announced',
    r: request({ expiresAt: at(NOW) }),
    event: { type: 'tick' },
    want: { status: 'expired', notice: 'request.expired', message: /not answered in time/, patch: { decidedAt: at(NOW) } },
  },
  { name: 'a pending request before expiresAt stays', r: request({ expiresAt: at(NOW + 1) }), event: { type: 'tick' }, want: { status: 'pending' } },
  {
    name: 'an unused approval expires at validUntil, silently',
    r: request({ status: 'approved', decidedAt: at(T0), validUntil: at(NOW - 1) }),
    event: { type: 'tick' },
    want: { status: 'expired', patch: { decidedAt: at(T0) } },
  },
  {
    name: 'an approval within its window stays',
    r: request({ status: 'approved', validUntil: at(NOW + 1) }),
    event: { type: 'tick' },
    want: { status: 'approved' },
  },
  ...(['denied', 'withdrawn', 'used', 'expired'] as const).map((status): Row => ({
    name: `a request already ${status} stays so`,
    r: request({ status, expiresAt: at(T0), validUntil: at(T0) }),
    event: { type: 'tick' },
    want: { status },
  })),
];

for (const row of ROWS) {
  test(row.name, () => {
    const step = advanceAccessRequest(row.r, row.event, NOW, RULES);
    if ('refused' in row.want) {
      assert.equal(step.kind, 'refused');
      assert.ok(step.kind === 'refused');
      assert.equal(step.refusal.code, row.want.refused);
      assert.match(step.refusal.message, row.want.message);
      return;
    }
    assert.ok(step.kind === 'next', JSON.stringify(step));
    assert.equal(step.request.status, row.want.status);
    assert.equal(step.notice?.event, row.want.notice);
    if (row.want.message !== undefined) assert.match(step.notice?.message ?? '', row.want.message);
    for (const [k, v] of Object.entries(row.want.patch ?? {})) assert.equal(step.request[k as keyof AccessRequestRecord], v, k);
    // The patch is exactly the change: what a compare-and-set writes, nothing when the status stays.
    const changed = Object.keys(step.request).filter((k) => step.request[k as keyof AccessRequestRecord] !== row.r[k as keyof AccessRequestRecord]);
    assert.deepEqual(
      Object.keys(step.patch ?? {})
        .filter((k) => changed.includes(k))
        .sort(),
      changed.sort(),
    );
    assert.equal(step.patch === undefined, row.want.status === row.r.status);
    // A vote is cast exactly when the event is one.
    if (row.event.type === 'vote') {
      assert.deepEqual(step.vote, {
        requestId: row.r.id,
        approver: row.event.actor.user,
        decision: row.event.decision,
        comment: row.event.comment,
        at: at(NOW),
      });
    } else {
      assert.equal(step.vote, undefined);
    }
  });
}

test('a session credential is refused before any request is read; a login is not', () => {
  assert.equal(voterRefusal(person('sam', ['sre'], { via: 'session' }))?.code, 'denied');
  assert.equal(voterRefusal(sam), undefined);
});
