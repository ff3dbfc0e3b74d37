/** The audit hash chain in SQLite: appends read the tail and insert under one write transaction, so the chain never forks. */
import Database from 'better-sqlite3';
import type { AuditEvent } from '../audit/audit-event.js';
import { chainEvent } from '../audit/hash-chain.js';
import type { AuditRow, AuditRowSource } from '../audit/verify-chain.js';
import { HoopError } from '../errors.js';

/** Reads stored audit rows as written. */
export interface SqliteAuditReader {
  rows(afterSeq: number, limit: number): AuditRow[];
  highWater(): number | undefined;
}

/** The audit statements of one open database. */
export interface SqliteAudit extends SqliteAuditReader {
  append(e: AuditEvent, time: string): void;
}

interface Row { seq: number; audit_id: string; time: string; session: string | null; user: string | null; event_json: string }

function createReader(db: Database.Database): SqliteAuditReader {
  const rows = db.prepare('SELECT seq, audit_id, time, session, user, event_json FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?');
  const sequence = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'audit_events'");
  return {
    rows: (afterSeq, limit) => (rows.all(afterSeq, limit) as Row[])
      .map((r) => ({ seq: r.seq, auditID: r.audit_id, time: r.time, session: r.session, user: r.user, eventJson: r.event_json })),
    // AUTOINCREMENT remembers the largest seq ever used, even after the rows at the end are deleted.
    highWater: () => (sequence.get() as { seq: number } | undefined)?.seq,
  };
}

/** Prepares the statements; `audit_events.seq` is the chain position. */
export function createSqliteAudit(db: Database.Database): SqliteAudit {
  const tail = db.prepare('SELECT seq, event_json FROM audit_events ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare('INSERT INTO audit_events (seq, audit_id, time, session, user, event_json) VALUES (?, ?, ?, ?, ?, ?)');
  // IMMEDIATE takes the write lock before reading the tail: two processes on one file cannot both link to it.
  const append = db.transaction((e: AuditEvent, time: string) => {
    const last = tail.get() as { seq: number; event_json: string } | undefined;
    const prevHash = last === undefined ? undefined : (JSON.parse(last.event_json) as AuditEvent).hash;
    const chained = chainEvent(e, last === undefined ? undefined : { seq: last.seq, hash: prevHash });
    insert.run(chained.seq, chained.auditID, time, chained.session, chained.user, JSON.stringify(chained));
  });
  return { ...createReader(db), append: (e, time) => append.immediate(e, time) };
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
