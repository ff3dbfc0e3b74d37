/**
 * `POST /v1/token`: OAuth 2.0 Token Exchange (RFC 8693, https://www.rfc-editor.org/rfc/rfc8693)
 * of a CI job's OIDC token (GitHub Actions, GitLab CI `id_tokens`) for a session credential. The
 * subject token is verified like any ID token, its claims mapped by the issuer's claim mapping,
 * and the session issued exactly as `POST /v1/sessions` would (same policy, TTL caps and audit).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HoopError, type ErrorCode } from '../errors.js';
import type { AccessRequestView, ApiErrorBody, CreateSessionRequest, TokenExchangeResponse } from '../api/wire.js';
import { askForApproval } from './approvals/session-requests.js';
import { isAdmin, type Caller, type GatewayContext } from './gateway-context.js';
import { sendJson, statusForCode } from './http-json.js';
import { issueSession, parseCreateRequest } from './v1-sessions.js';

/** RFC 8693 §2.1 grant type. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3 token type identifiers this endpoint accepts as subject tokens. */
export const SUBJECT_TOKEN_TYPES = ['urn:ietf:params:oauth:token-type:id_token', 'urn:ietf:params:oauth:token-type:jwt'] as const;
const ISSUED_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
const REQUESTABLE = new Set([ISSUED_TOKEN_TYPE, 'urn:ietf:params:oauth:token-type:access_token']);
const MAX_BODY = 64 * 1024;
const KNOWN = new Set([
  'grant_type',
  'subject_token',
  'subject_token_type',
  'requested_token_type',
  'resource',
  'audience',
  'scope',
  'actor_token',
  'actor_token_type',
  'role',
  'namespace',
  'ttl_seconds',
  'reason',
  'request_id',
]);

