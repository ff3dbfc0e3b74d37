/** HTTP client of the gateway's `/v1` API, used by the CLI's use cases. */
import type {
  AccessRequestView,
  ApiErrorBody,
  ConnectionSummary,
  CreateSessionRequest,
  CreateSessionResponse,
  GatewayConfigResponse,
  WhoamiResponse,
  PendingAccessResponse,
  SessionView,
  TokenExchangeResponse,
} from '../api/wire.js';
import { HoopError, type ErrorCode } from '../errors.js';

/** Options of createGatewayClient; `fetch` is injectable for tests. */
export interface GatewayClientOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  /** Extra CA (PEM) for a gateway with a private CA is handled by the caller's fetch (undici Agent). */
}

/** Typed calls to the gateway. Every failure is a HoopError with the gateway's code when it sent one. */
export interface GatewayClient {
  readonly baseUrl: string;
  getConfig(): Promise<GatewayConfigResponse>;
  /** `GET /v1/whoami`: the person and groups the gateway maps this ID token to. */
  whoami(idToken: string): Promise<WhoamiResponse>;
  listConnections(idToken: string): Promise<ConnectionSummary[]>;
  createSession(idToken: string, req: CreateSessionRequest): Promise<CreateSessionResponse>;
  /** RFC 8693 token exchange at `POST /v1/token`: a CI job's OIDC token in, the same session as createSession out. */
  exchangeToken(subjectToken: string, req: CreateSessionRequest): Promise<CreateSessionResponse>;
  /** The token exchange, answering the access request (instead of throwing approval_pending) when the role needs approval. */
  exchangeTokenOrPending(subjectToken: string, req: CreateSessionRequest): Promise<CreateSessionResponse | PendingAccessResponse>;
  /** Ends a session; `bearer` is the session token or the owner's ID token. Missing sessions are not an error. */
  endSession(bearer: string, sessionId: string): Promise<void>;
  /** Raw authenticated GET on a `/v1` path, parsed as JSON. */
  getJson<T>(bearer: string, path: string): Promise<T>;
  /** Raw authenticated GET on a `/v1` path, as text (e.g. an asciicast recording). */
  getText(bearer: string, path: string): Promise<string>;
  /** `POST /v1/sessions` that may answer 202: a session, or the access request recorded for a role that needs approval. */
  openSession(idToken: string, req: CreateSessionRequest): Promise<CreateSessionResponse | PendingAccessResponse>;
  /** One access request; with `waitSeconds` the gateway holds the answer until it changes (long-poll). */
  getRequest(idToken: string, id: string, waitSeconds?: number, signal?: AbortSignal): Promise<AccessRequestView>;
  listRequests(idToken: string, all: boolean): Promise<AccessRequestView[]>;
  decideRequest(idToken: string, id: string, decision: 'approve' | 'deny', comment?: string): Promise<AccessRequestView>;
  withdrawRequest(idToken: string, id: string): Promise<AccessRequestView>;
  /** `GET /v1/sessions`: own sessions (every one for admins); `active` leaves out ended and expired ones. */
  listSessions(idToken: string, active: boolean): Promise<SessionView[]>;
  /** `DELETE /v1/sessions/:id` with a person's login: unlike endSession, an unknown session is an error. */
  revokeSession(idToken: string, sessionId: string): Promise<void>;
}

/** True for the 202 answer of `POST /v1/sessions`. */
export function isPendingAccess(r: CreateSessionResponse | PendingAccessResponse): r is PendingAccessResponse {
  return (r as PendingAccessResponse).request !== undefined;
}

const KNOWN_CODES = new Set<ErrorCode>([
  'usage',
  'config_invalid',
  'not_logged_in',
  'login_expired',
  'login_failed',
  'denied',
  'approval_pending',
  'not_found',
  'gateway_unreachable',
  'gateway_error',
  'upstream_error',
  'session_expired',
  'store_error',
  'internal',
]);

