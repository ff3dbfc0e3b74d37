/**
 * Audit events in PostgreSQL. Appends from every replica are serialised by one transaction-level advisory
 * lock, so `seq` is gapless and in commit order and a hash chain over it cannot fork across replicas.
 */
import type { AuditEvent } from '../audit/audit-event.js';
import { chainEvent } from '../audit/hash-chain.js';
import type { AuditRow } from '../audit/verify-chain.js';
import type { AuditQuery } from './store.js';
import { iso, type Db } from './postgres-db.js';
import { LOCK_SPACE, LOCKS } from './postgres-schema.js';

/** Appends one event (rejects with store_error; the caller fails the request it describes). */
export async function appendAuditPostgres(db: Db, e: AuditEvent): Promise<void> {
  const time = iso(e.time, 'time');
  await db.transaction('append an audit event', async (c) => {
    // Held until COMMIT: the next append on any replica reads the tail only after this one is visible.
    await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, LOCKS.audit]);
    const { rows } = await c.query<{ seq: string; event_json: string }>('SELECT seq, event_json FROM audit_events ORDER BY seq DESC LIMIT 1');
    const last = rows[0];
    const chained = chainEvent(e, last === undefined ? undefined : { seq: Number(last.seq), hash: (JSON.parse(last.event_json) as AuditEvent).hash });
    await c.query('INSERT INTO audit_events (seq, audit_id, time, session, username, event_json) VALUES ($1, $2, $3, $4, $5, $6)',
      [chained.seq, e.auditID, time, e.session, e.user, JSON.stringify(chained)]);
    await c.query('UPDATE audit_high_water SET seq = GREATEST(seq, $1) WHERE id = 1', [chained.seq]);
  });
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
  const arg = (v: unknown): string => { args.push(v); return `$${args.length}`; };
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
    'read audit rows', 'SELECT seq, audit_id, time, session, username, event_json FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, limit]);
  return rows.map((r) => ({ seq: Number(r.seq), auditID: r.audit_id, time: r.time.toISOString(), session: r.session, user: r.username, eventJson: r.event_json }));
}
