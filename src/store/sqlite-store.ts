/** The embedded Store: one SQLite file (better-sqlite3, WAL), for a single gateway process. */
import Database from 'better-sqlite3';
import { chmod, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HoopError } from '../errors.js';
import type { AuditEvent } from '../audit/audit-event.js';
import type {
  AccessRequestPatch, AccessRequestQuery, AccessRequestRecord, AccessRequestStatus, AccessVoteRecord, AuditQuery, RecordingPatch,
  RecordingRecord, SessionQuery, SessionRecord, SigningKeyRecord, Store,
} from './store.js';
import { accessRequestRow, accessRequestWhere, patchColumns, toAccessRequest, type AccessRequestRow } from './sqlite-access-requests.js';
import { createSqliteAudit } from './sqlite-audit.js';
import { createSqliteRecordings, RECORDINGS_MIGRATION } from './sqlite-recordings.js';

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

interface SessionRow {
  id: string; user: string; groups_json: string; connection: string; namespace: string | null; role: string | null;
  reason: string | null; created_at: string; expires_at: string; ended_at: string | null; end_reason: string | null;
}

// Times are compared as strings in SQL, so every stored instant uses one format (toISOString, UTC, ms).
function iso(value: string, what: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new HoopError('store_error', `${what} is not an RFC 3339 time: ${JSON.stringify(value)}`);
  return new Date(t).toISOString();
}

function toSession(r: SessionRow): SessionRecord {
  return {
    id: r.id, user: r.user, groups: JSON.parse(r.groups_json) as string[], connection: r.connection,
    namespace: r.namespace, role: r.role, reason: r.reason, createdAt: r.created_at, expiresAt: r.expires_at,
    endedAt: r.ended_at, endReason: r.end_reason,
  };
}

// The DB holds signing keys and audit records: create it 0600 before SQLite opens it
// (SQLite gives the -wal/-shm files the main file's mode).
async function createPrivateFile(file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const fh = await open(file, 'a', 0o600);
  await fh.close();
  await chmod(file, 0o600);
}

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

