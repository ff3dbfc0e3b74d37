/**
 * The Store for several gateway replicas: PostgreSQL (pg pool). Same semantics as the SQLite store, plus
 * `onSessionEnded` across replicas through LISTEN/NOTIFY, so a revoke on one replica cuts the others' streams.
 */
import { randomUUID } from 'node:crypto';
import { HoopError } from '../errors.js';
import type { SessionQuery, SessionRecord, SigningKeyRecord, Store } from './store.js';
import { accessRequestMethods } from './postgres-access-requests.js';
import { auditHighWaterPostgres, createPostgresAuditAppender, listAuditPostgres, listAuditRowsPostgres } from './postgres-audit.js';
import { recordingMethods } from './postgres-recordings.js';
import { createDb, fromTimestamp, redactPostgresUrl, type Db, type PostgresStoreOptions } from './postgres-db.js';
import { iso } from './store-time.js';
import { migratePostgres } from './postgres-schema.js';
import { SESSION_ENDED_CHANNEL, startSessionEndedFeed, type SessionEndedFeed } from './postgres-session-feed.js';

export { redactPostgresUrl, type PostgresStoreOptions } from './postgres-db.js';

interface SessionRow {
  id: string;
  username: string;
  groups: string[];
  connection: string;
  namespace: string | null;
  role: string | null;
  reason: string | null;
  created_at: Date;
  expires_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

function toSession(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    user: r.username,
    groups: r.groups,
    connection: r.connection,
    namespace: r.namespace,
    role: r.role,
    reason: r.reason,
    createdAt: fromTimestamp(r.created_at),
    expiresAt: fromTimestamp(r.expires_at),
    endedAt: fromTimestamp(r.ended_at),
    endReason: r.end_reason,
  };
}

