/**
 * The gateway's state, behind an async interface so SQLite (embedded) and PostgreSQL
 * (replicas) are interchangeable without touching callers.
 */
import type { AuditEvent } from '../audit/audit-event.js';

/** A session issued by the gateway. */
export interface SessionRecord {
  id: string;
  user: string;
  groups: string[];
  connection: string;
  namespace: string | null;
  role: string | null;
  reason: string | null;
  createdAt: string;       // RFC 3339
  expiresAt: string;       // RFC 3339
  endedAt: string | null;  // set by DELETE / revoke
  endReason: string | null;
}

/** A signing key of the gateway (private JWK kept in the store; public part goes to JWKS). */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  privateJwk: string;      // JSON
  publicJwk: string;       // JSON
  createdAt: string;
}

/** Filter for audit queries. */
export interface AuditQuery {
  session?: string;
  user?: string;
  since?: string;          // RFC 3339
  limit?: number;
}

/** Filter for session queries. */
export interface SessionQuery {
  user?: string;
  activeAt?: string;       // only sessions not ended and not expired at this instant
}

/** Kind of an access request: a session elevation (JIT role) or one reviewed Kubernetes request. */
export type AccessRequestKind = 'session' | 'command';

/** Life of an access request: pending → approved | denied | expired | withdrawn; approved → used | expired. */
export type AccessRequestStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'withdrawn' | 'used';

/** An access request (session elevation or single-command review) as stored. */
export interface AccessRequestRecord {
  id: string;
  kind: AccessRequestKind;
  status: AccessRequestStatus;
  user: string;
  groups: string[];
  connection: string;
  role: string | null;
  namespace: string | null;
  reason: string | null;
  /** Session requests: the TTL asked for. */
  ttlSeconds: number | null;
  /** Command reviews: the session the approval is bound to. Session requests: the session issued once approved. */
  sessionId: string | null;
  /** Command reviews: hash of (session, connection, verb, path and query, body hash). */
  fingerprint: string | null;
  /** Command reviews: verb and request URI, for people. */
  verb: string | null;
  requestURI: string | null;
  /** What is asked for, in words (`role edit for 30m`, `delete configmaps cm1 -n demo`). */
  summary: string;
  /** The policy rule that asked for approval. */
  rule: string;
  approvers: string[];
  minApprovals: number;
  createdAt: string;       // RFC 3339
  /** A pending request expires unanswered at this instant. */
  expiresAt: string;
  decidedAt: string | null;
  /** An approved request is usable until this instant. */
  validUntil: string | null;
  uses: number;
  usedAt: string | null;
  usedMethod: string | null;
}

/** The fields updateAccessRequest may change. */
export type AccessRequestPatch = Partial<Pick<AccessRequestRecord, 'status' | 'decidedAt' | 'validUntil' | 'uses' | 'usedAt' | 'usedMethod' | 'sessionId'>>;

/** Filter for access request queries (newest first). */
export interface AccessRequestQuery {
  status?: AccessRequestStatus[];
  user?: string;
  fingerprint?: string;
  /** Only requests created at or after this instant. */
  since?: string;
  limit?: number;
}

/** One approver's vote on a request. */
export interface AccessVoteRecord {
  requestId: string;
  approver: string;
  decision: 'approve' | 'deny';
  comment: string | null;
  at: string;              // RFC 3339
}

/** Async store of the gateway's state. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  getSigningKeys(): Promise<SigningKeyRecord[]>;
  putSigningKey(key: SigningKeyRecord): Promise<void>;
  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Marks a session ended; returns false when it did not exist or was already ended. */
  endSession(id: string, endedAt: string, reason: string): Promise<boolean>;
  listSessions(query?: SessionQuery): Promise<SessionRecord[]>;
  /** Appends one audit event; a rejection must fail the request it describes. */
  appendAudit(event: AuditEvent): Promise<void>;
  listAudit(query?: AuditQuery): Promise<AuditEvent[]>;
  createAccessRequest(request: AccessRequestRecord): Promise<void>;
  getAccessRequest(id: string): Promise<AccessRequestRecord | undefined>;
  listAccessRequests(query?: AccessRequestQuery): Promise<AccessRequestRecord[]>;
  /** Applies `patch` only while the request still has `expected.status` (and `expected.uses`); false otherwise (compare-and-set). */
  updateAccessRequest(id: string, expected: { status: AccessRequestStatus; uses?: number }, patch: AccessRequestPatch): Promise<boolean>;
  /** Records a vote; false when this approver already voted on the request. */
  addAccessVote(vote: AccessVoteRecord): Promise<boolean>;
  listAccessVotes(requestId: string): Promise<AccessVoteRecord[]>;
  close(): Promise<void>;
}
