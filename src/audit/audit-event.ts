/**
 * One audit event per request, shaped after `audit.k8s.io/v1` Event
 * (https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event).
 */
import { boundAuditFields } from './bounded-fields.js';
export type Decision = 'allow' | 'deny' | 'approval' | 'error';

/** An audit event as stored and exported (JSON lines). */
export interface AuditEvent {
  auditID: string;
  /**
   * As kube-apiserver's audit stages: `RequestReceived` is written before a change (or an exec-class stream) is
   * forwarded, `ResponseStarted` before the first byte of a streamed answer, `ResponseComplete` when it ends.
   * `AccessRequest`: an access request was created, voted on, decided, withdrawn or expired (verb says which). */
  stage: 'RequestReceived' | 'ResponseComplete' | 'ResponseStarted' | 'Panic' | 'SessionStarted' | 'SessionEnded' | 'AccessRequest';
  time: string; // RFC 3339 with ms, when the request was received
  session: string | null;
  user: string | null;
  groups: string[];
  impersonatedUser: string | null; // what the gateway sent as Impersonate-User
  connection: string | null;
  verb: string; // Kubernetes verb, or the HTTP method lower-cased for non-resource URLs
  requestURI: string;
  apiGroup: string | null;
  resource: string | null;
  subresource: string | null;
  namespace: string | null;
  name: string | null;
  decision: Decision;
  rule: string | null; // the rule that decided (e.g. `bindings[0] -> roles.view.rules[0]`)
  responseStatus: number | null;
  latencyMs: number | null;
  bytes: number | null; // response bytes sent to the client
  maskedCount: number;
  userAgent: string | null;
  sourceIP: string | null;
  message: string | null;
  /** The request body of a write, masked; a protobuf or unparseable body as `{contentType, bytes, sha256}`. */
  requestObject?: unknown;
  /** As in audit.k8s.io/v1: e.g. `mask.hoopctl.dev/exempted` when a masking exception left objects in clear. */
  annotations?: Record<string, string>;
  /** Position in the hash chain (1, 2, …; gapless), set by the store when it appends (src/audit/hash-chain.ts). */
  seq?: number;
  /** `hash` of event `seq - 1` (64 zeros for the first chained event). */
  prevHash?: string;
  /** SHA-256 (hex) of this event's canonical JSON without `hash`. */
  hash?: string;
}

/** Fields every audit event needs; the rest default to null / empty. */
export type AuditEventInput = Pick<AuditEvent, 'auditID' | 'stage' | 'time' | 'verb' | 'requestURI' | 'decision'> & Partial<AuditEvent>;

/** Builds a complete AuditEvent from the fields that are known. */
export function auditEvent(e: AuditEventInput): AuditEvent {
  // Every writer builds its events here, so no caller-controlled field reaches the store unbounded.
  return boundAuditFields({
    session: null,
    user: null,
    groups: [],
    impersonatedUser: null,
    connection: null,
    apiGroup: null,
    resource: null,
    subresource: null,
    namespace: null,
    name: null,
    rule: null,
    responseStatus: null,
    latencyMs: null,
    bytes: null,
    maskedCount: 0,
    userAgent: null,
    sourceIP: null,
    message: null,
    ...e,
  });
}
