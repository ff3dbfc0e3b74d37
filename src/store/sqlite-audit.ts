/** The audit hash chain in SQLite: appends read the tail and insert under one write transaction, so the chain never forks. */
import Database from 'better-sqlite3';
import type { AuditEvent } from '../audit/audit-event.js';
import { chainEvent } from '../audit/hash-chain.js';
import type { AuditRow, AuditRowSource } from '../audit/verify-chain.js';
import { HoopError } from '../errors.js';
import type { AuditQuery, Store } from './store.js';
import type { SqliteRun } from './sqlite-db.js';
import { iso } from './store-time.js';

/** Reads stored audit rows as written. */
export interface SqliteAuditReader {
  rows(afterSeq: number, limit: number): AuditRow[];
  highWater(): number | undefined;
}

/** The audit statements of one open database. */
export interface SqliteAudit extends SqliteAuditReader {
  /** Appends at once, in its own write transaction. */
  append(e: AuditEvent, time: string): void;
  /**
   * Group commit: the events queued within one event-loop turn are chained and inserted in one write
   * transaction; each promise settles only after that transaction committed (or failed) its own row.
   */
  enqueue(e: AuditEvent, time: string): Promise<void>;
  /** Writes whatever is queued now (before the database closes). */
  flush(): void;
}

interface Pending {
  e: AuditEvent;
  time: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface Row {
  seq: number;
  audit_id: string;
  time: string;
  session: string | null;
  user: string | null;
  event_json: string;
}

function createReader(db: Database.Database): SqliteAuditReader {
  const rows = db.prepare('SELECT seq, audit_id, time, session, user, event_json FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?');
  const sequence = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'");
  return {
    rows: (afterSeq, limit) =>
      (rows.all(afterSeq, limit) as Row[]).map((r) => ({
        seq: r.seq,
        auditID: r.audit_id,
        time: r.time,
        session: r.session,
        user: r.user,
        eventJson: r.event_json,
      })),
    // AUTOINCREMENT remembers the largest seq ever used, even after the rows at the end are deleted.
    highWater: () => (sequence.get() as { seq: number } | undefined)?.seq,
  };
}

/** Prepares the statements; `audit_events.seq` is the chain position. */
export function createSqliteAudit(db: Database.Database): SqliteAudit {
  const tailSeq = db.prepare('SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1').pluck();
  const tailJson = db.prepare('SELECT event_json FROM audit_events WHERE seq = ?').pluck();
  const insert = db.prepare('INSERT INTO audit_events (seq, audit_id, time, session, user, event_json) VALUES (?, ?, ?, ?, ?, ?)');
  // The tail's hash, kept so an append need not parse the previous event; trusted only while the stored tail
  // is still at `seq` (checked under the write lock, one indexed read), so another writer cannot fork the chain.
  let head: { seq: number; hash: string | undefined } | undefined;
  const linkToTail = (): { seq: number; hash: string | undefined } | undefined => {
    const seq = tailSeq.get() as number | undefined;
    if (seq === undefined) return undefined;
    if (head?.seq !== seq) head = { seq, hash: (JSON.parse(tailJson.get(seq) as string) as AuditEvent).hash };
    return head;
  };
  const insertChained = (
    e: AuditEvent,
    time: string,
    prev: { seq: number; hash: string | undefined } | undefined,
  ): { seq: number; hash: string | undefined } => {
    const chained = chainEvent(e, prev);
    insert.run(chained.seq, chained.auditID, time, chained.session, chained.user, JSON.stringify(chained));
    return { seq: chained.seq as number, hash: chained.hash };
  };
  // IMMEDIATE takes the write lock before reading the tail: two processes on one file cannot both link to it.
  const appendMany = db.transaction((batch: readonly { e: AuditEvent; time: string }[]) => {
    let prev = linkToTail();
    for (const b of batch) prev = insertChained(b.e, b.time, prev);
    return prev;
  });
  const commit = (batch: readonly { e: AuditEvent; time: string }[]): void => {
    try {
      head = appendMany.immediate(batch);
    } catch (e) {
      head = undefined; // rolled back: re-read the tail next time
      throw e;
    }
  };

  let queue: Pending[] = [];
  const flush = (): void => {
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    try {
      commit(batch);
      for (const p of batch) p.resolve();
      return;
    } catch (e) {
      if (batch.length === 1) {
        batch[0]!.reject(e);
        return;
      }
    }
    // The batch rolled back as a whole: write each alone, so only the event that cannot be written fails its request.
    for (const p of batch) {
      try {
        commit([p]);
        p.resolve();
      } catch (e) {
        p.reject(e);
      }
    }
  };
  return {
    ...createReader(db),
    append: (e, time) => commit([{ e, time }]),
    enqueue: (e, time) =>
      new Promise<void>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ e, time, resolve, reject });
      }),
    flush,
  };
}

/** The audit methods of the Store over `db` and its group-committing appender. */
export function sqliteAuditMethods(
  db: Database.Database,
  audit: SqliteAudit,
  run: SqliteRun,
): Pick<Store, 'appendAudit' | 'listAudit' | 'listAuditRows' | 'auditHighWater'> {
  return {
    // Group-committed with the other events of this event-loop turn; resolves once its row is committed.
    appendAudit: (e: AuditEvent) =>
      run('append an audit event', () => audit.enqueue(e, iso(e.time, 'time')))
        .then((committed) => committed)
        .catch((cause: unknown) => {
          throw cause instanceof HoopError ? cause : new HoopError('store_error', `append an audit event: ${(cause as Error).message}`, { cause });
        }),
    listAudit: (query: AuditQuery = {}) =>
      run('list audit events', () => {
        const where: string[] = [];
        const args: (string | number)[] = [];
        if (query.session !== undefined) {
          where.push('session = ?');
          args.push(query.session);
        }
        if (query.user !== undefined) {
          where.push('user = ?');
          args.push(query.user);
        }
        if (query.since !== undefined) {
          where.push('time >= ?');
          args.push(iso(query.since, 'since'));
        }
        if (query.afterSeq !== undefined) {
          where.push('seq > ?');
          args.push(Math.floor(query.afterSeq));
        }
        // With a limit the newest events win (the oldest after `afterSeq`); the answer is still oldest first.
        const order = query.afterSeq === undefined ? 'DESC' : 'ASC';
        let sql = `SELECT event_json FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${order}`;
        if (query.limit !== undefined) {
          sql += ' LIMIT ?';
          args.push(Math.max(0, Math.floor(query.limit)));
        }
        const rows = db.prepare(sql).all(...args) as { event_json: string }[];
        if (order === 'DESC') rows.reverse();
        return rows.map((r) => JSON.parse(r.event_json) as AuditEvent);
      }),
    listAuditRows: (afterSeq: number, limit: number) => run('read audit rows', () => audit.rows(afterSeq, limit)),
    auditHighWater: () => run('read the audit sequence', () => audit.highWater()),
  };
}

/** Opens a gateway's SQLite file read-only (no migration, no write lock) to verify its audit chain offline. */
export function openSqliteAuditFile(file: string): AuditRowSource & { close(): void } {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new HoopError('not_found', `cannot open the gateway database ${file}: ${(cause as Error).message}`, { cause });
  }
  let reader: SqliteAuditReader;
  try {
    reader = createReader(db);
  } catch (cause) {
    db.close();
    throw new HoopError('store_error', `${file} is not a hoopctl gateway database (${(cause as Error).message})`, { cause });
  }
  return { rows: async (a, l) => reader.rows(a, l), highWater: async () => reader.highWater(), close: () => db.close() };
}