/** Opens (creating and migrating when needed) the SQLite store at `file`. */
export async function openSqliteStore(file: string): Promise<Store> {
  let db: Database.Database;
  try {
    if (file !== ':memory:') await createPrivateFile(file);
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (cause) {
    if (cause instanceof HoopError) throw cause;
    throw new HoopError('store_error', `cannot open the SQLite store ${file}: ${(cause as Error).message}`, { cause });
  }

  const q = {
    keys: db.prepare('SELECT kid, alg, private_jwk, public_jwk, created_at, retired_at FROM signing_keys ORDER BY created_at, kid'),
    putKey: db.prepare('INSERT OR REPLACE INTO signing_keys (kid, alg, private_jwk, public_jwk, created_at, retired_at) VALUES (?, ?, ?, ?, ?, ?)'),
    claimSetting: db.prepare('INSERT OR IGNORE INTO gateway_settings (name, value, set_at) VALUES (?, ?, ?)'),
    getSetting: db.prepare('SELECT value FROM gateway_settings WHERE name = ?'),
    createSession: db.prepare(`INSERT INTO sessions (id, user, groups_json, connection, namespace, role, reason, created_at, expires_at, ended_at, end_reason)
      VALUES (@id, @user, @groups_json, @connection, @namespace, @role, @reason, @created_at, @expires_at, @ended_at, @end_reason)`),
    getSession: db.prepare('SELECT * FROM sessions WHERE id = ?'),
    endSession: db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL'),
    createRequest: db.prepare(`INSERT INTO access_requests (id, kind, status, user, groups_json, connection, role, namespace, reason,
      ttl_seconds, session_id, fingerprint, verb, request_uri, summary, rule, approvers_json, min_approvals, created_at, expires_at,
      decided_at, valid_until, uses, used_at, used_method) VALUES (@id, @kind, @status, @user, @groups_json, @connection, @role,
      @namespace, @reason, @ttl_seconds, @session_id, @fingerprint, @verb, @request_uri, @summary, @rule, @approvers_json,
      @min_approvals, @created_at, @expires_at, @decided_at, @valid_until, @uses, @used_at, @used_method)`),
    getRequest: db.prepare('SELECT * FROM access_requests WHERE id = ?'),
    addVote: db.prepare('INSERT OR IGNORE INTO access_votes (request_id, approver, decision, comment, at) VALUES (?, ?, ?, ?, ?)'),
    votes: db.prepare('SELECT * FROM access_votes WHERE request_id = ? ORDER BY at, approver'),
  };
  const audit = createSqliteAudit(db);
  const recordings = createSqliteRecordings(db, iso);
  let closed = false;
  // In-process only: one SQLite file serves one gateway process.
  const endedListeners = new Set<(id: string) => void>();
  const sessionEnded = (id: string): void => {
    // After the caller's continuation, so the gateway that ended it closes (and counts) its streams first.
    setImmediate(() => {
      for (const l of [...endedListeners]) {
        try { l(id); } catch { /* one listener failing must not keep the others from hearing */ }
      }
    });
  };

  // Every call goes through here so a driver error becomes a HoopError and a closed store says so.
  function run<T>(what: string, fn: () => T): Promise<T> {
    if (closed) return Promise.reject(new HoopError('store_error', `${what}: the store is closed`));
    try {
      return Promise.resolve(fn());
    } catch (cause) {
      if (cause instanceof HoopError) return Promise.reject(cause);
      return Promise.reject(new HoopError('store_error', `${what}: ${(cause as Error).message}`, { cause }));
    }
  }

  return {
    kind: 'sqlite',
    getSigningKeys: () => run('read signing keys', () =>
      (q.keys.all() as { kid: string; alg: string; private_jwk: string; public_jwk: string; created_at: string; retired_at: string | null }[]).map((r) => ({
        kid: r.kid, alg: r.alg, privateJwk: r.private_jwk, publicJwk: r.public_jwk, createdAt: r.created_at,
        ...(r.retired_at === null ? {} : { retiredAt: r.retired_at }),
      }))),
    putSigningKey: (k: SigningKeyRecord) => run('store a signing key', () => {
      q.putKey.run(k.kid, k.alg, k.privateJwk, k.publicJwk, iso(k.createdAt, 'createdAt'), k.retiredAt === undefined ? null : iso(k.retiredAt, 'retiredAt'));
    }),
    claimSetting: (name: string, value: string) => run(`store the setting ${name}`, () => {
      q.claimSetting.run(name, value, new Date().toISOString());
      return (q.getSetting.get(name) as { value: string }).value;
    }),
    readSetting: (name: string) => run(`read the setting ${name}`, () => (q.getSetting.get(name) as { value: string } | undefined)?.value),
    createSession: (s: SessionRecord) => run('create a session', () => {
      q.createSession.run({
        id: s.id, user: s.user, groups_json: JSON.stringify(s.groups), connection: s.connection, namespace: s.namespace,
        role: s.role, reason: s.reason, created_at: iso(s.createdAt, 'createdAt'), expires_at: iso(s.expiresAt, 'expiresAt'),
        ended_at: s.endedAt === null ? null : iso(s.endedAt, 'endedAt'), end_reason: s.endReason,
      });
    }),
    getSession: (id: string) => run('read a session', () => {
      const r = q.getSession.get(id) as SessionRow | undefined;
      return r === undefined ? undefined : toSession(r);
    }),
    endSession: (id: string, endedAt: string, reason: string) => run('end a session', () => {
      const changed = q.endSession.run(iso(endedAt, 'endedAt'), reason, id).changes > 0;
      if (changed) sessionEnded(id);
      return changed;
    }),
    onSessionEnded: (listener: (id: string) => void) => {
      endedListeners.add(listener);
      return () => { endedListeners.delete(listener); };
    },
    listSessions: (query: SessionQuery = {}) => run('list sessions', () => {
      const where: string[] = [];
      const args: string[] = [];
      if (query.user !== undefined) { where.push('user = ?'); args.push(query.user); }
      if (query.activeAt !== undefined) { where.push('ended_at IS NULL AND expires_at > ?'); args.push(iso(query.activeAt, 'activeAt')); }
      const sql = `SELECT * FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`;
      return (db.prepare(sql).all(...args) as SessionRow[]).map(toSession);
    }),
    // Group-committed with the other events of this event-loop turn; resolves once its row is committed.
    appendAudit: (e: AuditEvent) => run('append an audit event', () => audit.enqueue(e, iso(e.time, 'time')))
      .then((committed) => committed).catch((cause: unknown) => {
        throw cause instanceof HoopError ? cause : new HoopError('store_error', `append an audit event: ${(cause as Error).message}`, { cause });
      }),
    listAudit: (query: AuditQuery = {}) => run('list audit events', () => {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (query.session !== undefined) { where.push('session = ?'); args.push(query.session); }
      if (query.user !== undefined) { where.push('user = ?'); args.push(query.user); }
      if (query.since !== undefined) { where.push('time >= ?'); args.push(iso(query.since, 'since')); }
      if (query.afterSeq !== undefined) { where.push('seq > ?'); args.push(Math.floor(query.afterSeq)); }
      // With a limit the newest events win (the oldest after `afterSeq`); the answer is still oldest first.
      const order = query.afterSeq === undefined ? 'DESC' : 'ASC';
      let sql = `SELECT event_json FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${order}`;
      if (query.limit !== undefined) { sql += ' LIMIT ?'; args.push(Math.max(0, Math.floor(query.limit))); }
      const rows = db.prepare(sql).all(...args) as { event_json: string }[];
      if (order === 'DESC') rows.reverse();
      return rows.map((r) => JSON.parse(r.event_json) as AuditEvent);
    }),
    listAuditRows: (afterSeq: number, limit: number) => run('read audit rows', () => audit.rows(afterSeq, limit)),
    auditHighWater: () => run('read the audit sequence', () => audit.highWater()),
    createRecording: (r: RecordingRecord) => run('create a recording', () => recordings.create(r)),
    appendRecording: (id: string, n: number, lines: string, patch: RecordingPatch) => run('append to a recording', () => recordings.append(id, n, lines, patch)),
    updateRecording: (id: string, patch: RecordingPatch) => run('update a recording', () => recordings.update(id, patch)),
    getRecording: (id: string) => run('read a recording', () => recordings.get(id)),
    listRecordings: (session: string) => run('list recordings', () => recordings.list(session)),
    readRecording: (id: string) => run('read a recording', () => recordings.read(id)),
    createAccessRequest: (r: AccessRequestRecord) => run('create an access request', () => {
      q.createRequest.run(accessRequestRow(r, iso));
    }),
    getAccessRequest: (id: string) => run('read an access request', () => {
      const r = q.getRequest.get(id) as AccessRequestRow | undefined;
      return r === undefined ? undefined : toAccessRequest(r);
    }),
    listAccessRequests: (query: AccessRequestQuery = {}) => run('list access requests', () => {
      const { where, args } = accessRequestWhere(query, iso);
      let sql = `SELECT * FROM access_requests ${where} ORDER BY created_at DESC, id`;
      if (query.limit !== undefined) { sql += ' LIMIT ?'; args.push(Math.max(0, Math.floor(query.limit))); }
      return (db.prepare(sql).all(...args) as AccessRequestRow[]).map(toAccessRequest);
    }),
    updateAccessRequest: (id: string, expected: { status: AccessRequestStatus; uses?: number }, patch: AccessRequestPatch) =>
      run('update an access request', () => {
        const { sets, args } = patchColumns(patch, iso);
        if (sets.length === 0) return false;
        let sql = `UPDATE access_requests SET ${sets.join(', ')} WHERE id = ? AND status = ?`;
        args.push(id, expected.status);
        if (expected.uses !== undefined) { sql += ' AND uses = ?'; args.push(expected.uses); }
        return db.prepare(sql).run(...args).changes > 0;
      }),
    addAccessVote: (v: AccessVoteRecord) => run('record a vote', () =>
      q.addVote.run(v.requestId, v.approver, v.decision, v.comment, iso(v.at, 'at')).changes > 0),
    listAccessVotes: (requestId: string) => run('list votes', () =>
      (q.votes.all(requestId) as { request_id: string; approver: string; decision: 'approve' | 'deny'; comment: string | null; at: string }[])
        .map((r) => ({ requestId: r.request_id, approver: r.approver, decision: r.decision, comment: r.comment, at: r.at }))),
    close: async () => {
      if (closed) return;
      closed = true;
      endedListeners.clear();
      audit.flush();
      db.close();
    },
  };
}
