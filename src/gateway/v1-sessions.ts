/** `/v1/sessions`: issue (POST), end (DELETE) and list (GET) session credentials. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HoopError } from '../errors.js';
import { buildSessionClaims } from '../credential/session-claims.js';
import { rolesFor } from '../policy/subject-bindings.js';
import { sessionApprovalFor } from '../policy/session-approval.js';
import type { SessionRecord } from '../store/store.js';
import type { CreateSessionRequest, CreateSessionResponse, SessionView } from '../api/wire.js';
import { authenticateCaller, type Caller, type GatewayContext } from './gateway-context.js';
import { readJsonBody, sendJson } from './http-json.js';
import { auditEvent } from '../audit/audit-event.js';
import { approvedTtl, askForApproval, claimApprovedSession } from './approvals/session-requests.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Validates a session request body (also the token exchange's parameters, mapped to this shape). */
export function parseCreateRequest(body: unknown): CreateSessionRequest {
  const bad = (m: string): never => {
    throw new HoopError('usage', `invalid session request: ${m}`);
  };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return bad('body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.connection !== 'string' || b.connection === '') bad('connection is required');
  for (const k of ['namespace', 'role', 'reason', 'requestId'] as const) if (b[k] !== undefined && typeof b[k] !== 'string') bad(`${k} must be a string`);
  if (b.ttlSeconds !== undefined && (typeof b.ttlSeconds !== 'number' || !Number.isInteger(b.ttlSeconds) || b.ttlSeconds <= 0))
    bad('ttlSeconds must be a positive integer');
  if (typeof b.namespace === 'string' && b.namespace !== '' && (!DNS_LABEL.test(b.namespace) || b.namespace.length > 63))
    bad(`namespace ${JSON.stringify(b.namespace)} is not a valid namespace name`);
  if (typeof b.reason === 'string' && b.reason.length > 1000) bad('reason is longer than 1000 characters');
  return b as unknown as CreateSessionRequest;
}

/** Picks the role the session runs as, refusing what the caller does not hold without approval. */
function chooseRole(gw: GatewayContext, caller: Caller, connection: string, wanted: string | undefined): string | undefined {
  const roles = rolesFor(gw.config.policy, caller, connection);
  const direct = roles.filter((r) => !r.approval).map((r) => r.name);
  const list = roles.map((r) => r.name).join(', ');
  if (wanted !== undefined && wanted !== '') {
    const held = roles.find((r) => r.name === wanted);
    if (held === undefined) {
      throw new HoopError('denied', `you hold no role "${wanted}" on "${connection}"${list === '' ? '' : ` (your roles: ${list})`}`, {
        hint: 'run hoopctl connections',
      });
    }
    return wanted;
  }
  if (direct.length > 0) return undefined;
  if (roles.length > 0) {
    throw new HoopError('denied', `every role you hold on "${connection}" (${list}) is granted only with approval: name one`, {
      hint: `hoopctl connect ${connection} --role ${roles[0]!.name} --reason "…"`,
    });
  }
  throw new HoopError('denied', `you hold no role on connection "${connection}"`, { hint: 'run hoopctl connections' });
}

/** `POST /v1/sessions`: the caller's ID token in, a session credential out (201), or an access request (202) for a role that needs approval. */
export async function createSession(gw: GatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const sourceIP = req.socket?.remoteAddress ?? null;
  const caller = await authenticateCaller(gw, req, false);
  const body = parseCreateRequest(await readJsonBody(req));
  const pending = await askForApproval(gw, caller, body);
  if (pending !== undefined) {
    sendJson(res, 202, pending);
    return;
  }
  sendJson(res, 201, await issueSession(gw, caller, body, { sourceIP, userAgent: req.headers['user-agent'] ?? null, requestURI: '/v1/sessions' }));
}

/** Where a session request came from, for its audit event. */
export interface SessionRequestOrigin {
  sourceIP: string | null;
  userAgent: string | null;
  requestURI: string;
}

/** Issues a session to an authenticated caller: shared by `POST /v1/sessions` and the token exchange (`POST /v1/token`). */
export async function issueSession(
  gw: GatewayContext,
  caller: Caller,
  body: CreateSessionRequest,
  origin: SessionRequestOrigin,
): Promise<CreateSessionResponse> {
  const { sourceIP } = origin;
  const conn = gw.config.connections.find((c) => c.name === body.connection);
  if (conn === undefined) throw new HoopError('not_found', `no connection "${body.connection}" on this gateway`, { hint: 'run hoopctl connections' });
  const sessionId = randomUUID();
  let asked = body.ttlSeconds;
  let namespace = body.namespace === '' ? undefined : body.namespace;
  let approvedBy: string | undefined;
  let reason = body.reason;
  let role: string | undefined;
  if (body.requestId !== undefined) {
    // The approved request decides role, namespace and TTL; the claim may only narrow them (claimScopeProblem).
    const r = await claimApprovedSession(gw, caller, conn, body.requestId, sessionId, body);
    role = r.role ?? undefined;
    const shortest = Math.min(body.ttlSeconds ?? Infinity, r.ttlSeconds ?? Infinity);
    asked = shortest === Infinity ? undefined : shortest;
    namespace = r.namespace ?? namespace;
    approvedBy = r.id;
    reason ??= r.reason ?? undefined;
  } else {
    role = chooseRole(gw, caller, conn.name, body.role);
    if (role !== undefined && sessionApprovalFor(gw.config.policy, caller, conn.name, role) !== undefined) {
      // Only POST /v1/sessions records access requests (askForApproval); no other path may skip the approval.
      throw new HoopError('approval_pending', `role "${role}" on "${conn.name}" is granted only with approval`, {
        hint: `hoopctl connect ${conn.name} --role ${role} --reason "…"`,
      });
    }
  }
  const ttlSeconds = approvedTtl(gw, caller, conn, role, asked);
  const nowMs = gw.now();
  const claims = buildSessionClaims({
    issuer: gw.sessionIssuer,
    user: caller.user,
    groups: caller.groups,
    sessionId,
    connection: conn.name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(role === undefined ? {} : { role }),
    nowSeconds: Math.floor(nowMs / 1000),
    ttlSeconds,
    jti: randomUUID(),
  });
  const record: SessionRecord = {
    id: sessionId,
    user: caller.user,
    groups: caller.groups,
    connection: conn.name,
    namespace: namespace ?? null,
    role: role ?? null,
    reason: reason ?? null,
    createdAt: new Date(claims.iat * 1000).toISOString(),
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    endedAt: null,
    endReason: null,
  };
  const token = await gw.sessionTokens.sign(claims);
  await gw.store.createSession(record);
  try {
    await gw.store.appendAudit(
      auditEvent({
        auditID: randomUUID(),
        stage: 'SessionStarted',
        time: new Date(nowMs).toISOString(),
        session: sessionId,
        user: caller.user,
        groups: caller.groups,
        connection: conn.name,
        verb: 'create',
        requestURI: origin.requestURI,
        decision: 'allow',
        rule:
          role === undefined
            ? 'bindings (roles without approval)'
            : `bindings → role ${role}${approvedBy === undefined ? '' : ` (approved request ${approvedBy})`}`,
        responseStatus: 201,
        namespace: namespace ?? null,
        userAgent: origin.userAgent,
        sourceIP,
        message: `session for ${ttlSeconds}s${reason === undefined ? '' : `, reason: ${reason}`}`,
      }),
    );
  } catch (e) {
    // An unaudited session must not be usable.
    await gw.store.endSession(sessionId, new Date(gw.now()).toISOString(), 'audit write failed').catch(() => undefined);
    throw e;
  }
  const answer: CreateSessionResponse = {
    sessionId,
    connection: conn.name,
    token,
    server: `${gw.publicUrl}/k8s/${conn.name}`,
    expiresAt: record.expiresAt,
    user: caller.user,
    groups: caller.groups,
    ...(namespace === undefined ? {} : { namespace }),
    ...(role === undefined ? {} : { role }),
  };
  return answer;
}

/** `DELETE /v1/sessions/:id`: by that session's token, the owner's ID token, or an admin; cuts its live streams (204). */
export async function endSession(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '').trim();
  let actor: string;
  // A person's login (not the session's own token) ending a session is a revoke: the audit line says so.
  let how: 'ended' | 'revoked' = 'ended';
  if (token !== '' && gw.sessionTokens.looksLikeSessionToken(token)) {
    // An ended or expired session's own token may still end it: ending is idempotent and harmless.
    const claims = await gw.sessionTokens.verifySignature(token);
    if (claims.sid !== id) throw new HoopError('denied', `this session token belongs to session ${claims.sid}, not ${id}`);
    actor = claims.sub;
  } else {
    const caller = await authenticateCaller(gw, req, false);
    const s = await gw.store.getSession(id);
    if (s === undefined) throw new HoopError('not_found', `no session ${id}`);
    if (s.user !== caller.user && !caller.admin) throw new HoopError('denied', `session ${id} belongs to someone else`);
    actor = caller.user;
    how = 'revoked';
  }
  await finishEndSession(gw, id, actor, how, { userAgent: req.headers['user-agent'] ?? null, sourceIP: req.socket?.remoteAddress ?? null });
  res.writeHead(204).end();
}

