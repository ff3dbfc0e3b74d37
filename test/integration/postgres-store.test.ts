// The PostgreSQL store on a real server (scripts/with-postgres.sh): the shared Store contract, then what only
// replicas need: one migration run for N replicas starting together, a gapless audit order across replicas,
// ended sessions announced after the LISTEN connection was lost, and no password in any message.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from '../../src/errors.js';
import { verifyAuditLog } from '../../src/audit/verify-chain.js';
import { openPostgresStore, redactPostgresUrl } from '../../src/store/postgres-store.js';
import { PG_MIGRATIONS } from '../../src/store/postgres-schema.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, postgresSkip, type TestDatabase } from '../support/postgres-test-db.js';
import { auditEventRecord, sessionRecord, storeContract } from '../support/store-contract.js';

const skip = postgresSkip();

storeContract(
  'postgres',
  async () => {
    const db = await createTestDatabase();
    return { store: await openPostgresStore(db.url), openAnother: () => openPostgresStore(db.url), cleanup: () => db.drop() };
  },
  { skip, crossInstance: true },
);

async function withDatabase(fn: (db: TestDatabase, stores: Store[]) => Promise<void>): Promise<void> {
  const db = await createTestDatabase();
  const stores: Store[] = [];
  try {
    await fn(db, stores);
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
    await db.drop();
  }
}

describe('PostgreSQL store', { skip }, () => {
  test('five replicas starting together migrate once; a newer schema is refused with a hint', () =>
    withDatabase(async (db, stores) => {
      stores.push(...(await Promise.all(Array.from({ length: 5 }, () => openPostgresStore({ url: db.url, maxConnections: 2 })))));
      const versions = await db.sql<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(
        versions.map((r) => r.version),
        PG_MIGRATIONS.map((_, i) => i + 1),
      );
      assert.ok(stores.every((s) => s.kind === 'postgres'));

      await db.sql('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())', [PG_MIGRATIONS.length + 1]);
      await assert.rejects(
        openPostgresStore(db.url),
        (e) => isHoopError(e, 'store_error') && /newer than this gateway knows/.test(e.message) && e.hint === 'upgrade hoopctl',
      );
    }));

  test('audit appends from two replicas form one gapless chain; a deleted tail is reported', () =>
    withDatabase(async (db, stores) => {
      const [a, b] = await Promise.all([openPostgresStore(db.url), openPostgresStore(db.url)]);
      stores.push(a!, b!);
      await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a! : b!).appendAudit(auditEventRecord(i + 1))));
      const rows = await db.sql<{ seq: string; audit_id: string }>('SELECT seq, audit_id FROM audit_events ORDER BY seq');
      assert.deepEqual(
        rows.map((r) => Number(r.seq)),
        Array.from({ length: 60 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        (await a!.listAudit()).map((e) => e.auditID),
        rows.map((r) => r.audit_id),
      );
      const source = { rows: (after: number, limit: number) => b!.listAuditRows(after, limit), highWater: () => b!.auditHighWater() };
      assert.deepEqual(await verifyAuditLog(source), {
        ok: true,
        checked: 60,
        unchained: 0,
        head: { seq: 60, hash: (await a!.listAudit({ limit: 1 }))[0]!.hash },
      });
      // Deleting the newest events leaves a valid-looking chain; the high-water mark still shows them missing.
      await db.sql('DELETE FROM audit_events WHERE seq > 58');
      const report = await verifyAuditLog(source);
      assert.equal(report.ok, false);
      assert.deepEqual(report.problem, { seq: 59, kind: 'gap', message: 'events 59–60 are missing (deleted) at the end of the log' });
    }));

  test('audit group commit: one event that cannot be written fails alone; the batch shares one transaction; close writes what is queued', () =>
    withDatabase(async (db, stores) => {
      const store = await openPostgresStore(db.url);
      stores.push(store);
      // Queued in one event-loop turn, so they share a transaction until the bad one rolls it back.
      const bad = { ...auditEventRecord(2), auditID: null as unknown as string };
      const settled = await Promise.allSettled([store.appendAudit(auditEventRecord(1)), store.appendAudit(bad), store.appendAudit(auditEventRecord(3))]);
      assert.deepEqual(
        settled.map((s) => s.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.equal((settled[1] as PromiseRejectedResult).reason.code, 'store_error');
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.appendAudit(auditEventRecord(i + 4))));
      const rows = await db.sql<{ seq: string; audit_id: string; xmin: string }>('SELECT seq, audit_id, xmin::text AS xmin FROM audit_events ORDER BY seq');
      assert.deepEqual(
        rows.map((r) => r.audit_id),
        ['a1', 'a3', ...Array.from({ length: 40 }, (_, i) => `a${i + 4}`)],
      );
      assert.deepEqual(
        rows.map((r) => Number(r.seq)),
        rows.map((_, i) => i + 1),
      );
      // The 40 events of one turn were inserted by one transaction (one lock, one tail read).
      assert.equal(new Set(rows.slice(2).map((r) => r.xmin)).size, 1);
      const tail = store.appendAudit(auditEventRecord(44));
      await store.close();
      await tail;
      const source = {
        rows: async (after: number, limit: number) =>
          (
            await db.sql<{ seq: string; audit_id: string; time: Date; session: string | null; username: string | null; event_json: string }>(
              'SELECT seq, audit_id, time, session, username, event_json FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2',
              [after, limit],
            )
          ).map((r) => ({
            seq: Number(r.seq),
            auditID: r.audit_id,
            time: r.time.toISOString(),
            session: r.session,
            user: r.username,
            eventJson: r.event_json,
          })),
        highWater: async () => Number((await db.sql<{ seq: string }>('SELECT seq FROM audit_high_water WHERE id = 1'))[0]!.seq),
      };
      const report = await verifyAuditLog(source);
      assert.equal(report.ok, true);
      assert.equal(report.checked, 43);
    }));

  test('a session ended while the LISTEN connection was down still reaches the listeners after it reconnects', () =>
    withDatabase(async (db, stores) => {
      const [a, b] = await Promise.all([openPostgresStore(db.url), openPostgresStore(db.url)]);
      stores.push(a!, b!);
      const heard: string[] = [];
      a!.onSessionEnded!((id) => heard.push(id));
      await b!.createSession(sessionRecord('s1', 'alice', new Date(Date.now() + 60_000).toISOString()));
      const cut = await db.sql<{ n: number }>(
        "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'",
      );
      assert.equal(cut[0]?.n, 2, 'both replicas LISTEN on a connection of their own');
      // Ended at once, while a's LISTEN connection is down: the NOTIFY finds no listener of a.
      assert.equal(await b!.endSession('s1', new Date().toISOString(), 'revoked'), true);
      const until = Date.now() + 3_000;
      while (!heard.includes('s1') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(heard, ['s1']);
    }));

  test('messages name the server but never the password', async () => {
    assert.equal(redactPostgresUrl('postgres://gw:s3cret@db.internal:5432/hoop?sslmode=require'), 'postgres://gw:***@db.internal:5432/hoop?sslmode=require');
    assert.equal(redactPostgresUrl('postgres://db/hoop?password=s3cret'), 'postgres://db/hoop?password=***');
    assert.equal(redactPostgresUrl('not a url s3cret'), '(a PostgreSQL URL that does not parse)');
    const wrong = new URL(process.env.HOOPCTL_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:1/postgres');
    wrong.password = 'wrong-s3cret';
    await assert.rejects(openPostgresStore(wrong.href), (e) => {
      assert.ok(isHoopError(e, 'store_error'));
      assert.match(e.message, /cannot open the PostgreSQL store postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
  });
});
