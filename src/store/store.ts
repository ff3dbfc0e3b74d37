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
  close(): Promise<void>;
}
