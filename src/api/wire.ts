/**
 * Wire types of the gateway's HTTP API (`/v1/...`). Shared by the gateway, the CLI and pure modules (types only, so
 * a pure module may import them without importing the gateway); field names are the JSON names on the wire.
 */

/** `GET /v1/config`: what a CLI needs to log in against this gateway. */
export interface GatewayConfigResponse {
  /** OIDC issuer URL the CLI runs the device flow against; absent when the gateway serves CI jobs only. */
  issuer?: string;
  /** Public client id (device flow, no secret); absent with issuer. */
  clientId?: string;
  /** e.g. ['openid', 'profile', 'email', 'groups', 'offline_access']; absent with issuer. */
  scopes?: string[];
  version: string; // gateway version
  /** Trusted CI issuers (`kind: ci`) and the audience each expects: `hoopctl --ci` asks GitHub Actions for a token with it. */
  ci?: { issuer: string; audience: string }[];
}

/** `GET /v1/whoami`: who the gateway takes the bearer of an ID token for. */
export interface WhoamiResponse {
  user: string;
  /** The groups bindings are matched against (after the issuer's groupsClaim mapping). */
  groups: string[];
  issuer: string;
  admin: boolean;
  /** People's issuers: the claim groups are read from. */
  groupsClaim?: string;
  /** Set when the ID token lacks groupsClaim: which claim and scopes to check. */
  groupsHint?: string;
}

/** One entry of `GET /v1/connections`. */
export interface ConnectionSummary {
  name: string;
  description?: string;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  /** Roles this caller may use on this connection (granted directly or with approval). */
  roles: { name: string; approval: boolean }[];
}

/**
 * `POST /v1/sessions` body. Authorization: `Bearer <IdP ID token>`.
 * `ttlSeconds` is capped by the connection's max TTL (the response says what was granted).
 */
export interface CreateSessionRequest {
  connection: string;
  namespace?: string;
  ttlSeconds?: number;
  role?: string;
  reason?: string;
  /** Opens the session an approved access request grants (role, TTL and namespace come from the request). */
  requestId?: string;
}

/**
 * `POST /v1/sessions` → 202 when the role needs approval: the gateway recorded an access request and
 * notified the approvers. Poll `GET /v1/requests/:id?wait=20`; once `approved`, `POST /v1/sessions`
 * again with `requestId` (within `validUntil`) to get the credential. `DELETE /v1/requests/:id` withdraws it.
 */
export interface PendingAccessResponse {
  request: AccessRequestView;
}

/** One vote on an access request. */
export interface AccessVote {
  by: string;
  at: string; // RFC 3339
  comment?: string;
}

/**
 * An access request: a session elevation (`kind: session`, JIT role) or a single-command review
 * (`kind: command`, held by a guardrail with effect approval). Endpoints:
 * - `GET /v1/requests[?status=pending|all]`: the caller's own requests, those they may approve, or all (admins); newest first.
 * - `GET /v1/requests/:id[?wait=N]`: one request; with `wait`, held up to N seconds (max 30) until it changes.
 * - `POST /v1/requests/:id/approve` and `/deny`, body `{comment?}`: an approver's vote (ID token only; never the requester's own).
 * - `DELETE /v1/requests/:id`: the requester withdraws a pending request.
 * A request is approved after `minApprovals` approvals; one denial denies it; unanswered it expires at `expiresAt`.
 */
export interface AccessRequestView {
  id: string;
  kind: 'session' | 'command';
  status: 'pending' | 'approved' | 'denied' | 'expired' | 'withdrawn' | 'used';
  user: string;
  connection: string;
  role?: string;
  namespace?: string;
  reason?: string;
  ttlSeconds?: number;
  /** Command reviews: the session the approval is bound to. Session requests: the session opened with it. */
  sessionId?: string;
  /** Command reviews: the Kubernetes verb and the request URI (path and query) under review. */
  verb?: string;
  requestURI?: string;
  /** What is asked for, in words. */
  summary: string;
  /**
   * Command reviews, from `GET /v1/requests/:id` only: the request body under review as the audit records it
   * (masked; a protobuf or unparseable body as `{contentType, bytes, sha256}`; null: no body). Absent when not recorded.
   */
  requestObject?: unknown;
  /** The policy rule that asked for approval, e.g. `bindings[1]` or `guardrails[2] (rbac-review)`. */
  rule: string;
  approvers: string[];
  minApprovals: number;
  approvals: AccessVote[];
  denials: AccessVote[];
  createdAt: string;
  expiresAt: string;
  decidedAt?: string;
  /** Approved requests: usable until then (a command once, a session opened once). */
  validUntil?: string;
  /** Whether the caller may vote on it now. */
  canApprove: boolean;
}

