/**
 * Audit events in PostgreSQL. Appends from every replica are serialised by one transaction-level advisory
 * lock, so `seq` is gapless and in commit order and a hash chain over it cannot fork across replicas.
 */
import type { AuditEvent } from '../audit/audit-event.js';
import { chainEvent } from '../audit/hash-chain.js';
import type { AuditRow } from '../audit/verify-chain.js';
import type { AuditQuery } from './store.js';
import type { Db } from './postgres-db.js';
import { iso } from './store-time.js';
import { LOCK_SPACE, LOCKS } from './postgres-schema.js';

interface Pending {
  e: AuditEvent;
  time: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Most events in one transaction (6 bind parameters each, far below PostgreSQL's 65,535). */
const MAX_BATCH = 500;

// One transaction for a batch: one lock, one tail read, one multi-row INSERT, one high-water update.
async function appendBatch(db: Db, batch: readonly Pending[]): Promise<void> {
  await db.transaction(batch.length === 1 ? 'append an audit event' : `append ${batch.length} audit events`, async (c) => {
    // Held until COMMIT: the next append on any replica reads the tail only after this one is visible.
    await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, LOCKS.audit]);
    const { rows } = await c.query<{ seq: string; event_json: string }>('SELECT seq, event_json FROM audit_events ORDER BY seq DESC LIMIT 1');
    const last = rows[0];
    let prev = last === undefined ? undefined : { seq: Number(last.seq), hash: (JSON.parse(last.event_json) as AuditEvent).hash };
    const values: string[] = [];
    const args: unknown[] = [];
    for (const p of batch) {
      const chained = chainEvent(p.e, prev);
      prev = { seq: chained.seq as number, hash: chained.hash };
      const n = args.length;
      values.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6})`);
      args.push(chained.seq, p.e.auditID, p.time, p.e.session, p.e.user, JSON.stringify(chained));
    }
    await c.query(`INSERT INTO audit_events (seq, audit_id, time, session, username, event_json) VALUES ${values.join(', ')}`, args);
    await c.query('UPDATE audit_high_water SET seq = GREATEST(seq, $1) WHERE id = 1', [prev!.seq]);
  });
}

/** Group-committed audit appends of one store instance. */
export interface PostgresAuditAppender {
  /** Resolves once the event's row is committed; rejects with store_error when it cannot be (that request fails). */
  append(e: AuditEvent): Promise<void>;
  /** Resolves when nothing is queued or in flight (before the pool closes). */
  drain(): Promise<void>;
}

/**
 * Group commit: the events queued while no batch is in flight (at least one event-loop turn) share one
 * transaction; a batch that rolls back is retried event by event, so only an event that cannot be written
 * fails its request. One batch is in flight at a time per instance; replicas still serialise on the lock.
 */
export function createPostgresAuditAppender(db: Db): PostgresAuditAppender {
  const queue: Pending[] = [];
  let running: Promise<void> | undefined;

  const runBatch = async (batch: Pending[]): Promise<void> => {
    try {
      await appendBatch(db, batch);
      for (const p of batch) p.resolve();
      return;
    } catch (e) {
      if (batch.length === 1) {
        batch[0]!.reject(e);
        return;
      }
    }
    for (const p of batch) {
      try {
        await appendBatch(db, [p]);
        p.resolve();
      } catch (e) {
        p.reject(e);
      }
    }
  };
  const loop = async (): Promise<void> => {
    // Lets the rest of this turn queue its events first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      await runBatch(queue.splice(0, MAX_BATCH));
    }
    running = undefined;
  };

  return {
    append(e) {
      let time: string;
      try {
        time = iso(e.time, 'time');
      } catch (cause) {
        return Promise.reject(cause instanceof Error ? cause : new Error(String(cause)));
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ e, time, resolve, reject });
        running ??= loop();
      });
    },
    async drain() {
      while (running !== undefined) await running;
    },
  };
}

/** The largest seq ever appended (undefined before the first), kept apart from the rows so a deleted tail shows. */
export async function auditHighWaterPostgres(db: Db): Promise<number | undefined> {
  const { rows } = await db.query<{ seq: string }>('read the audit sequence', 'SELECT seq FROM audit_high_water WHERE id = 1');
  const seq = Number(rows[0]?.seq ?? 0);
  return seq === 0 ? undefined : seq;
}

/** Events matching `query`, oldest first; with a limit the newest N. */
export async function listAuditPostgres(db: Db, query: AuditQuery = {}): Promise<AuditEvent[]> {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (v: unknown): string => {
    args.push(v);
    return `$${args.length}`;
  };
  if (query.session !== undefined) where.push(`session = ${arg(query.session)}`);
  if (query.user !== undefined) where.push(`username = ${arg(query.user)}`);
  if (query.since !== undefined) where.push(`time >= ${arg(iso(query.since, 'since'))}`);
  if (query.afterSeq !== undefined) where.push(`seq > ${arg(Math.floor(query.afterSeq))}`);
  // After `afterSeq` the oldest N win (audit --follow); otherwise the newest N. Oldest first either way.
  const order = query.afterSeq === undefined ? 'DESC' : 'ASC';
  let sql = `SELECT event_json FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${order}`;
  if (query.limit !== undefined) sql += ` LIMIT ${arg(Math.max(0, Math.floor(query.limit)))}`;
  const { rows } = await db.query<{ event_json: string }>('list audit events', sql, args);
  if (order === 'DESC') rows.reverse();
  return rows.map((r) => JSON.parse(r.event_json) as AuditEvent);
}

/** Stored rows with seq > afterSeq, oldest first, for chain verification. */
export async function listAuditRowsPostgres(db: Db, afterSeq: number, limit: number): Promise<AuditRow[]> {
  const { rows } = await db.query<{ seq: string; audit_id: string; time: Date; session: string | null; username: string | null; event_json: string }>(
    'read audit rows',
    'SELECT seq, audit_id, time, session, username, event_json FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2',
    [afterSeq, limit],
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    auditID: r.audit_id,
    time: r.time.toISOString(),
    session: r.session,
    user: r.username,
    eventJson: r.event_json,
  }));
}
