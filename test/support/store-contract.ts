// The behaviour every Store must have, run against each implementation (SQLite file, PostgreSQL database),
// so the embedded store and the replicas' store cannot drift apart.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { isHoopError } from '../../src/errors.js';
import { createChainVerifier } from '../../src/audit/verify-chain.js';
import type { AccessRequestRecord, RecordingRecord, SessionRecord, Store } from '../../src/store/store.js';

/** One store on fresh, empty storage. */
export interface StoreUnderTest {
  store: Store;
  /** A second Store on the same data (another replica for PostgreSQL, another handle for SQLite). */
  openAnother(): Promise<Store>;
  /** Removes the storage (stores are closed by the suite). */
  cleanup(): Promise<void>;
}

/** How to run the contract for one implementation. */
export interface ContractOptions {
  /** A reason to skip the whole suite, or false. */
  skip: string | false;
  /** True when a session ended through one Store instance is announced by the others too (PostgreSQL). */
  crossInstance: boolean;
}

/** A session record with test defaults. */
export function sessionRecord(id: string, user: string, expiresAt: string, over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id,
    user,
    groups: ['dev'],
    connection: 'prod',
    namespace: null,
    role: 'view',
    reason: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    expiresAt,
    endedAt: null,
    endReason: null,
    ...over,
  };
}

/** An audit event with test defaults; `n` sets its id and second. */
export function auditEventRecord(n: number, over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    auditID: `a${n}`,
    stage: 'ResponseComplete',
    time: `2026-01-01T10:00:${String(n % 60).padStart(2, '0')}.000Z`,
    session: 's1',
    user: 'alice',
    groups: ['dev'],
    impersonatedUser: 'oidc:alice',
    connection: 'prod',
    verb: 'list',
    requestURI: '/api/v1/pods',
    apiGroup: '',
    resource: 'pods',
    subresource: null,
    namespace: null,
    name: null,
    decision: 'allow',
    rule: 'r',
    responseStatus: 200,
    latencyMs: 3,
    bytes: 10,
    maskedCount: 0,
    userAgent: 'kubectl',
    sourceIP: '127.0.0.1',
    message: null,
    ...over,
  };
}

/** An access request with test defaults. */
export function accessRequestRecord(id: string, over: Partial<AccessRequestRecord> = {}): AccessRequestRecord {
  return {
    id,
    kind: 'session',
    status: 'pending',
    user: 'alice',
    groups: ['dev'],
    connection: 'prod',
    role: 'edit',
    namespace: null,
    reason: 'INC-1',
    ttlSeconds: 1800,
    sessionId: null,
    fingerprint: null,
    verb: null,
    requestURI: null,
    summary: 'role edit for 30m',
    rule: 'bindings[1]',
    approvers: ['sre'],
    minApprovals: 1,
    createdAt: '2026-01-01T10:00:00.000Z',
    expiresAt: '2026-01-01T11:00:00.000Z',
    decidedAt: null,
    validUntil: null,
    uses: 0,
    usedAt: null,
    usedMethod: null,
    ...over,
  };
}