function sessionMethods(db: Db, feed: SessionEndedFeed, origin: string) {
  return {
    async getSigningKeys(): Promise<SigningKeyRecord[]> {
      const { rows } = await db.query<{ kid: string; alg: string; private_jwk: string; public_jwk: string; created_at: Date; retired_at: Date | null }>(
        'read signing keys',
        'SELECT kid, alg, private_jwk, public_jwk, created_at, retired_at FROM signing_keys ORDER BY created_at, kid COLLATE "C"',
      );
      return rows.map((r) => ({
        kid: r.kid,
        alg: r.alg,
        privateJwk: r.private_jwk,
        publicJwk: r.public_jwk,
        createdAt: fromTimestamp(r.created_at),
        ...(r.retired_at === null ? {} : { retiredAt: fromTimestamp(r.retired_at) }),
      }));
    },
    async putSigningKey(k: SigningKeyRecord): Promise<void> {
      await db.query(
        'store a signing key',
        `INSERT INTO signing_keys (kid, alg, private_jwk, public_jwk, created_at, retired_at) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (kid) DO UPDATE SET alg = EXCLUDED.alg, private_jwk = EXCLUDED.private_jwk, public_jwk = EXCLUDED.public_jwk,
        created_at = EXCLUDED.created_at, retired_at = EXCLUDED.retired_at`,
        [k.kid, k.alg, k.privateJwk, k.publicJwk, iso(k.createdAt, 'createdAt'), k.retiredAt === undefined ? null : iso(k.retiredAt, 'retiredAt')],
      );
    },
    async claimSetting(name: string, value: string): Promise<string> {
      const { rows } = await db.query<{ value: string }>(
        `store the setting ${name}`,
        `WITH ins AS (
          INSERT INTO gateway_settings (name, value, set_at) VALUES ($1, $2, now()) ON CONFLICT (name) DO NOTHING RETURNING value)
        SELECT value FROM ins UNION ALL SELECT value FROM gateway_settings WHERE name = $1`,
        [name, value],
      );
      if (rows[0] !== undefined) return rows[0].value;
      // Lost a race with another replica's insert, committed after this statement's snapshot: read it now.
      const again = await db.query<{ value: string }>(`read the setting ${name}`, 'SELECT value FROM gateway_settings WHERE name = $1', [name]);
      return again.rows[0]!.value;
    },
    async readSetting(name: string): Promise<string | undefined> {
      const { rows } = await db.query<{ value: string }>(`read the setting ${name}`, 'SELECT value FROM gateway_settings WHERE name = $1', [name]);
      return rows[0]?.value;
    },
    async createSession(s: SessionRecord): Promise<void> {
      await db.query(
        'create a session',
        `INSERT INTO sessions (id, username, groups, connection, namespace, role, reason, created_at,
        expires_at, ended_at, end_reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          s.id,
          s.user,
          s.groups,
          s.connection,
          s.namespace,
          s.role,
          s.reason,
          iso(s.createdAt, 'createdAt'),
          iso(s.expiresAt, 'expiresAt'),
          s.endedAt === null ? null : iso(s.endedAt, 'endedAt'),
          s.endReason,
        ],
      );
    },
    async getSession(id: string): Promise<SessionRecord | undefined> {
      const { rows } = await db.query<SessionRow>('read a session', 'SELECT * FROM sessions WHERE id = $1', [id]);
      return rows[0] === undefined ? undefined : toSession(rows[0]);
    },
    async endSession(id: string, endedAt: string, reason: string): Promise<boolean> {
      // One statement: the NOTIFY is sent only when this call ended the session, and only once it is committed.
      const r = await db.query(
        'end a session',
        `WITH ended AS (
          UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL RETURNING id)
        SELECT pg_notify($4, $5) FROM ended`,
        [iso(endedAt, 'endedAt'), reason, id, SESSION_ENDED_CHANNEL, JSON.stringify({ id, origin })],
      );
      const changed = (r.rowCount ?? 0) > 0;
      if (changed) feed.deliverLocal(id);
      return changed;
    },
    async listSessions(query: SessionQuery = {}): Promise<SessionRecord[]> {
      const where: string[] = [];
      const args: unknown[] = [];
      if (query.user !== undefined) {
        args.push(query.user);
        where.push(`username = $${args.length}`);
      }
      if (query.activeAt !== undefined) {
        args.push(iso(query.activeAt, 'activeAt'));
        where.push(`ended_at IS NULL AND expires_at > $${args.length}`);
      }
      const sql = `SELECT * FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id COLLATE "C"`;
      return (await db.query<SessionRow>('list sessions', sql, args)).rows.map(toSession);
    },
  };
}

/** Opens the PostgreSQL store: connects, migrates (once across replicas), and starts listening for ended sessions. */
export async function openPostgresStore(options: string | PostgresStoreOptions): Promise<Store> {
  const o: PostgresStoreOptions = typeof options === 'string' ? { url: options } : options;
  const where = redactPostgresUrl(o.url);
  const db = createDb(o);
  const origin = randomUUID();
  let feed: SessionEndedFeed;
  try {
    await migratePostgres(db.pool);
    feed = await startSessionEndedFeed({
      ...o,
      origin,
      endedSince: async (sinceIso) =>
        (await db.query<{ id: string }>('read ended sessions', 'SELECT id FROM sessions WHERE ended_at >= $1', [sinceIso])).rows.map((r) => r.id),
    });
  } catch (cause) {
    await db.close().catch(() => undefined);
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new HoopError('store_error', `cannot open the PostgreSQL store ${where}: ${message}`, {
      ...(cause instanceof HoopError && cause.hint !== undefined ? { hint: cause.hint } : {}),
      cause,
    });
  }

  const audit = createPostgresAuditAppender(db);
  let closing: Promise<void> | undefined;
  return {
    kind: 'postgres',
    ...sessionMethods(db, feed, origin),
    // Group-committed with the other events queued meanwhile; resolves once its row is committed.
    appendAudit: (e) => audit.append(e),
    listAudit: (q) => listAuditPostgres(db, q),
    listAuditRows: (afterSeq, limit) => listAuditRowsPostgres(db, afterSeq, limit),
    auditHighWater: () => auditHighWaterPostgres(db),
    ...recordingMethods(db),
    ...accessRequestMethods(db),
    onSessionEnded: (listener) => feed.subscribe(listener),
    close() {
      // Appends already queued are written (or fail) before the pool ends.
      closing ??= audit
        .drain()
        .then(() => Promise.all([feed.close(), db.close()]))
        .then(() => undefined);
      return closing;
    },
  };
}
