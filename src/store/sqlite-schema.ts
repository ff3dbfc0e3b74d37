/** The SQLite store's file, pragmas and schema migrations. */
import Database from 'better-sqlite3';
import { chmod, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HoopError } from '../errors.js';
import { RECORDINGS_MIGRATION } from './sqlite-recordings.js';

/** Ordered schema migrations; a version once shipped is never edited, only followed by a new one. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE signing_keys (
     kid TEXT PRIMARY KEY, alg TEXT NOT NULL, private_jwk TEXT NOT NULL, public_jwk TEXT NOT NULL, created_at TEXT NOT NULL);
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY, user TEXT NOT NULL, groups_json TEXT NOT NULL, connection TEXT NOT NULL,
     namespace TEXT, role TEXT, reason TEXT, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
     ended_at TEXT, end_reason TEXT);
   CREATE INDEX sessions_by_user ON sessions (user, created_at);
   CREATE TABLE audit_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, audit_id TEXT NOT NULL, time TEXT NOT NULL,
     session TEXT, user TEXT, event_json TEXT NOT NULL);
   CREATE INDEX audit_by_session ON audit_events (session, seq);
   CREATE INDEX audit_by_user ON audit_events (user, seq);
   CREATE INDEX audit_by_time ON audit_events (time);`,
  // 2: access requests (session elevation and single-command review) and approvers' votes.
  `CREATE TABLE access_requests (
     id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, user TEXT NOT NULL, groups_json TEXT NOT NULL,
     connection TEXT NOT NULL, role TEXT, namespace TEXT, reason TEXT, ttl_seconds INTEGER, session_id TEXT,
     fingerprint TEXT, verb TEXT, request_uri TEXT, summary TEXT NOT NULL, rule TEXT NOT NULL, approvers_json TEXT NOT NULL,
     min_approvals INTEGER NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, decided_at TEXT,
     valid_until TEXT, uses INTEGER NOT NULL DEFAULT 0, used_at TEXT, used_method TEXT);
   CREATE INDEX access_requests_by_status ON access_requests (status, created_at);
   CREATE INDEX access_requests_by_user ON access_requests (user, created_at);
   CREATE INDEX access_requests_by_fingerprint ON access_requests (fingerprint);
   CREATE TABLE access_votes (
     request_id TEXT NOT NULL REFERENCES access_requests (id), approver TEXT NOT NULL, decision TEXT NOT NULL,
     comment TEXT, at TEXT NOT NULL, PRIMARY KEY (request_id, approver));`,
  // 3: exec/attach recordings (asciicast v2). Audit events gain seq/prevHash/hash inside event_json (no column change).
  RECORDINGS_MIGRATION,
  // 4: key rotation (a retired key's tokens are refused) and settings every replica must share (the session issuer).
  `ALTER TABLE signing_keys ADD COLUMN retired_at TEXT;
   CREATE TABLE gateway_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL, set_at TEXT NOT NULL);`,
];

/** The schema version this build migrates to (`hoopctl gateway migrate`). */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

// The DB holds signing keys and audit records: create it 0600 before SQLite opens it
// (SQLite gives the -wal/-shm files the main file's mode).
async function createPrivateFile(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const fh = await open(file, 'a', 0o600);
  await fh.close();
  await chmod(file, 0o600);
}

/** Applies the migrations this file does not have yet, each in its own write transaction. */
function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > MIGRATIONS.length) {
    throw new HoopError('store_error', `the database schema is version ${current}, newer than this gateway knows (${MIGRATIONS.length})`, {
      hint: 'upgrade hoopctl',
    });
  }
  for (let v = current + 1; v <= MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v - 1]!);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(v, new Date().toISOString());
    }).immediate();
  }
}

/** Opens the database at `file` (created 0600 when missing), sets WAL and the pragmas, and migrates it. */
export async function openSqliteDatabase(file: string): Promise<Database.Database> {
  try {
    if (file !== ':memory:') await createPrivateFile(file);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (cause) {
    if (cause instanceof HoopError) throw cause;
    throw new HoopError('store_error', `cannot open the SQLite store ${file}: ${(cause as Error).message}`, { cause });
  }
}
