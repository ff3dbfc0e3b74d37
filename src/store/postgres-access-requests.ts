/** Access requests and approvers' votes in PostgreSQL; the same semantics as the SQLite store (compare-and-set updates). */
import type { AccessRequestPatch, AccessRequestQuery, AccessRequestRecord, AccessRequestStatus, AccessVoteRecord } from './store.js';
import { fromTimestamp, type Db } from './postgres-db.js';
import { iso } from './store-time.js';

interface AccessRequestRow {
  id: string;
  kind: 'session' | 'command';
  status: AccessRequestStatus;
  username: string;
  groups: string[];
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
  approvers: string[];
  min_approvals: number;
  created_at: Date;
  expires_at: Date;
  decided_at: Date | null;
  valid_until: Date | null;
  uses: number;
  used_at: Date | null;
  used_method: string | null;
}

const isoOrNull = (v: string | null, what: string): string | null => (v === null ? null : iso(v, what));

function toAccessRequest(r: AccessRequestRow): AccessRequestRecord {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    user: r.username,
    groups: r.groups,
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
    approvers: r.approvers,
    minApprovals: r.min_approvals,
    createdAt: fromTimestamp(r.created_at),
    expiresAt: fromTimestamp(r.expires_at),
    decidedAt: fromTimestamp(r.decided_at),
    validUntil: fromTimestamp(r.valid_until),
    uses: r.uses,
    usedAt: fromTimestamp(r.used_at),
    usedMethod: r.used_method,
  };
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

/** The access-request methods of the Store. */
export function accessRequestMethods(db: Db) {
  return {
    async createAccessRequest(r: AccessRequestRecord): Promise<void> {
      const values = [
        r.id,
        r.kind,
        r.status,
        r.user,
        r.groups,
        r.connection,
        r.role,
        r.namespace,
        r.reason,
        r.ttlSeconds,
        r.sessionId,
        r.fingerprint,
        r.verb,
        r.requestURI,
        r.summary,
        r.rule,
        r.approvers,
        r.minApprovals,
        iso(r.createdAt, 'createdAt'),
        iso(r.expiresAt, 'expiresAt'),
        isoOrNull(r.decidedAt, 'decidedAt'),
        isoOrNull(r.validUntil, 'validUntil'),
        r.uses,
        isoOrNull(r.usedAt, 'usedAt'),
        r.usedMethod,
      ];
      await db.query(
        'create an access request',
        `INSERT INTO access_requests (id, kind, status, username, groups, connection, role,
        namespace, reason, ttl_seconds, session_id, fingerprint, verb, request_uri, summary, rule, approvers, min_approvals, created_at,
        expires_at, decided_at, valid_until, uses, used_at, used_method)
        VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`,
        values,
      );
    },
    async getAccessRequest(id: string): Promise<AccessRequestRecord | undefined> {
      const { rows } = await db.query<AccessRequestRow>('read an access request', 'SELECT * FROM access_requests WHERE id = $1', [id]);
      return rows[0] === undefined ? undefined : toAccessRequest(rows[0]);
    },
    async listAccessRequests(query: AccessRequestQuery = {}): Promise<AccessRequestRecord[]> {
      const where: string[] = [];
      const args: unknown[] = [];
      const arg = (v: unknown): string => {
        args.push(v);
        return `$${args.length}`;
      };
      if (query.status !== undefined) where.push(`status = ANY(${arg(query.status)}::text[])`);
      if (query.user !== undefined) where.push(`username = ${arg(query.user)}`);
      if (query.fingerprint !== undefined) where.push(`fingerprint = ${arg(query.fingerprint)}`);
      if (query.since !== undefined) where.push(`created_at >= ${arg(iso(query.since, 'since'))}`);
      // COLLATE "C": ties break by byte order, as in SQLite, whatever the database's locale.
      let sql = `SELECT * FROM access_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id COLLATE "C"`;
      if (query.limit !== undefined) sql += ` LIMIT ${arg(Math.max(0, Math.floor(query.limit)))}`;
      const { rows } = await db.query<AccessRequestRow>('list access requests', sql, args);
      return rows.map(toAccessRequest);
    },
    async updateAccessRequest(id: string, expected: { status: AccessRequestStatus; uses?: number }, patch: AccessRequestPatch): Promise<boolean> {
      const sets: string[] = [];
      const args: unknown[] = [];
      const arg = (v: unknown): string => {
        args.push(v);
        return `$${args.length}`;
      };
      for (const key of Object.keys(COLUMN) as (keyof AccessRequestPatch)[]) {
        if (!(key in patch)) continue;
        const value = patch[key] as string | number | null | undefined;
        sets.push(`${COLUMN[key]} = ${arg(value === undefined ? null : INSTANTS.has(key) && typeof value === 'string' ? iso(value, key) : value)}`);
      }
      if (sets.length === 0) return false;
      let sql = `UPDATE access_requests SET ${sets.join(', ')} WHERE id = ${arg(id)} AND status = ${arg(expected.status)}`;
      if (expected.uses !== undefined) sql += ` AND uses = ${arg(expected.uses)}`;
      return ((await db.query('update an access request', sql, args)).rowCount ?? 0) > 0;
    },
    async addAccessVote(v: AccessVoteRecord): Promise<boolean> {
      const r = await db.query(
        'record a vote',
        `INSERT INTO access_votes (request_id, approver, decision, comment, at)
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id, approver) DO NOTHING`,
        [v.requestId, v.approver, v.decision, v.comment, iso(v.at, 'at')],
      );
      return (r.rowCount ?? 0) > 0;
    },
    async listAccessVotes(requestId: string): Promise<AccessVoteRecord[]> {
      const { rows } = await db.query<{ request_id: string; approver: string; decision: 'approve' | 'deny'; comment: string | null; at: Date }>(
        'list votes',
        'SELECT * FROM access_votes WHERE request_id = $1 ORDER BY at, approver COLLATE "C"',
        [requestId],
      );
      return rows.map((r) => ({ requestId: r.request_id, approver: r.approver, decision: r.decision, comment: r.comment, at: fromTimestamp(r.at) }));
    },
  };
}
