/**
 * The sessions an MCP server holds, one per connection: opened on first use (default role) or by
 * `request_access`, reused until shortly before expiry, ended when the server stops. Access
 * requests that wait for approval are remembered, so `check_request` can open their session.
 */
import type { AccessRequestView, ConnectionSummary, CreateSessionRequest, CreateSessionResponse, PendingAccessResponse } from '../api/wire.js';
import { HoopError } from '../errors.js';
import type { KubeAnswer, KubeCall } from './kube-calls.js';
import type { Clock } from '../clock.js';

/** What the MCP tools need from the gateway; the CLI wires it to the stored login and the gateway client. */
export interface McpBackend {
  listConnections(): Promise<ConnectionSummary[]>;
  /** `POST /v1/sessions`: a session, or the access request recorded for a role that needs approval. */
  openSession(req: CreateSessionRequest): Promise<CreateSessionResponse | PendingAccessResponse>;
  getRequest(id: string): Promise<AccessRequestView>;
  endSession(session: CreateSessionResponse): Promise<void>;
  /** Sends one Kubernetes API call to the gateway's `/k8s/<connection>` with the session credential. */
  kube(session: CreateSessionResponse, call: KubeCall): Promise<KubeAnswer>;
  now: Clock;
}

/** Reuse a session only while it has at least this long left. */
const MIN_LEFT_MS = 30_000;

/** The outcome of asking for access. */
export type AccessOutcome = { kind: 'granted'; session: CreateSessionResponse } | { kind: 'pending'; request: AccessRequestView };

/** Sessions by connection, plus the access requests this server asked for. */
export interface SessionPool {
  /** A live session on `connection`, opening one with the default role when there is none. */
  sessionFor(connection: string): Promise<CreateSessionResponse>;
  /** Asks for a session (role, reason, TTL); a granted one replaces the connection's current session. */
  requestAccess(req: CreateSessionRequest): Promise<AccessOutcome>;
  /** Opens the session of an approved request of this server; undefined while it is not approved. */
  claim(request: AccessRequestView): Promise<CreateSessionResponse | undefined>;
  /** Forgets a session the gateway refused (ended or expired), so the next call opens a new one. */
  drop(connection: string): void;
  list(): CreateSessionResponse[];
  /** Ends every session (server shutdown). */
  closeAll(): Promise<void>;
}

const isPending = (r: CreateSessionResponse | PendingAccessResponse): r is PendingAccessResponse => (r as PendingAccessResponse).request !== undefined;

/** Creates an empty pool over `backend`. */
export function createSessionPool(backend: McpBackend): SessionPool {
  const sessions = new Map<string, CreateSessionResponse>();
  const asked = new Map<string, CreateSessionRequest>();

  const live = (s: CreateSessionResponse | undefined): s is CreateSessionResponse => s !== undefined && Date.parse(s.expiresAt) - backend.now() > MIN_LEFT_MS;

  async function keep(session: CreateSessionResponse): Promise<CreateSessionResponse> {
    const old = sessions.get(session.connection);
    sessions.set(session.connection, session);
    if (old !== undefined && old.sessionId !== session.sessionId) await backend.endSession(old).catch(() => undefined);
    return session;
  }

  return {
    async sessionFor(connection) {
      const current = sessions.get(connection);
      if (live(current)) return current;
      const r = await backend.openSession({ connection, reason: 'hoopctl mcp (AI agent)' });
      if (isPending(r)) {
        asked.set(r.request.id, { connection });
        throw new HoopError(
          'approval_pending',
          `access to "${connection}" needs approval: access request ${r.request.id} waits for ${r.request.approvers.join(', ')}`,
          {
            hint: `call check_request with id ${r.request.id}`,
          },
        );
      }
      return keep(r);
    },
    async requestAccess(req) {
      const r = await backend.openSession(req);
      if (isPending(r)) {
        asked.set(r.request.id, req);
        return { kind: 'pending', request: r.request };
      }
      return { kind: 'granted', session: await keep(r) };
    },
    async claim(request) {
      if (request.status !== 'approved' || request.kind !== 'session') return undefined;
      const req = asked.get(request.id);
      const r = await backend.openSession({
        connection: request.connection,
        requestId: request.id,
        ...(req?.namespace === undefined ? {} : { namespace: req.namespace }),
      });
      if (isPending(r)) return undefined;
      asked.delete(request.id);
      return keep(r);
    },
    drop(connection) {
      sessions.delete(connection);
    },
    list: () => [...sessions.values()],
    async closeAll() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((s) => backend.endSession(s).catch(() => undefined)));
    },
  };
}
