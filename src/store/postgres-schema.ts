/**
 * The PostgreSQL schema: the SQLite store's migrations as PostgreSQL DDL, same version numbers, applied
 * once however many replicas start together (session advisory lock around the whole run).
 */
import type pg from 'pg';
import { HoopError } from '../errors.js';
import { storeError } from './postgres-db.js';

/** First key of every advisory lock the store takes ("hoop" in ASCII); the second names the purpose. */
export const LOCK_SPACE = 0x686f6f70;
/** Advisory lock ids (second key) of the store. */
export const LOCKS = { migrate: 1, audit: 2 } as const;

/**
 * Ordered migrations; version N here is version N of sqlite-schema.ts. A version once shipped is never edited.
 * Differences from SQLite, on purpose: `user` is reserved in PostgreSQL (column `username`), instants are
 * `timestamptz`, lists are `text[]`, and audit `seq` is assigned by the store under a lock (gapless, in chain order).
 */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE signing_keys (
     kid TEXT PRIMARY KEY, alg TEXT NOT NULL, private_jwk TEXT NOT NULL, public_jwk TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL);
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY, username TEXT NOT NULL, groups TEXT[] NOT NULL, connection TEXT NOT NULL,
     namespace TEXT, role TEXT, reason TEXT, created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL,
     ended_at TIMESTAMPTZ, end_reason TEXT);
   CREATE INDEX sessions_by_user ON sessions (username, created_at);
   CREATE INDEX sessions_by_ended_at ON sessions (ended_at) WHERE ended_at IS NOT NULL;
   CREATE TABLE audit_events (
     seq BIGINT PRIMARY KEY, audit_id TEXT NOT NULL, time TIMESTAMPTZ NOT NULL,
     session TEXT, username TEXT, event_json TEXT NOT NULL);
   CREATE INDEX audit_by_session ON audit_events (session, seq);
   CREATE INDEX audit_by_user ON audit_events (username, seq);
   CREATE INDEX audit_by_time ON audit_events (time);`,
  // 2: access requests (session elevation and single-command review) and approvers' votes.
  `CREATE TABLE access_requests (
     id TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, username TEXT NOT NULL, groups TEXT[] NOT NULL,
     connection TEXT NOT NULL, role TEXT, namespace TEXT, reason TEXT, ttl_seconds INTEGER, session_id TEXT,
     fingerprint TEXT, verb TEXT, request_uri TEXT, summary TEXT NOT NULL, rule TEXT NOT NULL, approvers TEXT[] NOT NULL,
     min_approvals INTEGER NOT NULL, created_at TIMESTAMPTZ NOT NULL, expires_at TIMESTAMPTZ NOT NULL, decided_at TIMESTAMPTZ,
     valid_until TIMESTAMPTZ, uses INTEGER NOT NULL DEFAULT 0, used_at TIMESTAMPTZ, used_method TEXT);
   CREATE INDEX access_requests_by_status ON access_requests (status, created_at);
   CREATE INDEX access_requests_by_user ON access_requests (username, created_at);
   CREATE INDEX access_requests_by_fingerprint ON access_requests (fingerprint);
   CREATE TABLE access_votes (
     request_id TEXT NOT NULL REFERENCES access_requests (id), approver TEXT NOT NULL, decision TEXT NOT NULL,
     comment TEXT, at TIMESTAMPTZ NOT NULL, PRIMARY KEY (request_id, approver));`,
  // 3: exec/attach recordings (asciicast v2); audit events gain seq/prevHash/hash inside event_json (no column change).
  `CREATE TABLE recordings (
     id TEXT PRIMARY KEY, session TEXT NOT NULL, audit_id TEXT NOT NULL, started_at TIMESTAMPTZ NOT NULL, meta_json TEXT NOT NULL);
   CREATE INDEX recordings_by_session ON recordings (session, started_at);
   CREATE TABLE recording_chunks (
     recording_id TEXT NOT NULL REFERENCES recordings (id), n INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (recording_id, n));
   -- The largest audit seq ever assigned (SQLite keeps it in sqlite_sequence): verify notices a deleted tail.
   CREATE TABLE audit_high_water (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL);
   INSERT INTO audit_high_water (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM audit_events;`,
  // 4: key rotation (a retired key's tokens are refused) and settings every replica must share (the session issuer).
  `ALTER TABLE signing_keys ADD COLUMN retired_at TIMESTAMPTZ;
   CREATE TABLE gateway_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL, set_at TIMESTAMPTZ NOT NULL);`,
];

/** Brings the schema to PG_MIGRATIONS.length; replicas that start together wait on the lock and then find nothing to do. */
export async function migratePostgres(pool: pg.Pool, migrations: readonly string[] = PG_MIGRATIONS): Promise<void> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    throw storeError('connect', e);
  }
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [LOCK_SPACE, LOCKS.migrate]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)');
      const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
      const current = rows[0]?.v ?? 0;
      if (current > migrations.length) {
        throw new HoopError('store_error', `the database schema is version ${current}, newer than this gateway knows (${migrations.length})`, {
          hint: 'upgrade hoopctl',
        });
      }
      for (let v = current + 1; v <= migrations.length; v++) {
        try {
          // DDL is transactional in PostgreSQL: a failed migration leaves no half-made tables.
          await client.query('BEGIN');
          await client.query(migrations[v - 1]!);
          await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())', [v]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw storeError(`apply schema migration ${v}`, e);
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_SPACE, LOCKS.migrate]).catch(() => {
        broken = true;
      });
    }
  } catch (e) {
    throw storeError('migrate the schema', e);
  } finally {
    // A client that may still hold the lock must not go back to the pool.
    client.release(broken);
  }
}
