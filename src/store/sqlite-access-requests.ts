/** The `access_requests` and `access_votes` tables of the SQLite store: row mapping and the Store methods. */
import type Database from 'better-sqlite3';
import type { AccessRequestPatch, AccessRequestQuery, AccessRequestRecord, AccessRequestStatus, AccessVoteRecord, Store } from './store.js';
import type { SqliteRun } from './sqlite-db.js';
import { iso } from './store-time.js';

/** A row of `access_requests` as better-sqlite3 returns it. */
export interface AccessRequestRow {
  id: string;
  kind: 'session' | 'command';
  status: AccessRequestStatus;
  user: string;
  groups_json: string;
  connection: string;
  role: string | null;
  namespace: string | null;
  reason: string | null;
  ttl_seconds: number | null;
  session_id: string | null;
  fingerprint: string | null;
  verb: string | null;
  request_uri: string | null;
  summary: string;
  rule: string;
  approvers_json: string;
  min_approvals: number;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  valid_until: string | null;
  uses: number;
  used_at: string | null;
  used_method: string | null;
}

/** Normalises an instant to the one stored format (throws on a bad value). */
export type IsoFn = (value: string, what: string) => string;

const isoOrNull = (iso: IsoFn, v: string | null, what: string): string | null => (v === null ? null : iso(v, what));

/** Record → named parameters of the INSERT. */
export function accessRequestRow(r: AccessRequestRecord, iso: IsoFn): AccessRequestRow {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    user: r.user,
    groups_json: JSON.stringify(r.groups),
    connection: r.connection,
    role: r.role,
    namespace: r.namespace,
    reason: r.reason,
    ttl_seconds: r.ttlSeconds,
    session_id: r.sessionId,
    fingerprint: r.fingerprint,
    verb: r.verb,
    request_uri: r.requestURI,
    summary: r.summary,
    rule: r.rule,
    approvers_json: JSON.stringify(r.approvers),
    min_approvals: r.minApprovals,
    created_at: iso(r.createdAt, 'createdAt'),
    expires_at: iso(r.expiresAt, 'expiresAt'),
    decided_at: isoOrNull(iso, r.decidedAt, 'decidedAt'),
    valid_until: isoOrNull(iso, r.validUntil, 'validUntil'),
    uses: r.uses,
    used_at: isoOrNull(iso, r.usedAt, 'usedAt'),
    used_method: r.usedMethod,
  };
}

/** Row → record. */
export function toAccessRequest(r: AccessRequestRow): AccessRequestRecord {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    user: r.user,
    groups: JSON.parse(r.groups_json) as string[],
    connection: r.connection,
    role: r.role,
    namespace: r.namespace,
    reason: r.reason,
    ttlSeconds: r.ttl_seconds,
    sessionId: r.session_id,
    fingerprint: r.fingerprint,
    verb: r.verb,
    requestURI: r.request_uri,
    summary: r.summary,
    rule: r.rule,
    approvers: JSON.parse(r.approvers_json) as string[],
    minApprovals: r.min_approvals,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    decidedAt: r.decided_at,
    validUntil: r.valid_until,
    uses: r.uses,
    usedAt: r.used_at,
    usedMethod: r.used_method,
  };
}

/** WHERE clause and arguments for a query. */
export function accessRequestWhere(query: AccessRequestQuery, iso: IsoFn): { where: string; args: (string | number)[] } {
  const clauses: string[] = [];
  const args: (string | number)[] = [];
  if (query.status !== undefined) {
    if (query.status.length === 0) return { where: 'WHERE 0', args };
    clauses.push(`status IN (${query.status.map(() => '?').join(', ')})`);
    args.push(...query.status);
  }
  if (query.user !== undefined) {
    clauses.push('user = ?');
    args.push(query.user);
  }
  if (query.fingerprint !== undefined) {
    clauses.push('fingerprint = ?');
    args.push(query.fingerprint);
  }
  if (query.since !== undefined) {
    clauses.push('created_at >= ?');
    args.push(iso(query.since, 'since'));
  }
  return { where: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, args };
}

const COLUMN: Record<keyof AccessRequestPatch, string> = {
  status: 'status',
  decidedAt: 'decided_at',
  validUntil: 'valid_until',
  uses: 'uses',
  usedAt: 'used_at',
  usedMethod: 'used_method',
  sessionId: 'session_id',
};
const INSTANTS = new Set<keyof AccessRequestPatch>(['decidedAt', 'validUntil', 'usedAt']);

