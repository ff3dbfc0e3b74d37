/**
 * Wire types of the gateway's HTTP API (`/v1/...`). Shared by the gateway and the CLI;
 * field names are the JSON names on the wire.
 */

/** `GET /v1/config`: what a CLI needs to log in against this gateway. */
export interface GatewayConfigResponse {
  issuer: string;          // OIDC issuer URL the CLI runs the device flow against
  clientId: string;        // public client id (device flow, no secret)
  scopes: string[];        // e.g. ['openid', 'profile', 'email', 'groups', 'offline_access']
  version: string;         // gateway version
  /** Trusted CI issuers (`kind: ci`) and the audience each expects: `hoopctl --ci` asks GitHub Actions for a token with it. */
  ci?: { issuer: string; audience: string }[];
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
}

/** `POST /v1/sessions` → 201. */
export interface CreateSessionResponse {
  sessionId: string;
  connection: string;
  /** Gateway-signed JWT (EdDSA/ES256), sent as `Authorization: Bearer` to `/k8s/<connection>/…`. */
  token: string;
  /** Absolute URL prefix of the Kubernetes reverse proxy for this connection, e.g. `http://127.0.0.1:8080/k8s/prod`. */
  server: string;
  expiresAt: string;       // RFC 3339
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
 * `namespace`, `ttl_seconds`, `reason` (as in CreateSessionRequest). No client authentication: the
 * subject token is the proof. Errors are RFC 6749 §5.2 bodies (`error`, `error_description`) that
 * also carry ApiErrorBody's `code`, `message`, `hint`.
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

/** `DELETE /v1/sessions/:id` ends a session. Authorization: the session token or the owner's ID token. → 204. */

/** Error body of every `/v1` endpoint (non-2xx). `/k8s/...` refusals are Kubernetes `Status` bodies instead. */
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
  iss: string;             // gateway issuer id (its public URL)
  aud: string;             // 'hoopctl-session'
  sub: string;             // the person (username claim, unprefixed)
  groups: string[];        // IdP groups (unprefixed)
  sid: string;             // session id
  conn: string;            // connection name
  ns?: string;             // default namespace
  role?: string;
  iat: number;
  exp: number;
  jti: string;
}