async function waitFor(what: string, check: () => boolean, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A new exec recording (nothing recorded yet) of session s1, as the gateway creates it. */
export function recordingRecord(id: string, over: Partial<RecordingRecord> = {}): RecordingRecord {
  return {
    id,
    session: 's1',
    auditID: 'a1',
    user: 'alice',
    connection: 'prod',
    subresource: 'exec',
    protocol: 'v5.channel.k8s.io',
    transport: 'websocket',
    namespace: 'demo',
    pod: 'web',
    container: null,
    command: ['sh'],
    tty: true,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: null,
    width: 80,
    height: 24,
    bytes: 0,
    truncated: false,
    exitCode: null,
    maskedCount: 0,
    ...over,
  };
}

/** Registers the contract suite for one Store implementation; `open` gives fresh storage per test. */
export function storeContract(name: string, open: () => Promise<StoreUnderTest>, options: ContractOptions): void {
  async function using(fn: (store: Store, another: () => Promise<Store>) => Promise<void>): Promise<void> {
    const u = await open();
    const extra: Store[] = [];
    try {
      await fn(u.store, async () => {
        const s = await u.openAnother();
        extra.push(s);
        return s;
      });
    } finally {
      for (const s of extra) await s.close().catch(() => undefined);
      await u.store.close().catch(() => undefined);
      await u.cleanup();
    }
  }

  describe(`Store contract: ${name}`, { skip: options.skip }, () => {
    test('sessions: create, get, end once, list by user and active instant', () =>
      using(async (store) => {
        await store.createSession(sessionRecord('s1', 'alice', '2026-01-01T10:15:00.000Z'));
        await store.createSession(sessionRecord('s2', 'bob', '2026-01-01T10:30:00.000Z', { namespace: 'demo', groups: [] }));
        await store.createSession(sessionRecord('s3', 'alice', '2026-01-01T11:00:00.000Z'));
        assert.deepEqual(await store.getSession('s2'), sessionRecord('s2', 'bob', '2026-01-01T10:30:00.000Z', { namespace: 'demo', groups: [] }));
        assert.equal(await store.getSession('nope'), undefined);
        assert.equal(await store.endSession('s3', '2026-01-01T10:05:00.000Z', 'revoked'), true);
        assert.equal(await store.endSession('s3', '2026-01-01T10:06:00.000Z', 'again'), false);
        assert.equal(await store.endSession('missing', '2026-01-01T10:06:00.000Z', 'x'), false);
        const s3 = await store.getSession('s3');
        assert.equal(s3?.endedAt, '2026-01-01T10:05:00.000Z');
        assert.equal(s3?.endReason, 'revoked');
        assert.deepEqual(
          (await store.listSessions({ user: 'alice' })).map((s) => s.id),
          ['s1', 's3'],
        );
        assert.deepEqual(
          (await store.listSessions({ activeAt: '2026-01-01T10:20:00.000Z' })).map((s) => s.id),
          ['s2'],
        );
        assert.equal((await store.listSessions()).length, 3);
        await assert.rejects(store.createSession(sessionRecord('s1', 'eve', '2026-01-01T10:15:00.000Z')), (e) => isHoopError(e, 'store_error'));
        await assert.rejects(store.createSession(sessionRecord('s9', 'eve', 'soon')), (e) => isHoopError(e, 'store_error'));
        // Instants in any RFC 3339 offset come back as one UTC form.
        await store.createSession(sessionRecord('s4', 'carol', '2026-01-01T12:00:00+02:00'));
        assert.equal((await store.getSession('s4'))?.expiresAt, '2026-01-01T10:00:00.000Z');
      }));

    test('audit: append and query by session, user, since and limit (newest N, oldest first)', () =>
      using(async (store) => {
        for (let i = 1; i <= 5; i++) await store.appendAudit(auditEventRecord(i, i === 4 ? { user: 'bob', session: 's2' } : {}));
        assert.deepEqual(
          (await store.listAudit()).map((e) => e.auditID),
          ['a1', 'a2', 'a3', 'a4', 'a5'],
        );
        assert.deepEqual(
          (await store.listAudit({ session: 's2' })).map((e) => e.auditID),
          ['a4'],
        );
        assert.deepEqual(
          (await store.listAudit({ user: 'alice', limit: 2 })).map((e) => e.auditID),
          ['a3', 'a5'],
        );
        assert.deepEqual(
          (await store.listAudit({ since: '2026-01-01T10:00:03Z' })).map((e) => e.auditID),
          ['a3', 'a4', 'a5'],
        );
        const { seq, prevHash, hash, ...stored } = (await store.listAudit({ session: 's2' }))[0]!;
        assert.deepEqual(stored, auditEventRecord(4, { user: 'bob', session: 's2' }));
        assert.equal(seq, 4);
        assert.equal(prevHash, (await store.listAudit())[2]!.hash);
        assert.match(hash ?? '', /^[0-9a-f]{64}$/);
        assert.deepEqual(
          (await store.listAudit({ afterSeq: 2, limit: 2 })).map((e) => e.auditID),
          ['a3', 'a4'],
          'after a seq: the oldest N',
        );
      }));

    test('audit: the chain verifies, and stays one unforked chain under concurrent appends from two instances', () =>
      using(async (store, another) => {
        const other = await another();
        await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? store : other).appendAudit(auditEventRecord(i + 1))));
        const rows = await store.listAuditRows(0, 1000);
        assert.deepEqual(
          rows.map((r) => r.seq),
          Array.from({ length: 30 }, (_, i) => i + 1),
        );
        const verifier = createChainVerifier();
        for (const r of rows) assert.equal(verifier.push(r), undefined);
        const report = verifier.finish(await store.auditHighWater());
        assert.deepEqual([report.ok, report.checked, report.head?.seq], [true, 30, 30]);
        assert.deepEqual(
          (await store.listAuditRows(28, 10)).map((r) => r.seq),
          [29, 30],
        );
      }));

    test('recordings: create, append chunks with metadata, list by session, read back in order', () =>
      using(async (store) => {
        const rec = recordingRecord('r1', { container: 'main', tty: false, startedAt: '2026-01-01T10:00:00.000Z' });
        await store.createRecording(rec);
        await store.createRecording({ ...rec, id: 'r2', startedAt: '2026-01-01T10:01:00.000Z' });
        await store.createRecording({ ...rec, id: 'r3', session: 's2' });
        await store.appendRecording('r1', 0, '[0.1, "o", "a"]\n', { bytes: 16 });
        await store.appendRecording('r1', 1, '[0.2, "o", "b"]\n', { bytes: 32, maskedCount: 1 });
        await store.updateRecording('r1', { endedAt: '2026-01-01T10:00:05Z', exitCode: 3, truncated: true });
        assert.equal(await store.readRecording('r1'), '[0.1, "o", "a"]\n[0.2, "o", "b"]\n');
        assert.deepEqual(await store.getRecording('r1'), {
          ...rec,
          bytes: 32,
          maskedCount: 1,
          endedAt: '2026-01-01T10:00:05.000Z',
          exitCode: 3,
          truncated: true,
        });
        assert.deepEqual(
          (await store.listRecordings('s1')).map((r) => r.id),
          ['r1', 'r2'],
        );
        assert.equal(await store.getRecording('nope'), undefined);
        assert.equal(await store.readRecording('r2'), '');
      }));

    test('audit: concurrent appends through two store instances all land, each once', () =>
      using(async (store, another) => {
        const other = await another();
        await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).appendAudit(auditEventRecord(i + 1))));
        const ids = (await store.listAudit()).map((e) => e.auditID);
        assert.equal(ids.length, 40);
        assert.equal(new Set(ids).size, 40);
        assert.deepEqual(
          (await other.listAudit()).map((e) => e.auditID),
          ids,
          'both instances see one order',
        );
      }));

    test('signing keys round-trip and are replaced by kid; a closed store rejects with store_error', () =>
      using(async (store) => {
        const key = { kid: 'k1', alg: 'ES256', privateJwk: '{"d":"x"}', publicJwk: '{"x":"y"}', createdAt: '2026-01-01T00:00:00.000Z' };
        await store.putSigningKey(key);
        assert.deepEqual(await store.getSigningKeys(), [key]);
        const k2 = { ...key, kid: 'k2', createdAt: '2026-01-02T00:00:00.000Z' };
        await store.putSigningKey(k2);
        await store.putSigningKey({ ...key, publicJwk: '{"x":"z"}' });
        assert.deepEqual(await store.getSigningKeys(), [{ ...key, publicJwk: '{"x":"z"}' }, k2]);
        await store.putSigningKey({ ...k2, retiredAt: '2026-01-03T00:00:00.000Z' });
        assert.deepEqual((await store.getSigningKeys())[1], { ...k2, retiredAt: '2026-01-03T00:00:00.000Z' });
        await store.close();
        await assert.rejects(store.getSigningKeys(), (e) => isHoopError(e, 'store_error'));
        await assert.rejects(store.appendAudit(auditEventRecord(1)), (e) => isHoopError(e, 'store_error'));
        await assert.rejects(store.getSession('s1'), (e) => isHoopError(e, 'store_error'));
      }));

    test('settings: the first value stored wins, across store instances', () =>
      using(async (store, another) => {
        const other = await another();
        const [a, b] = await Promise.all([store.claimSetting('session-issuer', 'https://a'), other.claimSetting('session-issuer', 'https://b')]);
        assert.equal(a, b);
        assert.ok(a === 'https://a' || a === 'https://b');
        assert.equal(await store.claimSetting('session-issuer', 'https://c'), a);
        assert.equal(await store.claimSetting('other', 'x'), 'x');
        assert.equal(await other.readSetting('other'), 'x');
        assert.equal(await store.readSetting('never-set'), undefined);
      }));

    test('access requests: create, get, list by status/user/fingerprint/since/limit (newest first)', () =>
      using(async (store) => {
        await store.createAccessRequest(accessRequestRecord('r1'));
        await store.createAccessRequest(accessRequestRecord('r2', { user: 'bob', groups: [], createdAt: '2026-01-01T10:01:00.000Z' }));
        const cmd = accessRequestRecord('r3', {
          kind: 'command',
          status: 'approved',
          role: null,
          ttlSeconds: null,
          sessionId: 's1',
          fingerprint: 'fp1',
          verb: 'delete',
          requestURI: '/api/v1/namespaces/demo/configmaps/cm1',
          summary: 'delete configmaps cm1 -n demo',
          createdAt: '2026-01-01T10:02:00.000Z',
          decidedAt: '2026-01-01T10:03:00.000Z',
          validUntil: '2026-01-01T10:08:00.000Z',
          approvers: ['sre', 'ops'],
          minApprovals: 2,
        });
        await store.createAccessRequest(cmd);
        assert.deepEqual(await store.getAccessRequest('r3'), cmd);
        assert.equal(await store.getAccessRequest('nope'), undefined);
        assert.deepEqual(
          (await store.listAccessRequests()).map((r) => r.id),
          ['r3', 'r2', 'r1'],
        );
        assert.deepEqual(
          (await store.listAccessRequests({ status: ['pending'] })).map((r) => r.id),
          ['r2', 'r1'],
        );
        assert.deepEqual(
          (await store.listAccessRequests({ status: ['approved', 'denied'] })).map((r) => r.id),
          ['r3'],
        );
        assert.deepEqual(await store.listAccessRequests({ status: [] }), []);
        assert.deepEqual(
          (await store.listAccessRequests({ user: 'bob' })).map((r) => r.id),
          ['r2'],
        );
        assert.deepEqual(
          (await store.listAccessRequests({ fingerprint: 'fp1' })).map((r) => r.id),
          ['r3'],
        );
        assert.deepEqual(
          (await store.listAccessRequests({ since: '2026-01-01T10:01:00Z' })).map((r) => r.id),
          ['r3', 'r2'],
        );
        assert.deepEqual(
          (await store.listAccessRequests({ limit: 1 })).map((r) => r.id),
          ['r3'],
        );
        await assert.rejects(store.createAccessRequest(accessRequestRecord('r1')), (e) => isHoopError(e, 'store_error'));
      }));

    test('access requests: updates are compare-and-set on status (and uses); votes once per approver', () =>
      using(async (store) => {
        await store.createAccessRequest(accessRequestRecord('r1'));
        assert.equal(await store.updateAccessRequest('r1', { status: 'approved' }, { status: 'denied' }), false, 'wrong expected status');
        assert.equal(await store.updateAccessRequest('r1', { status: 'pending' }, {}), false, 'empty patch');
        assert.equal(
          await store.updateAccessRequest(
            'r1',
            { status: 'pending' },
            {
              status: 'approved',
              decidedAt: '2026-01-01T10:05:00Z',
              validUntil: '2026-01-01T10:10:00.000Z',
              sessionId: 's7',
            },
          ),
          true,
        );
        assert.equal(await store.updateAccessRequest('r1', { status: 'pending' }, { status: 'denied' }), false, 'already decided');
        assert.equal(await store.updateAccessRequest('r1', { status: 'approved', uses: 1 }, { uses: 2 }), false, 'wrong uses');
        assert.equal(
          await store.updateAccessRequest('r1', { status: 'approved', uses: 0 }, { uses: 1, usedAt: '2026-01-01T10:06:00.000Z', usedMethod: 'POST' }),
          true,
        );
        assert.equal(await store.updateAccessRequest('r1', { status: 'approved', uses: 0 }, { uses: 1 }), false, 'a second use loses the race');
        assert.deepEqual(
          await store.getAccessRequest('r1'),
          accessRequestRecord('r1', {
            status: 'approved',
            decidedAt: '2026-01-01T10:05:00.000Z',
            validUntil: '2026-01-01T10:10:00.000Z',
            sessionId: 's7',
            uses: 1,
            usedAt: '2026-01-01T10:06:00.000Z',
            usedMethod: 'POST',
          }),
        );
        assert.equal(await store.updateAccessRequest('nope', { status: 'pending' }, { status: 'denied' }), false);

        const vote = { requestId: 'r1', approver: 'sre-bob', decision: 'approve' as const, comment: 'ok', at: '2026-01-01T10:04:00.000Z' };
        assert.equal(await store.addAccessVote(vote), true);
        assert.equal(await store.addAccessVote({ ...vote, decision: 'deny', comment: null }), false, 'one vote per approver');
        assert.equal(await store.addAccessVote({ ...vote, approver: 'sre-ann', comment: null }), true);
        assert.deepEqual(
          (await store.listAccessVotes('r1')).map((v) => [v.approver, v.decision]),
          [
            ['sre-ann', 'approve'],
            ['sre-bob', 'approve'],
          ],
        );
        assert.deepEqual((await store.listAccessVotes('r1'))[1], vote);
        assert.deepEqual(await store.listAccessVotes('r2'), []);
      }));

    test(`onSessionEnded: once per session actually ended, after endSession resolved${options.crossInstance ? ', and on other instances' : ''}`, () =>
      using(async (store, another) => {
        assert.equal(typeof store.onSessionEnded, 'function');
        const other = await another();
        const heard: string[] = [];
        const heardByOther: string[] = [];
        const off = store.onSessionEnded!((id) => heard.push(id));
        other.onSessionEnded?.((id) => heardByOther.push(id));
        for (const id of ['s1', 's2', 's3']) await store.createSession(sessionRecord(id, 'alice', '2026-01-01T10:15:00.000Z'));

        assert.equal(await store.endSession('s1', '2026-01-01T10:05:00.000Z', 'revoked'), true);
        // The gateway that ended it closes (and counts) its own streams in its continuation, before listeners run.
        assert.equal(heard.length, 0, 'not yet: listeners run after the caller resumed');
        await waitFor('the local notice', () => heard.length === 1);
        assert.equal(await store.endSession('s1', '2026-01-01T10:06:00.000Z', 'again'), false);
        if (options.crossInstance) {
          await waitFor('the other instance to hear s1', () => heardByOther.includes('s1'));
          assert.equal(await other.endSession('s2', '2026-01-01T10:07:00.000Z', 'revoked elsewhere'), true);
          await waitFor('the first instance to hear s2', () => heard.includes('s2'));
        }
        off();
        // A listener still subscribed is told in the same dispatch the unsubscribed one would have been.
        const witness: string[] = [];
        store.onSessionEnded!((id) => witness.push(id));
        assert.equal(await store.endSession('s3', '2026-01-01T10:08:00.000Z', 'after unsubscribe'), true);
        await waitFor('a listener still subscribed to hear s3', () => witness.includes('s3'));
        if (options.crossInstance) await waitFor('the other instance to hear s3', () => heardByOther.includes('s3'));
        assert.deepEqual(heard, options.crossInstance ? ['s1', 's2'] : ['s1']);
        if (options.crossInstance) assert.deepEqual(heardByOther.sort(), ['s1', 's2', 's3'], 'every end once, its own included');
      }));
  });
}