/** SET fragments and arguments for a patch (only the fields present). */
export function patchColumns(patch: AccessRequestPatch, iso: IsoFn): { sets: string[]; args: (string | number | null)[] } {
  const sets: string[] = [];
  const args: (string | number | null)[] = [];
  for (const key of Object.keys(COLUMN) as (keyof AccessRequestPatch)[]) {
    if (!(key in patch)) continue;
    const value = patch[key] as string | number | null | undefined;
    sets.push(`${COLUMN[key]} = ?`);
    args.push(value === undefined ? null : INSTANTS.has(key) && typeof value === 'string' ? iso(value, key) : value);
  }
  return { sets, args };
}

type AccessRequestMethods = Pick<
  Store,
  'createAccessRequest' | 'getAccessRequest' | 'listAccessRequests' | 'updateAccessRequest' | 'addAccessVote' | 'listAccessVotes'
>;

/** The access request and vote methods over `db`. */
export function sqliteAccessRequestMethods(db: Database.Database, run: SqliteRun): AccessRequestMethods {
  const q = {
    createRequest: db.prepare(`INSERT INTO access_requests (id, kind, status, user, groups_json, connection, role, namespace, reason,
      ttl_seconds, session_id, fingerprint, verb, request_uri, summary, rule, approvers_json, min_approvals, created_at, expires_at,
      decided_at, valid_until, uses, used_at, used_method) VALUES (@id, @kind, @status, @user, @groups_json, @connection, @role,
      @namespace, @reason, @ttl_seconds, @session_id, @fingerprint, @verb, @request_uri, @summary, @rule, @approvers_json,
      @min_approvals, @created_at, @expires_at, @decided_at, @valid_until, @uses, @used_at, @used_method)`),
    getRequest: db.prepare('SELECT * FROM access_requests WHERE id = ?'),
    addVote: db.prepare('INSERT OR IGNORE INTO access_votes (request_id, approver, decision, comment, at) VALUES (?, ?, ?, ?, ?)'),
    votes: db.prepare('SELECT * FROM access_votes WHERE request_id = ? ORDER BY at, approver'),
  };
  return {
    createAccessRequest: (r: AccessRequestRecord) =>
      run('create an access request', () => {
        q.createRequest.run(accessRequestRow(r, iso));
      }),
    getAccessRequest: (id: string) =>
      run('read an access request', () => {
        const r = q.getRequest.get(id) as AccessRequestRow | undefined;
        return r === undefined ? undefined : toAccessRequest(r);
      }),
    listAccessRequests: (query: AccessRequestQuery = {}) =>
      run('list access requests', () => {
        const { where, args } = accessRequestWhere(query, iso);
        let sql = `SELECT * FROM access_requests ${where} ORDER BY created_at DESC, id`;
        if (query.limit !== undefined) {
          sql += ' LIMIT ?';
          args.push(Math.max(0, Math.floor(query.limit)));
        }
        return (db.prepare(sql).all(...args) as AccessRequestRow[]).map(toAccessRequest);
      }),
    updateAccessRequest: (id: string, expected: { status: AccessRequestStatus; uses?: number }, patch: AccessRequestPatch) =>
      run('update an access request', () => {
        const { sets, args } = patchColumns(patch, iso);
        if (sets.length === 0) return false;
        let sql = `UPDATE access_requests SET ${sets.join(', ')} WHERE id = ? AND status = ?`;
        args.push(id, expected.status);
        if (expected.uses !== undefined) {
          sql += ' AND uses = ?';
          args.push(expected.uses);
        }
        return db.prepare(sql).run(...args).changes > 0;
      }),
    addAccessVote: (v: AccessVoteRecord) =>
      run('record a vote', () => q.addVote.run(v.requestId, v.approver, v.decision, v.comment, iso(v.at, 'at')).changes > 0),
    listAccessVotes: (requestId: string) =>
      run('list votes', () =>
        (q.votes.all(requestId) as { request_id: string; approver: string; decision: 'approve' | 'deny'; comment: string | null; at: string }[]).map((r) => ({
          requestId: r.request_id,
          approver: r.approver,
          decision: r.decision,
          comment: r.comment,
          at: r.at,
        })),
      ),
  };
}
