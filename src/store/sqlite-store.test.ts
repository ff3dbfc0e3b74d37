import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from './sqlite-store.js';
import { PG_MIGRATIONS } from './postgres-schema.js';
import { auditEventRecord, sessionRecord as session, storeContract } from '../../test/support/store-contract.js';
import { createChainVerifier } from '../audit/verify-chain.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'hoop-sqlite-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
    // The PostgreSQL store applies the same migrations under the same numbers (src/store/postgres-schema.ts).
    const versions = (raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
    assert.deepEqual(
      versions,
      PG_MIGRATIONS.map((_, i) => i + 1),
      `SQLite has ${versions.length} migrations, PostgreSQL ${PG_MIGRATIONS.length}: give each SQLite migration its PostgreSQL DDL in postgres-schema.ts`,
    );
    const idx = (raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_events'").all() as { name: string }[]).map(
      (r) => r.name,
    );
    assert.ok(idx.includes('audit_by_session') && idx.includes('audit_by_user') && idx.includes('audit_by_time'));
    raw.close();
    const again = await openSqliteStore(file);
    assert.equal((await again.getSession('s1'))?.user, 'alice');
    await again.close();
  });
});

storeContract(
  'sqlite',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hoop-sqlite-'));
    const file = join(dir, 'gw.db');
    return { store: await openSqliteStore(file), openAnother: () => openSqliteStore(file), cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
  { skip: false, crossInstance: false },
);

test('audit group commit: one event that cannot be written fails alone; the others commit and chain', async () => {
  await withDir(async (dir) => {
    const store = await openSqliteStore(join(dir, 'gw.db'));
    try {
      // Queued in one event-loop turn, so they share a transaction until the bad one rolls it back.
      const bad = { ...auditEventRecord(2), auditID: null as unknown as string };
      const settled = await Promise.allSettled([store.appendAudit(auditEventRecord(1)), store.appendAudit(bad), store.appendAudit(auditEventRecord(3))]);
      assert.deepEqual(
        settled.map((s) => s.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.equal((settled[1] as PromiseRejectedResult).reason.code, 'store_error');
      await store.appendAudit(auditEventRecord(4));
      const rows = await store.listAuditRows(0, 100);
      assert.deepEqual(
        rows.map((r) => r.auditID),
        ['a1', 'a3', 'a4'],
      );
      const verifier = createChainVerifier();
      for (const r of rows) assert.equal(verifier.push(r), undefined);
      assert.equal(verifier.finish(await store.auditHighWater()).ok, true);
    } finally {
      await store.close();
    }
  });
});
