/** HTTP client of the gateway's `/v1` API, used by the CLI's use cases. */
import type {
  ApiErrorBody, ConnectionSummary, CreateSessionRequest, CreateSessionResponse, GatewayConfigResponse,
} from '../gateway/api.js';
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
  listConnections(idToken: string): Promise<ConnectionSummary[]>;
  createSession(idToken: string, req: CreateSessionRequest): Promise<CreateSessionResponse>;
  /** Ends a session; `bearer` is the session token or the owner's ID token. Missing sessions are not an error. */
  endSession(bearer: string, sessionId: string): Promise<void>;
  /** Raw authenticated GET on a `/v1` path, parsed as JSON. */
  getJson<T>(bearer: string, path: string): Promise<T>;
}

const KNOWN_CODES = new Set<ErrorCode>([
  'usage', 'config_invalid', 'not_logged_in', 'login_expired', 'login_failed', 'denied', 'approval_pending',
  'not_found', 'gateway_unreachable', 'gateway_error', 'upstream_error', 'session_expired', 'store_error', 'internal',
]);

/** Creates a client for the gateway at `baseUrl` (e.g. `http://127.0.0.1:8080`). */
export function createGatewayClient(options: GatewayClientOptions): GatewayClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;

  async function call<T>(method: string, path: string, bearer?: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (cause) {
      throw new HoopError('gateway_unreachable', `cannot reach the gateway at ${baseUrl}`, {
        hint: 'check the URL, or run hoopctl login --gateway URL', cause,
      });
    }
    const text = await res.text();
    if (!res.ok) {
      let parsed: Partial<ApiErrorBody> = {};
      try { parsed = JSON.parse(text) as ApiErrorBody; } catch { /* not JSON: keep the status line */ }
      const code = parsed.code !== undefined && KNOWN_CODES.has(parsed.code as ErrorCode) ? (parsed.code as ErrorCode) : 'gateway_error';
      throw new HoopError(code, parsed.message ?? `gateway answered ${res.status} ${res.statusText} for ${method} ${path}`,
        parsed.hint === undefined ? {} : { hint: parsed.hint });
    }
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
    listConnections: (idToken) => call<{ items: ConnectionSummary[] }>('GET', '/v1/connections', idToken).then((r) => r.items),
    createSession: (idToken, req) => call<CreateSessionResponse>('POST', '/v1/sessions', idToken, req),
    endSession: async (bearer, sessionId) => {
      try {
        await call<void>('DELETE', `/v1/sessions/${encodeURIComponent(sessionId)}`, bearer);
      } catch (e) {
        if (e instanceof HoopError && e.code === 'not_found') return;
        throw e;
      }
    },
    getJson: (bearer, path) => call('GET', path, bearer),
  };
}