/** A refusal in RFC 6749 §5.2 terms, on top of the HoopError the CLI reads. */
class OAuthError extends HoopError {
  constructor(
    readonly oauthError: string,
    code: ErrorCode,
    message: string,
    hint?: string,
    readonly request?: AccessRequestView,
  ) {
    super(code, message, hint === undefined ? {} : { hint });
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'usage', 'the token request must be application/x-www-form-urlencoded (RFC 8693 §2.1)');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new OAuthError('invalid_request', 'usage', `the token request is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The one value of a parameter; RFC 6749 §3.2: parameters must not repeat (`resource` may, but one connection is one target). */
function single(form: URLSearchParams, name: string): string | undefined {
  const all = form.getAll(name);
  if (all.length > 1)
    throw new OAuthError(name === 'resource' || name === 'audience' ? 'invalid_target' : 'invalid_request', 'usage', `${name} is given more than once`);
  return all[0] === '' ? undefined : all[0];
}

/** The connection named by `audience` (a name) or `resource` (`<gateway>/k8s/<name>`). */
function targetConnection(gw: GatewayContext, form: URLSearchParams): string {
  const audience = single(form, 'audience');
  const resource = single(form, 'resource');
  if (audience !== undefined && resource !== undefined)
    throw new OAuthError('invalid_target', 'usage', 'give the connection as audience or as resource, not both');
  if (audience !== undefined) return audience;
  if (resource === undefined)
    throw new OAuthError('invalid_request', 'usage', 'name the connection: audience=<connection> or resource=<gateway>/k8s/<connection>');
  const prefix = `${gw.publicUrl}/k8s/`;
  const name = resource.startsWith(prefix) ? resource.slice(prefix.length).replace(/\/+$/, '') : '';
  if (name === '' || name.includes('/')) throw new OAuthError('invalid_target', 'usage', `resource ${JSON.stringify(resource)} is not ${prefix}<connection>`);
  return name;
}

function sessionRequest(gw: GatewayContext, form: URLSearchParams): CreateSessionRequest {
  const ttl = single(form, 'ttl_seconds');
  if (ttl !== undefined && !/^[1-9]\d{0,8}$/.test(ttl)) throw new OAuthError('invalid_request', 'usage', 'ttl_seconds must be a positive integer');
  const body: Record<string, unknown> = { connection: targetConnection(gw, form) };
  for (const k of ['role', 'namespace', 'reason'] as const) {
    const v = single(form, k);
    if (v !== undefined) body[k] = v;
  }
  const requestId = single(form, 'request_id');
  if (requestId !== undefined) body.requestId = requestId;
  if (ttl !== undefined) body.ttlSeconds = Number(ttl);
  return parseCreateRequest(body);
}

async function exchange(gw: GatewayContext, req: IncomingMessage): Promise<TokenExchangeResponse> {
  const form = await readForm(req);
  const unknown = [...new Set(form.keys())].filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw new OAuthError('invalid_request', 'usage', `unknown parameter(s): ${unknown.join(', ')}`);
  const grant = single(form, 'grant_type');
  if (grant !== TOKEN_EXCHANGE_GRANT) {
    throw new OAuthError('unsupported_grant_type', 'usage', `grant_type must be ${TOKEN_EXCHANGE_GRANT}`);
  }
  if (form.has('actor_token')) throw new OAuthError('invalid_request', 'usage', 'delegation (actor_token) is not supported');
  const subjectType = single(form, 'subject_token_type');
  if (!(SUBJECT_TOKEN_TYPES as readonly (string | undefined)[]).includes(subjectType)) {
    throw new OAuthError('invalid_request', 'usage', `subject_token_type must be one of ${SUBJECT_TOKEN_TYPES.join(', ')}`);
  }
  const requested = single(form, 'requested_token_type');
  if (requested !== undefined && !REQUESTABLE.has(requested))
    throw new OAuthError('invalid_request', 'usage', `requested_token_type ${requested} cannot be issued`);
  const subject = single(form, 'subject_token');
  if (subject === undefined) throw new OAuthError('invalid_request', 'usage', 'subject_token is required');
  const body = sessionRequest(gw, form);
  // A session credential must not mint further sessions.
  if (gw.sessionTokens.looksLikeSessionToken(subject)) throw new OAuthError('invalid_grant', 'not_logged_in', 'a session token cannot be exchanged');
  const id = await gw.idTokens.verify(subject);
  const caller: Caller = { user: id.user, groups: id.groups, admin: isAdmin(gw.config, id), via: 'id-token' };
  const pending = await askForApproval(gw, caller, body);
  if (pending !== undefined) {
    // RFC 8628 §3.5's "authorization_pending": ask again (with request_id) once an approver said yes.
    const r = pending.request;
    throw new OAuthError(
      'authorization_pending',
      'approval_pending',
      `access request ${r.id} (${r.summary} on ${r.connection}) waits for approval by ${r.approvers.join(', ')}`,
      `an approver runs: hoopctl approve ${r.id}; then run this again with --wait-approval, or exchange with request_id=${r.id}`,
      r,
    );
  }
  const session = await issueSession(gw, caller, body, {
    sourceIP: req.socket?.remoteAddress ?? null,
    userAgent: req.headers['user-agent'] ?? null,
    requestURI: '/v1/token',
  });
  return {
    access_token: session.token,
    issued_token_type: ISSUED_TOKEN_TYPE,
    token_type: 'Bearer',
    expires_in: Math.max(0, Math.floor((Date.parse(session.expiresAt) - gw.now()) / 1000)),
    session,
  };
}

/** The RFC 6749 §5.2 error code for a refusal that did not name one. */
function oauthErrorOf(code: ErrorCode): string {
  switch (code) {
    case 'usage':
      return 'invalid_request';
    case 'not_logged_in':
    case 'login_expired':
    case 'login_failed':
      return 'invalid_grant';
    case 'not_found':
      return 'invalid_target';
    case 'denied':
    case 'approval_pending':
      return 'access_denied';
    default:
      return 'server_error';
  }
}

/** Answers `POST /v1/token`; every refusal is an RFC 6749 §5.2 body that also carries code, message and hint. */
export async function handleTokenExchange(gw: GatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    sendJson(res, 200, await exchange(gw, req));
  } catch (e) {
    if (!(e instanceof HoopError)) throw e;
    const status = statusForCode(e.code);
    if (status >= 500) gw.log(`token exchange: ${e.code}: ${e.message}`);
    const body: ApiErrorBody & { request?: AccessRequestView } = {
      ...e.toJSON(),
      error: e instanceof OAuthError ? e.oauthError : oauthErrorOf(e.code),
      error_description: e.message,
      ...(e instanceof OAuthError && e.request !== undefined ? { request: e.request } : {}),
    };
    // RFC 6749 §5.2: 401 is for client authentication, which this endpoint does not use; a bad subject token is a 400.
    sendJson(res, status === 401 ? 400 : status, body);
  }
}