/** Ends session `id` as `actor` (already authorized), cuts its live streams and audits the end once; shared with the web console. */
export async function finishEndSession(
  gw: GatewayContext,
  id: string,
  actor: string,
  how: 'ended' | 'revoked',
  origin: { userAgent: string | null; sourceIP: string | null },
): Promise<void> {
  const session = await gw.store.getSession(id);
  if (session === undefined) throw new HoopError('not_found', `no session ${id}`);
  const nowIso = new Date(gw.now()).toISOString();
  const changed = await gw.store.endSession(id, nowIso, `${how} by ${actor}`);
  gw.sessionTokens.markEnded(id);
  const closed = gw.streams.closeSession(id, `session ${how} by ${actor}`);
  if (changed) {
    await gw.store.appendAudit(
      auditEvent({
        auditID: randomUUID(),
        stage: 'SessionEnded',
        time: nowIso,
        session: id,
        user: session.user,
        groups: session.groups,
        connection: session.connection,
        verb: 'delete',
        requestURI: `/v1/sessions/${id}`,
        decision: 'allow',
        responseStatus: 204,
        userAgent: origin.userAgent,
        sourceIP: origin.sourceIP,
        message: `${how} by ${actor}; ${closed} open stream(s) closed`,
      }),
    );
  }
}

/** `GET /v1/sessions[?user=][&active=true]`: the caller's own sessions; admins see everyone's (or one user's). */
export async function listSessions(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const caller = await authenticateCaller(gw, req, true);
  const asked = query.get('user') ?? undefined;
  if (!caller.admin && asked !== undefined && asked !== caller.user) throw new HoopError('denied', "only gateway admins may list other people's sessions");
  const user = caller.admin ? asked : caller.user;
  const rows = await gw.store.listSessions({
    ...(user === undefined ? {} : { user }),
    ...(query.get('active') === 'true' ? { activeAt: new Date(gw.now()).toISOString() } : {}),
  });
  // A session without a named role is not role-less: say which roles it runs with, so no list shows "-".
  const items: SessionView[] = rows.map((s) =>
    s.role !== null
      ? s
      : {
          ...s,
          defaultRoles: rolesFor(gw.config.policy, { user: s.user, groups: s.groups }, s.connection)
            .filter((r) => !r.approval)
            .map((r) => r.name),
        },
  );
  sendJson(res, 200, { items });
}