/** Creates a client for the gateway at `baseUrl` (e.g. `http://127.0.0.1:8080`). */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;

  const pendingRequests = new WeakMap<HoopError, AccessRequestView>();
  async function exchange(subjectToken: string, req: CreateSessionRequest): Promise<CreateSessionResponse | PendingAccessResponse> {
    const form = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subjectToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      audience: req.connection,
    });
    if (req.role !== undefined) form.set('role', req.role);
    if (req.namespace !== undefined) form.set('namespace', req.namespace);
    if (req.ttlSeconds !== undefined) form.set('ttl_seconds', String(req.ttlSeconds));
    if (req.reason !== undefined) form.set('reason', req.reason);
    if (req.requestId !== undefined) form.set('request_id', req.requestId);
    try {
      return (await call<TokenExchangeResponse>('POST', '/v1/token', undefined, form)).session;
    } catch (e) {
      const request = e instanceof HoopError ? pendingRequests.get(e) : undefined;
      if (request !== undefined) return { request };
      throw e;
    }
  }

  async function call<T>(method: string, path: string, bearer?: string, body?: unknown, signal?: AbortSignal, asText = false): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    const form = body instanceof URLSearchParams;
    if (body !== undefined) headers['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
    let res: Response;
    try {
      res = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: form ? body.toString() : JSON.stringify(body) }),
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (cause) {
      throw new HoopError('gateway_unreachable', `cannot reach the gateway at ${baseUrl}`, {
        hint: 'check the URL, or run hoopctl login --gateway URL',
        cause,
      });
    }
    const text = await res.text();
    if (!res.ok) {
      let parsed: Partial<ApiErrorBody> & { request?: AccessRequestView } = {};
      try {
        parsed = JSON.parse(text) as ApiErrorBody;
      } catch {
        /* not JSON: keep the status line */
      }
      const code = parsed.code !== undefined && KNOWN_CODES.has(parsed.code as ErrorCode) ? (parsed.code as ErrorCode) : 'gateway_error';
      const err = new HoopError(
        code,
        parsed.message ?? `gateway answered ${res.status} ${res.statusText} for ${method} ${path}`,
        parsed.hint === undefined ? {} : { hint: parsed.hint },
      );
      // The token exchange's approval_pending answer carries the recorded access request.
      if (code === 'approval_pending' && parsed.request !== undefined) pendingRequests.set(err, parsed.request);
      throw err;
    }
    if (asText) return text as T;
    if (res.status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new HoopError('gateway_error', `gateway sent a non-JSON answer for ${method} ${path}`, { cause });
    }
  }

  return {
    baseUrl,
    getConfig: () => call<GatewayConfigResponse>('GET', '/v1/config'),
    whoami: (idToken) => call<WhoamiResponse>('GET', '/v1/whoami', idToken),
    listConnections: (idToken) => call<{ items: ConnectionSummary[] }>('GET', '/v1/connections', idToken).then((r) => r.items),
    createSession: async (idToken, req) => {
      const r = await call<CreateSessionResponse | PendingAccessResponse>('POST', '/v1/sessions', idToken, req);
      if (!isPendingAccess(r)) return r;
      throw new HoopError(
        'approval_pending',
        `access request ${r.request.id} (${r.request.summary} on ${r.request.connection}) waits for approval by ${r.request.approvers.join(', ')}`,
        {
          hint: `hoopctl wait ${r.request.id}, then hoopctl connect ${r.request.connection} --request ${r.request.id}`,
        },
      );
    },
    exchangeToken: async (subjectToken, req) => {
      const r = await exchange(subjectToken, req);
      if (!isPendingAccess(r)) return r;
      throw new HoopError(
        'approval_pending',
        `access request ${r.request.id} (${r.request.summary} on ${r.request.connection}) waits for approval by ${r.request.approvers.join(', ')}`,
        {
          hint: `an approver runs: hoopctl approve ${r.request.id}; then run this again with --wait-approval`,
        },
      );
    },
    exchangeTokenOrPending: exchange,
    endSession: async (bearer, sessionId) => {
      try {
        await call<void>('DELETE', `/v1/sessions/${encodeURIComponent(sessionId)}`, bearer);
      } catch (e) {
        if (e instanceof HoopError && e.code === 'not_found') return;
        throw e;
      }
    },
    getJson: (bearer, path) => call('GET', path, bearer),
    getText: (bearer, path) => call<string>('GET', path, bearer, undefined, undefined, true),
    openSession: (idToken, req) => call('POST', '/v1/sessions', idToken, req),
    getRequest: async (idToken, id, waitSeconds, signal) =>
      (
        await call<{ request: AccessRequestView }>(
          'GET',
          `/v1/requests/${encodeURIComponent(id)}${waitSeconds === undefined ? '' : `?wait=${waitSeconds}`}`,
          idToken,
          undefined,
          signal,
        )
      ).request,
    listRequests: async (idToken, all) => (await call<{ items: AccessRequestView[] }>('GET', `/v1/requests?status=${all ? 'all' : 'pending'}`, idToken)).items,
    decideRequest: async (idToken, id, decision, comment) =>
      (
        await call<{ request: AccessRequestView }>(
          'POST',
          `/v1/requests/${encodeURIComponent(id)}/${decision}`,
          idToken,
          comment === undefined ? {} : { comment },
        )
      ).request,
    withdrawRequest: async (idToken, id) => (await call<{ request: AccessRequestView }>('DELETE', `/v1/requests/${encodeURIComponent(id)}`, idToken)).request,
    revokeSession: (idToken, sessionId) => call<void>('DELETE', `/v1/sessions/${encodeURIComponent(sessionId)}`, idToken),
    listSessions: async (idToken, active) => (await call<{ items: SessionView[] }>('GET', `/v1/sessions${active ? '?active=true' : ''}`, idToken)).items,
  };
}
