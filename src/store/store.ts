/**
 * The gateway's state, behind an async interface so SQLite (embedded) and PostgreSQL
 * (replicas) are interchangeable without touching callers.
 */
import type { SessionFacts } from '../api/wire.js';
import type { AuditEvent } from '../audit/audit-event.js';
import type { AuditRow } from '../audit/verify-chain.js';

/** A session issued by the gateway (one definition with the wire's SessionView). */
export type SessionRecord = SessionFacts;

/** A signing key of the gateway (private JWK kept in the store; public part goes to JWKS). */
export interface SigningKeyRecord {
  kid: string;
  alg: string;
  privateJwk: string; // JSON
  publicJwk: string; // JSON
  /** Current from this instant (the newest created key is current); RFC 3339. */
  createdAt: string;
  /** Set by an emergency rotation: tokens signed with the key are refused from this instant on (RFC 3339). */
  retiredAt?: string;
}

/** Filter for audit queries. */
export interface AuditQuery {
  session?: string;
  user?: string;
  since?: string; // RFC 3339
  limit?: number;
  /** Only chained events with `seq` greater than this (for `audit --follow`); then the OLDEST `limit` win. */
  afterSeq?: number;
}

/** A recorded exec/attach stream (asciicast v2); the header line is built from these fields, the events are stored apart. */
export interface RecordingRecord {
  id: string;
  session: string;
  /** The audit event of the upgrade request this stream came from. */
  auditID: string;
  user: string;
  connection: string;
  subresource: 'exec' | 'attach';
  /** Negotiated stream protocol, e.g. `v5.channel.k8s.io` (WebSocket) or `v4.channel.k8s.io` (SPDY/3.1). */
  protocol: string;
  transport: 'websocket' | 'spdy';
  namespace: string | null;
  pod: string | null;
  container: string | null;
  command: string[];
  tty: boolean;
  startedAt: string; // RFC 3339
  endedAt: string | null;
  width: number;
  height: number;
  /** Bytes of event lines stored. */
  bytes: number;
  /** The session's recording cap was reached: the stream went on, the recording stopped (a marker event says where). */
  truncated: boolean;
  /** From the status channel; null when the stream ended without one. */
  exitCode: number | null;
  /** Values masked in the recorded stdin/stdout/stderr. */
  maskedCount: number;
}

/** Fields of a recording that change while and after it runs. */
export type RecordingPatch = Partial<Pick<RecordingRecord, 'endedAt' | 'width' | 'height' | 'bytes' | 'truncated' | 'exitCode' | 'maskedCount'>>;

/** Filter for session queries. */
export interface SessionQuery {
  user?: string;
  activeAt?: string; // only sessions not ended and not expired at this instant
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
  createdAt: string; // RFC 3339
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
  at: string; // RFC 3339
}

/** Async store of the gateway's state. */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  getSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Inserts or replaces (by kid) a signing key, `retiredAt` included. */
  putSigningKey(key: SigningKeyRecord): Promise<void>;
  /** Stores `value` under `name` unless a value is already there; returns the stored value (first writer wins, across replicas). */
  claimSetting(name: string, value: string): Promise<string>;
  /** The value stored under `name`, or undefined. */
  readSetting(name: string): Promise<string | undefined>;
  createSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Marks a session ended; returns false when it did not exist or was already ended. */
  endSession(id: string, endedAt: string, reason: string): Promise<boolean>;
  listSessions(query?: SessionQuery): Promise<SessionRecord[]>;
  /** Appends one audit event; a rejection must fail the request it describes. */
  appendAudit(event: AuditEvent): Promise<void>;
  listAudit(query?: AuditQuery): Promise<AuditEvent[]>;
  /** Stored audit rows with seq > afterSeq, oldest first, as written (for `audit verify`). */
  listAuditRows(afterSeq: number, limit: number): Promise<AuditRow[]>;
  /** The highest audit seq the store ever assigned, when it keeps one apart from the rows (catches deleted tail events). */
  auditHighWater(): Promise<number | undefined>;
  createRecording(recording: RecordingRecord): Promise<void>;
  /** Appends asciicast event lines (chunk `n` = 0, 1, …) and updates the recording's metadata in the same write. */
  appendRecording(id: string, n: number, lines: string, patch: RecordingPatch): Promise<void>;
  updateRecording(id: string, patch: RecordingPatch): Promise<void>;
  getRecording(id: string): Promise<RecordingRecord | undefined>;
  /** A session's recordings, oldest first. */
  listRecordings(session: string): Promise<RecordingRecord[]>;
  /** The stored event lines of a recording, in order. */
  readRecording(id: string): Promise<string>;
  createAccessRequest(request: AccessRequestRecord): Promise<void>;
  getAccessRequest(id: string): Promise<AccessRequestRecord | undefined>;
  listAccessRequests(query?: AccessRequestQuery): Promise<AccessRequestRecord[]>;
  /** Applies `patch` only while the request still has `expected.status` (and `expected.uses`); false otherwise (compare-and-set). */
  updateAccessRequest(id: string, expected: { status: AccessRequestStatus; uses?: number }, patch: AccessRequestPatch): Promise<boolean>;
  /** Records a vote; false when this approver already voted on the request. */
  addAccessVote(vote: AccessVoteRecord): Promise<boolean>;
  listAccessVotes(requestId: string): Promise<AccessVoteRecord[]>;
  /**
   * Calls `listener` with the id of each session ended from now on (endSession returned true), after that call
   * resolved; returns the unsubscribe. SQLite: ends in this process only. PostgreSQL: ends on every replica (NOTIFY).
   */
  onSessionEnded?(listener: (id: string) => void): () => void;
  close(): Promise<void>;
}
