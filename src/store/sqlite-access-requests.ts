/** Row mapping for the `access_requests` table of the SQLite store (kept apart so sqlite-store.ts stays readable). */
import type { AccessRequestPatch, AccessRequestQuery, AccessRequestRecord, AccessRequestStatus } from './store.js';

/** A row of `access_requests` as better-sqlite3 returns it. */
export interface AccessRequestRow {
  id: string; kind: 'session' | 'command'; status: AccessRequestStatus; user: string; groups_json: string; connection: string;
  role: string | null; namespace: string | null; reason: string | null; ttl_seconds: number | null; session_id: string | null;
  fingerprint: string | null; verb: string | null; request_uri: string | null; summary: string; rule: string; approvers_json: string;
  min_approvals: number; created_at: string; expires_at: string; decided_at: string | null; valid_until: string | null;
  uses: number; used_at: string | null; used_method: string | null;
}

/** Normalises an instant to the one stored format (throws on a bad value). */
export type IsoFn = (value: string, what: string) => string;

const isoOrNull = (iso: IsoFn, v: string | null, what: string): string | null => (v === null ? null : iso(v, what));

/** Record → named parameters of the INSERT. */
export function accessRequestRow(r: AccessRequestRecord, iso: IsoFn): AccessRequestRow {
  return {
    id: r.id, kind: r.kind, status: r.status, user: r.user, groups_json: JSON.stringify(r.groups), connection: r.connection,
    role: r.role, namespace: r.namespace, reason: r.reason, ttl_seconds: r.ttlSeconds, session_id: r.sessionId,
    fingerprint: r.fingerprint, verb: r.verb, request_uri: r.requestURI, summary: r.summary, rule: r.rule,
    approvers_json: JSON.stringify(r.approvers), min_approvals: r.minApprovals, created_at: iso(r.createdAt, 'createdAt'),
    expires_at: iso(r.expiresAt, 'expiresAt'), decided_at: isoOrNull(iso, r.decidedAt, 'decidedAt'),
    valid_until: isoOrNull(iso, r.validUntil, 'validUntil'), uses: r.uses, used_at: isoOrNull(iso, r.usedAt, 'usedAt'),
    used_method: r.usedMethod,
  };
}

/** Row → record. */
export function toAccessRequest(r: AccessRequestRow): AccessRequestRecord {
  return {
    id: r.id, kind: r.kind, status: r.status, user: r.user, groups: JSON.parse(r.groups_json) as string[], connection: r.connection,
    role: r.role, namespace: r.namespace, reason: r.reason, ttlSeconds: r.ttl_seconds, sessionId: r.session_id,
    fingerprint: r.fingerprint, verb: r.verb, requestURI: r.request_uri, summary: r.summary, rule: r.rule,
    approvers: JSON.parse(r.approvers_json) as string[], minApprovals: r.min_approvals, createdAt: r.created_at,
    expiresAt: r.expires_at, decidedAt: r.decided_at, validUntil: r.valid_until, uses: r.uses, usedAt: r.used_at,
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
  if (query.user !== undefined) { clauses.push('user = ?'); args.push(query.user); }
  if (query.fingerprint !== undefined) { clauses.push('fingerprint = ?'); args.push(query.fingerprint); }
  if (query.since !== undefined) { clauses.push('created_at >= ?'); args.push(iso(query.since, 'since')); }
  return { where: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, args };
}

const COLUMN: Record<keyof AccessRequestPatch, string> = {
  status: 'status', decidedAt: 'decided_at', validUntil: 'valid_until', uses: 'uses', usedAt: 'used_at', usedMethod: 'used_method',
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
