import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from './sqlite-store.js';
import type { AuditEvent } from '../audit/audit-event.js';
import type { SessionRecord } from './store.js';
import { isHoopError } from '../errors.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hoop-sqlite-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

function session(id: string, user: string, expiresAt: string, over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id, user, groups: ['dev'], connection: 'prod', namespace: null, role: 'view', reason: null,
    createdAt: '2026-01-01T10:00:00.000Z', expiresAt, endedAt: null, endReason: null, ...over,
  };
}

function event(n: number, over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    auditID: `a${n}`, stage: 'ResponseComplete', time: `2026-01-01T10:00:${String(n).padStart(2, '0')}.000Z`, session: 's1',
    user: 'alice', groups: ['dev'], impersonatedUser: 'oidc:alice', connection: 'prod', verb: 'list', requestURI: '/api/v1/pods',
    apiGroup: '', resource: 'pods', subresource: null, namespace: null, name: null, decision: 'allow', rule: 'r', responseStatus: 200,
    latencyMs: 3, bytes: 10, maskedCount: 0, userAgent: 'kubectl', sourceIP: '127.0.0.1', message: null, ...over,
  };
}

test('creates the file 0600 in WAL mode with a migrations table, and reopens it', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'sub', 'gw.db');
    const store = await openSqliteStore(file);
    assert.equal(store.kind, 'sqlite');
    await store.createSession(session('s1', 'alice', '2026-01-01T10:15:00.000Z'));
    await store.close();
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const raw = new Database(file, { readonly: true });
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    assert.deepEqual(raw.prepare('SELECT version FROM schema_migrations').all(), [{ version: 1 }]);
    const idx = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events'").all() as { name: string }[]).map((r) => r.name);
    assert.ok(idx.includes('audit_by_session') && idx.includes('audit_by_user') && idx.includes('audit_by_time'));
    raw.close();
    const again = await openSqliteStore(file);
    assert.equal((await again.getSession('s1'))?.user, 'alice');
    await again.close();
  });
});

test('sessions: create, get, end once, list by user and active instant', async () => {
  await withDir(async (dir) => {
    const store = await openSqliteStore(join(dir, 'gw.db'));
    await store.createSession(session('s1', 'alice', '2026-01-01T10:15:00.000Z'));
    await store.createSession(session('s2', 'bob', '2026-01-01T10:30:00.000Z', { namespace: 'demo', groups: [] }));
    await store.createSession(session('s3', 'alice', '2026-01-01T11:00:00.000Z'));
    assert.deepEqual(await store.getSession('s2'), session('s2', 'bob', '2026-01-01T10:30:00.000Z', { namespace: 'demo', groups: [] }));
    assert.equal(await store.getSession('nope'), undefined);
    assert.equal(await store.endSession('s3', '2026-01-01T10:05:00.000Z', 'revoked'), true);
    assert.equal(await store.endSession('s3', '2026-01-01T10:06:00.000Z', 'again'), false);
    assert.equal(await store.endSession('missing', '2026-01-01T10:06:00.000Z', 'x'), false);
    const s3 = await store.getSession('s3');
    assert.equal(s3?.endedAt, '2026-01-01T10:05:00.000Z');
    assert.equal(s3?.endReason, 'revoked');
    assert.deepEqual((await store.listSessions({ user: 'alice' })).map((s) => s.id), ['s1', 's3']);
    assert.deepEqual((await store.listSessions({ activeAt: '2026-01-01T10:20:00.000Z' })).map((s) => s.id), ['s2']);
    assert.equal((await store.listSessions()).length, 3);
    await assert.rejects(store.createSession(session('s1', 'eve', '2026-01-01T10:15:00.000Z')), (e) => isHoopError(e, 'store_error'));
    await store.close();
  });
});

test('audit: append and query by session, user, since and limit (newest N, oldest first)', async () => {
  await withDir(async (dir) => {
    const store = await openSqliteStore(join(dir, 'gw.db'));
    for (let i = 1; i <= 5; i++) await store.appendAudit(event(i, i === 4 ? { user: 'bob', session: 's2' } : {}));
    assert.deepEqual((await store.listAudit()).map((e) => e.auditID), ['a1', 'a2', 'a3', 'a4', 'a5']);
    assert.deepEqual((await store.listAudit({ session: 's2' })).map((e) => e.auditID), ['a4']);
    assert.deepEqual((await store.listAudit({ user: 'alice', limit: 2 })).map((e) => e.auditID), ['a3', 'a5']);
    assert.deepEqual((await store.listAudit({ since: '2026-01-01T10:00:03Z' })).map((e) => e.auditID), ['a3', 'a4', 'a5']);
    assert.deepEqual(await store.listAudit({ session: 's2' }).then((x) => x[0]), event(4, { user: 'bob', session: 's2' }));
    await store.close();
  });
});

test('signing keys round-trip; a closed store rejects with store_error', async () => {
  await withDir(async (dir) => {
    const store = await openSqliteStore(join(dir, 'gw.db'));
    const key = { kid: 'k1', alg: 'ES256', privateJwk: '{"d":"x"}', publicJwk: '{"x":"y"}', createdAt: '2026-01-01T00:00:00.000Z' };
    await store.putSigningKey(key);
    assert.deepEqual(await store.getSigningKeys(), [key]);
    await store.close();
    await assert.rejects(store.getSigningKeys(), (e) => isHoopError(e, 'store_error'));
    await assert.rejects(store.appendAudit(event(1)), (e) => isHoopError(e, 'store_error'));
  });
});