/** A session issued by the gateway: what the store keeps (store.ts names it SessionRecord) and the wire shows. */
export interface SessionFacts {
  id: string;
  user: string;
  groups: string[];
  connection: string;
  namespace: string | null;
  role: string | null;
  reason: string | null;
  createdAt: string; // RFC 3339
  expiresAt: string; // RFC 3339
  endedAt: string | null; // set by DELETE / revoke
  endReason: string | null;
}

/** `GET /v1/sessions` items (SessionRecord on the wire). */
export interface SessionView extends SessionFacts {
  /** A session without a named role runs with every role the person holds without approval: these, as the policy has them now. */
  defaultRoles?: string[];
}

/** `POST /v1/sessions` → 201. */
export interface CreateSessionResponse {
  sessionId: string;
  connection: string;
  /** Gateway-signed JWT (EdDSA/ES256), sent as `Authorization: Bearer` to `/k8s/<connection>/…`. */
  token: string;
  /** Absolute URL prefix of the Kubernetes reverse proxy for this connection, e.g. `http://127.0.0.1:8080/k8s/prod`. */
  server: string;
  expiresAt: string; // RFC 3339
  user: string;
  groups: string[];
  namespace?: string;
  role?: string;
}

/**
 * `POST /v1/token`: OAuth 2.0 Token Exchange (RFC 8693 §2.1), `application/x-www-form-urlencoded`:
 * `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`, `subject_token=<CI job's OIDC token>`,
 * `subject_token_type=urn:ietf:params:oauth:token-type:id_token` (or `…:jwt`), the connection as
 * `audience=<name>` or `resource=<gateway>/k8s/<name>`, and the extension parameters `role`,
 * `namespace`, `ttl_seconds`, `reason`, `request_id` (as in CreateSessionRequest). No client
 * authentication: the subject token is the proof. Errors are RFC 6749 §5.2 bodies (`error`,
 * `error_description`) that also carry ApiErrorBody's `code`, `message`, `hint`. A role granted only
 * with approval answers 403 `error: authorization_pending`, `code: approval_pending` and
 * `request: AccessRequestView`; once approved, exchange again with `request_id`.
 */
export interface TokenExchangeResponse {
  /** The session credential (same value as `session.token`). */
  access_token: string;
  issued_token_type: 'urn:ietf:params:oauth:token-type:jwt';
  token_type: 'Bearer';
  expires_in: number;
  /** The session, exactly as `POST /v1/sessions` answers it. */
  session: CreateSessionResponse;
}

/** `DELETE /v1/sessions/:id` ends a session (revoke). Authorization: the session token, the owner's ID token or an admin's. → 204; its live streams are cut at once. */

/**
 * Error body of every `/v1` endpoint (non-2xx). `/k8s/...` refusals are Kubernetes `Status` bodies instead, and so are
 * the router's 405 (a known path asked with another method; `Allow` lists the methods) and the draining 503.
 */
export interface ApiErrorBody {
  code: string;
  message: string;
  hint?: string;
  /** RFC 6749 §5.2 error code (`POST /v1/token` only). */
  error?: string;
  error_description?: string;
}

/** Claims of the gateway-signed session credential. */
export interface SessionClaims {
  iss: string; // gateway issuer id (its public URL)
  aud: string; // 'hoopctl-session'
  sub: string; // the person (username claim, unprefixed)
  groups: string[]; // IdP groups (unprefixed)
  sid: string; // session id
  conn: string; // connection name
  ns?: string; // default namespace
  role?: string;
  iat: number;
  exp: number;
  jti: string;
}
