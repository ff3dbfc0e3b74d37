/**
 * Pipeline step 5: the audit record of a proxied request. "No audit, no answer": an answer reaches the client only
 * once its event is stored — the `ResponseComplete` event for answers held whole, a `ResponseStarted` event before
 * the first byte of a stream (completed at its end), and a `RequestReceived` event before a change or an exec-class
 * stream is even forwarded (src/gateway/pipeline/answer-gate.ts decides which).
 */
import { auditEvent, type AuditEvent, type Decision } from '../../audit/audit-event.js';
import { buildStatus } from '../../kube/status.js';
import type { KubeStatus } from '../../kube/types.js';
import { maskRequestUriBounded } from '../../mask/bounded-uri.js';
import { createMaskContext } from '../../mask/mask-object.js';
import type { ProxyExchange } from './exchange.js';

const orNull = (s: string | undefined): string | null => (s === undefined || s === '' ? null : s);

// Up to three events are built per request (RequestReceived, ResponseStarted, ResponseComplete); the URI is masked once.
function auditStaticOf(x: ProxyExchange): NonNullable<ProxyExchange['auditStatic']> {
  // A query can carry a secret (`?labelSelector=token%3D…`): the log keeps it masked.
  const uri = createMaskContext(x.gw.config.policy.masking.rules);
  const requestURI = maskRequestUriBounded(x.kubePath, uri);
  return { requestURI, uriMasked: uri.counter.masked, time: new Date(x.startedAt).toISOString() };
}

/** The audit event describing a proxied request in its current state. */
export function proxyAuditEvent(x: ProxyExchange, nowMs: number, stage: AuditEvent['stage'] = 'ResponseComplete'): AuditEvent {
  const claims = x.session?.claims;
  const info = x.info;
  let decision: Decision;
  if (x.decision !== undefined) decision = x.decision.effect;
  else decision = x.refusedBy !== undefined ? 'deny' : 'error';
  const fixed = (x.auditStatic ??= auditStaticOf(x));
  const annotations: Record<string, string> = {};
  if (x.maskExemptions !== undefined) annotations['mask.hoopctl.dev/exempted'] = `objects left in clear by ${[...x.maskExemptions].join(', ')}`;
  if (x.clientAuditID !== undefined) annotations['audit.hoopctl.dev/client-audit-id'] = x.clientAuditID;
  if (x.reviewRequest !== undefined) annotations['approval.hoopctl.dev/review'] = x.reviewRequest;
  return auditEvent({
    auditID: x.auditID,
    stage,
    time: fixed.time,
    session: claims?.sid ?? null,
    user: claims?.sub ?? null,
    groups: claims?.groups ?? [],
    impersonatedUser: x.impersonatedUser ?? null,
    connection: x.connectionName,
    verb: info?.verb ?? (x.req.method ?? 'GET').toLowerCase(),
    requestURI: fixed.requestURI,
    apiGroup: info?.isResourceRequest ? info.apiGroup : null,
    resource: orNull(info?.resource),
    subresource: orNull(info?.subresource),
    namespace: orNull(info?.namespace),
    name: orNull(info?.name),
    decision,
    rule: x.decision?.rule ?? (x.refusedBy === undefined ? null : `gateway:${x.refusedBy}`),
    responseStatus: stage === 'RequestReceived' ? null : x.status,
    latencyMs: Math.max(0, nowMs - x.startedAt),
    bytes: x.bytes,
    userAgent: x.req.headers['user-agent'] ?? null,
    sourceIP: x.sourceIP,
    message: x.message,
    maskedCount: (x.maskedCount ?? 0) + fixed.uriMasked,
    ...(x.requestObject === undefined ? {} : { requestObject: x.requestObject }),
    ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
  });
}

/** An audit event could not be stored; the request must not be answered as if it had been. */
export class AuditWriteError extends Error {
  constructor(
    readonly auditID: string,
    cause: unknown,
  ) {
    super(`audit write failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'AuditWriteError';
  }
}

async function append(x: ProxyExchange, event: AuditEvent): Promise<void> {
  const { gw } = x;
  const started = performance.now();
  try {
    await gw.store.appendAudit(event);
    gw.auditHealth.succeeded();
  } catch (cause) {
    gw.auditHealth.failed(cause);
    // Names the request, never its body or query values.
    gw.log(
      `audit write failed (${event.stage}) for ${x.auditID} on ${x.connectionName} ${event.verb} ${event.resource ?? event.requestURI.split('?')[0]}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    throw new AuditWriteError(x.auditID, cause);
  } finally {
    x.auditWaitMs = (x.auditWaitMs ?? 0) + (performance.now() - started);
  }
}

// The audit phase of /metrics: what the request waited on all its audit writes, reported once when its audit is over.
function observeAuditPhase(x: ProxyExchange): void {
  x.gw.metrics?.observePhase('audit', (x.auditWaitMs ?? 0) / 1000);
}

/** Marks the request's audit as over without a `ResponseComplete` event (a stage write failed and it was refused). */
export function endAudit(x: ProxyExchange): void {
  x.audited = true;
  observeAuditPhase(x);
}

/** Appends the request's final (`ResponseComplete`) event once; later calls are no-ops, also after a failed write. */
export async function recordProxyAudit(x: ProxyExchange): Promise<void> {
  if (x.audited) return;
  x.audited = true;
  try {
    await append(x, proxyAuditEvent(x, x.gw.now()));
  } finally {
    observeAuditPhase(x);
  }
}

/** Appends an intermediate event (`RequestReceived` before forwarding, `ResponseStarted` before a stream's first byte). */
export async function recordProxyStage(x: ProxyExchange, stage: 'RequestReceived' | 'ResponseStarted'): Promise<void> {
  await append(x, proxyAuditEvent(x, x.gw.now(), stage));
}

/** The 503 a client gets instead of an answer whose audit event could not be written. */
export function auditFailedStatus(x: ProxyExchange): KubeStatus {
  return buildStatus(
    503,
    'ServiceUnavailable',
    `the gateway cannot write its audit log right now, and answers nothing it has not audited (audit id ${x.auditID}); try again shortly`,
  );
}
