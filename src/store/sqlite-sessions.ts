/** Signing keys, shared settings and sessions in the SQLite store, with in-process notice of ended sessions. */
import type Database from 'better-sqlite3';
import type { SessionQuery, SessionRecord, SigningKeyRecord, Store } from './store.js';
import type { SqliteRun } from './sqlite-db.js';
import { iso } from './store-time.js';

interface SessionRow {
  id: string;
  user: string;
  groups_json: string;
  connection: string;
  namespace: string | null;
  role: string | null;
  reason: string | null;
  created_at: string;
  expires_at: string;
  ended_at: string | null;
  end_reason: string | null;
}

function toSession(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    user: r.user,
    groups: JSON.parse(r.groups_json) as string[],
    connection: r.connection,
    namespace: r.namespace,
    role: r.role,
    reason: r.reason,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    endedAt: r.ended_at,
    endReason: r.end_reason,
  };
}

type SessionMethods = Pick<
  Store,
  'getSigningKeys' | 'putSigningKey' | 'claimSetting' | 'readSetting' | 'createSession' | 'getSession' | 'endSession' | 'onSessionEnded' | 'listSessions'
>;

/** The key, setting and session methods over `db`; `stopListening` drops the ended-session listeners (on close). */
export function sqliteSessionMethods(db: Database.Database, run: SqliteRun): SessionMethods & { stopListening(): void } {
  const q = {
    keys: db.prepare('SELECT kid, alg, private_jwk, public_jwk, created_at, retired_at FROM signing_keys ORDER BY created_at, kid'),
    putKey: db.prepare('INSERT OR REPLACE INTO signing_keys (kid, alg, private_jwk, public_jwk, created_at, retired_at) VALUES (?, ?, ?, ?, ?, ?)'),
    claimSetting: db.prepare('INSERT OR IGNORE INTO gateway_settings (name, value, set_at) VALUES (?, ?, ?)'),
    getSetting: db.prepare('SELECT value FROM gateway_settings WHERE name = ?'),
    createSession: db.prepare(`INSERT INTO sessions (id, user, groups_json, connection, namespace, role, reason, created_at, expires_at, ended_at, end_reason)
      VALUES (@id, @user, @groups_json, @connection, @namespace, @role, @reason, @created_at, @expires_at, @ended_at, @end_reason)`),
    getSession: db.prepare('SELECT * FROM sessions WHERE id = ?'),
    endSession: db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL'),
  };
  // In-process only: one SQLite file serves one gateway process.
  const endedListeners = new Set<(id: string) => void>();
  const sessionEnded = (id: string): void => {
    // After the caller's continuation, so the gateway that ended it closes (and counts) its streams first.
    setImmediate(() => {
      for (const l of [...endedListeners]) {
        try {
          l(id);
        } catch {
          /* one listener failing must not keep the others from hearing */
        }
      }
    });
  };
  return {
    getSigningKeys: () =>
      run('read signing keys', () =>
        (q.keys.all() as { kid: string; alg: string; private_jwk: string; public_jwk: string; created_at: string; retired_at: string | null }[]).map((r) => ({
          kid: r.kid,
          alg: r.alg,
          privateJwk: r.private_jwk,
          publicJwk: r.public_jwk,
          createdAt: r.created_at,
          ...(r.retired_at === null ? {} : { retiredAt: r.retired_at }),
        })),
      ),
    putSigningKey: (k: SigningKeyRecord) =>
      run('store a signing key', () => {
        q.putKey.run(k.kid, k.alg, k.privateJwk, k.publicJwk, iso(k.createdAt, 'createdAt'), k.retiredAt === undefined ? null : iso(k.retiredAt, 'retiredAt'));
      }),
    claimSetting: (name: string, value: string) =>
      run(`store the setting ${name}`, () => {
        q.claimSetting.run(name, value, new Date().toISOString());
        return (q.getSetting.get(name) as { value: string }).value;
      }),
    readSetting: (name: string) => run(`read the setting ${name}`, () => (q.getSetting.get(name) as { value: string } | undefined)?.value),
    createSession: (s: SessionRecord) =>
      run('create a session', () => {
        q.createSession.run({
          id: s.id,
          user: s.user,
          groups_json: JSON.stringify(s.groups),
          connection: s.connection,
          namespace: s.namespace,
          role: s.role,
          reason: s.reason,
          created_at: iso(s.createdAt, 'createdAt'),
          expires_at: iso(s.expiresAt, 'expiresAt'),
          ended_at: s.endedAt === null ? null : iso(s.endedAt, 'endedAt'),
          end_reason: s.endReason,
        });
      }),
    getSession: (id: string) =>
      run('read a session', () => {
        const r = q.getSession.get(id) as SessionRow | undefined;
        return r === undefined ? undefined : toSession(r);
      }),
    endSession: (id: string, endedAt: string, reason: string) =>
      run('end a session', () => {
        const changed = q.endSession.run(iso(endedAt, 'endedAt'), reason, id).changes > 0;
        if (changed) sessionEnded(id);
        return changed;
      }),
    onSessionEnded: (listener: (id: string) => void) => {
      endedListeners.add(listener);
      return () => {
        endedListeners.delete(listener);
      };
    },
    listSessions: (query: SessionQuery = {}) =>
      run('list sessions', () => {
        const where: string[] = [];
        const args: string[] = [];
        if (query.user !== undefined) {
          where.push('user = ?');
          args.push(query.user);
        }
        if (query.activeAt !== undefined) {
          where.push('ended_at IS NULL AND expires_at > ?');
          args.push(iso(query.activeAt, 'activeAt'));
        }
        const sql = `SELECT * FROM sessions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`;
        return (db.prepare(sql).all(...args) as SessionRow[]).map(toSession);
      }),
    stopListening: () => endedListeners.clear(),
  };
}
