// Waiting for access requests with a hand-written fake gateway: no sockets, a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessRequestView, CreateSessionRequest, CreateSessionResponse } from '../api/wire.js';
import { HoopError, isHoopError } from '../errors.js';
import { openSessionWithApproval, waitForDecision, type SessionApprovalDeps } from './approvals.js';

const request = (over: Partial<AccessRequestView> = {}): AccessRequestView => ({
  id: 'a1b2c3d4e5f6',
  kind: 'session',
  status: 'pending',
  user: 'alice',
  connection: 'prod',
  role: 'edit',
  summary: 'role edit for 30m',
  rule: 'bindings[1]',
  approvers: ['sre'],
  minApprovals: 1,
  approvals: [],
  denials: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-01T00:15:00.000Z',
  canApprove: false,
  ...over,
});
const session: CreateSessionResponse = {
  sessionId: 's1',
  connection: 'prod',
  token: 'JWT',
  server: 'https://gw/k8s/prod',
  expiresAt: '2026-01-01T01:00:00.000Z',
  user: 'alice',
  groups: ['dev'],
  role: 'edit',
};

function fake(answers: (AccessRequestView | Error)[], over: Partial<SessionApprovalDeps> = {}) {
  let t = 0;
  const calls: string[] = [];
  const created: CreateSessionRequest[] = [];
  const deps: SessionApprovalDeps = {
    wait: true,
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
    getIdToken: async () => 'ID',
    gateway: {
      openSession: async (_t, req) => {
        calls.push('open');
        return req.role === undefined ? session : { request: request() };
      },
      getRequest: async (_t, id, wait) => {
        calls.push(`get ${id} wait=${wait}`);
        t += 1000;
        const next = answers.shift() ?? request();
        if (next instanceof Error) throw next;
        return next;
      },
      withdrawRequest: async (_t, id) => {
        calls.push(`withdraw ${id}`);
        return request({ status: 'withdrawn' });
      },
      createSession: async (_t, req) => {
        created.push(req);
        return session;
      },
    },
    ...over,
  };
  return {
    deps,
    calls,
    created,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

test('openSessionWithApproval: a role without approval opens at once', async () => {
  const f = fake([]);
  assert.equal(await openSessionWithApproval(f.deps, 'ID', { connection: 'prod' }), session);
  assert.deepEqual(f.calls, ['open']);
});

test('openSessionWithApproval: without waiting it fails with approval_pending (exit 5) naming the request', async () => {
  const f = fake([], { wait: false });
  await assert.rejects(
    openSessionWithApproval(f.deps, 'ID', { connection: 'prod', role: 'edit', reason: 'x' }),
    (e: unknown) =>
      isHoopError(e, 'approval_pending') &&
      e.message.includes('a1b2c3d4e5f6') &&
      e.hint === 'hoopctl wait a1b2c3d4e5f6, then hoopctl connect prod --request a1b2c3d4e5f6',
  );
});

test('openSessionWithApproval: waits through transient errors, then opens the approved request', async () => {
  const seen: string[] = [];
  const done: (string | undefined)[] = [];
  const f = fake([request(), new HoopError('gateway_unreachable', 'down'), request({ approvals: [{ by: 'sam', at: 'x' }], status: 'approved' })], {
    pending: (r) => seen.push(`pending ${r.id}`),
    progress: (r) => seen.push(r.status),
    done: (r) => done.push(r?.status),
  });
  assert.equal(await openSessionWithApproval(f.deps, 'ID', { connection: 'prod', role: 'edit', reason: 'x', namespace: 'demo' }), session);
  assert.deepEqual(seen, ['pending a1b2c3d4e5f6', 'pending', 'approved']);
  assert.deepEqual(done, ['approved']);
  assert.deepEqual(f.created, [{ connection: 'prod', requestId: 'a1b2c3d4e5f6', namespace: 'demo' }]);
});

test("openSessionWithApproval: a denial or expiry is an error with the approver's comment", async () => {
  const denied = fake([request({ status: 'denied', denials: [{ by: 'sam', at: 'x', comment: 'not now' }] })]);
  await assert.rejects(
    openSessionWithApproval(denied.deps, 'ID', { connection: 'prod', role: 'edit' }),
    (e: unknown) => isHoopError(e, 'denied') && /denied by sam \(not now\)/.test(e.message),
  );
  assert.equal(denied.created.length, 0);
  const expired = fake([request({ status: 'expired' })]);
  await assert.rejects(
    openSessionWithApproval(expired.deps, 'ID', { connection: 'prod', role: 'edit' }),
    (e: unknown) => isHoopError(e, 'denied') && /expired/.test(e.message),
  );
});

test('openSessionWithApproval: Ctrl-C withdraws the request and throws what the CLI asks for', async () => {
  const abort = new AbortController();
  const f = fake([], { signal: abort.signal, interruptedError: (id, withdrawn) => new Error(`exit 130 ${id} ${withdrawn}`) });
  f.deps.gateway.getRequest = async () => {
    abort.abort();
    throw new HoopError('gateway_unreachable', 'aborted');
  };
  await assert.rejects(openSessionWithApproval(f.deps, 'ID', { connection: 'prod', role: 'edit' }), /exit 130 a1b2c3d4e5f6 true/);
  assert.deepEqual(f.calls, ['open', 'withdraw a1b2c3d4e5f6']);
});

test('waitForDecision: a time limit ends with approval_pending; each poll asks the gateway to hold at most the time left', async () => {
  const f = fake([], { limitMs: 2500 });
  await assert.rejects(waitForDecision(f.deps, 'a1b2c3d4e5f6'), (e: unknown) => isHoopError(e, 'approval_pending'));
  assert.deepEqual(f.calls, ['get a1b2c3d4e5f6 wait=3', 'get a1b2c3d4e5f6 wait=2', 'get a1b2c3d4e5f6 wait=1']);
});
