/**
 * Session elevation (JIT): a role granted only with approval is asked for with `POST /v1/sessions`
 * (answered 202 with the recorded request), and opened once approved with `POST /v1/sessions`
 * `{requestId}`: one approved request opens one session, on exactly the connection, role, namespace
 * and TTL that were approved (a claim may narrow the TTL or name the namespace of a cluster-wide
 * approval, never widen anything).
 */
import { HoopError } from '../../errors.js';
import { grantTtl } from '../../credential/session-ttl.js';
import { maxTtlFor, rolesFor } from '../../policy/subject-bindings.js';
import { sessionApprovalFor, type SessionApprovalRule } from '../../policy/session-approval.js';
import type { AccessRequestRecord } from '../../store/store.js';
import type { ConnectionConfig } from '../config.js';
import type { CreateSessionRequest, PendingAccessResponse } from '../../api/wire.js';
import type { Caller, GatewayContext } from '../gateway-context.js';
import { sessionSummary } from './request-view.js';

/** The session TTL the policy and the connection allow for `role` (what approvers see and what is granted). */
export function approvedTtl(gw: GatewayContext, caller: Caller, conn: ConnectionConfig, role: string | undefined, asked: number | undefined): number {
  const policyMax = maxTtlFor(gw.config.policy, caller, conn.name, role) ?? Infinity;
  return grantTtl(asked, conn.defaultTtlSeconds, Math.min(conn.maxTtlSeconds, policyMax));
}

/** Records a session request for `role` and returns the 202 body. */
export async function requestSessionApproval(
  gw: GatewayContext,
  caller: Caller,
  conn: ConnectionConfig,
  body: CreateSessionRequest,
  role: string,
  rule: SessionApprovalRule,
): Promise<PendingAccessResponse> {
  const reason = body.reason?.trim() ?? '';
  if (reason === '') {
    throw new HoopError('usage', `role "${role}" on "${conn.name}" is granted only with approval: say why (approvers read it)`, {
      hint: `hoopctl connect ${conn.name} --role ${role} --reason "INC-123: …"`,
    });
  }
  const ttlSeconds = approvedTtl(gw, caller, conn, role, body.ttlSeconds);
  const namespace = body.namespace === undefined || body.namespace === '' ? null : body.namespace;
  const r = await gw.requests.create({
    kind: 'session',
    user: caller.user,
    groups: caller.groups,
    connection: conn.name,
    role,
    namespace,
    reason,
    ttlSeconds,
    sessionId: null,
    fingerprint: null,
    verb: null,
    requestURI: null,
    summary: sessionSummary(role, ttlSeconds, namespace),
    rule: rule.rule,
    approvers: rule.approvers,
    minApprovals: rule.minApprovals,
  });
  return { request: await gw.requests.view(r, caller) };
}

/** For `POST /v1/sessions`: records an access request and returns the 202 body when the role asked for needs approval. */
export async function askForApproval(gw: GatewayContext, caller: Caller, body: CreateSessionRequest): Promise<PendingAccessResponse | undefined> {
  if (body.requestId !== undefined || body.role === undefined || body.role === '') return undefined;
  const conn = gw.config.connections.find((c) => c.name === body.connection);
  if (conn === undefined) return undefined;
  const rule = sessionApprovalFor(gw.config.policy, caller, conn.name, body.role);
  return rule === undefined ? undefined : requestSessionApproval(gw, caller, conn, body, body.role, rule);
}

/** What a claim asks for beyond the request id: each must match what was approved. */
export type ClaimAsk = Pick<CreateSessionRequest, 'role' | 'namespace' | 'ttlSeconds'>;

/** Why a claim asks for more than (or other than) what request `r` approved, or undefined when it asks for no more. */
export function claimScopeProblem(r: Pick<AccessRequestRecord, 'id' | 'role' | 'namespace' | 'ttlSeconds' | 'summary'>, ask: ClaimAsk): string | undefined {
  const approved = `request ${r.id} approved ${r.summary}`;
  if (ask.role !== undefined && ask.role !== '' && ask.role !== r.role) return `${approved}, not role "${ask.role}"`;
  const ns = ask.namespace === undefined || ask.namespace === '' ? undefined : ask.namespace;
  if (r.namespace !== null && ns !== undefined && ns !== r.namespace) return `${approved}, not namespace "${ns}"`;
  if (ask.ttlSeconds !== undefined && r.ttlSeconds !== null && ask.ttlSeconds > r.ttlSeconds) return `${approved}, not ${ask.ttlSeconds}s`;
  return undefined;
}

/**
 * Uses an approved session request of the caller for a new session `sessionId`; throws unless it is
 * theirs, for this connection and the approved scope (claimScopeProblem), approved and within its
 * window. The caller must still hold the role.
 */
export async function claimApprovedSession(
  gw: GatewayContext,
  caller: Caller,
  conn: ConnectionConfig,
  requestId: string,
  sessionId: string,
  ask: ClaimAsk = {},
): Promise<AccessRequestRecord> {
  const r = await gw.requests.get(requestId);
  if (r === undefined || r.kind !== 'session' || r.user !== caller.user)
    throw new HoopError('not_found', `no session request ${requestId} of yours`, { hint: 'run hoopctl requests --all' });
  if (r.connection !== conn.name)
    throw new HoopError('usage', `request ${requestId} is for connection "${r.connection}", not "${conn.name}"`, {
      hint: `hoopctl connect ${r.connection} --request ${requestId}`,
    });
  if (r.status === 'pending')
    throw new HoopError('approval_pending', `request ${requestId} still waits for approval by ${r.approvers.join(', ')}`, {
      hint: `hoopctl wait ${requestId}`,
    });
  if (r.status === 'used')
    throw new HoopError('denied', `request ${requestId} was already used for session ${r.sessionId ?? ''}; one approval opens one session`, {
      hint: `hoopctl connect ${conn.name} --role ${r.role ?? ''} --reason "…"`,
    });
  if (r.status !== 'approved')
    throw new HoopError('denied', `request ${requestId} is ${r.status}`, { hint: `hoopctl connect ${conn.name} --role ${r.role ?? ''} --reason "…"` });
  // Checked before the request is used: a refused claim leaves the approval usable as approved.
  const problem = claimScopeProblem(r, ask);
  if (problem !== undefined) {
    throw new HoopError('denied', `${problem}; an approval opens only the session that was approved`, {
      hint: `hoopctl connect ${conn.name} --request ${requestId}${r.namespace === null ? '' : ` --namespace ${r.namespace}`}, or ask for the other scope: hoopctl connect ${conn.name} --role ${ask.role === undefined || ask.role === '' ? (r.role ?? '') : ask.role} --reason "…"`,
    });
  }
  // Groups may have changed since the request: the role must still be bound to the caller.
  if (r.role === null || !rolesFor(gw.config.policy, caller, conn.name).some((x) => x.name === r.role)) {
    throw new HoopError('denied', `role "${r.role ?? ''}" on "${conn.name}" is no longer bound to you`);
  }
  const ok = await gw.requests.transition(r, { status: 'used', uses: 1, usedAt: new Date(gw.now()).toISOString(), usedMethod: 'POST', sessionId });
  if (!ok) throw new HoopError('denied', `request ${requestId} was used or changed meanwhile`, { hint: 'run hoopctl requests --all' });
  return r;
}
