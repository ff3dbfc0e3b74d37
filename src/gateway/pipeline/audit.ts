/** Pipeline step 5: one audit event per request, appended before the response ends (a failed write fails the request). */
import type { AuditEvent, Decision } from '../../audit/audit-event.js';
import { maskRequestUriBounded } from '../../mask/bounded-uri.js';
import { createMaskContext } from '../../mask/mask-object.js';
import type { Store } from '../../store/store.js';
import type { ProxyExchange } from './exchange.js';

/** Fields every audit event needs; the rest default to null / empty. */
export type AuditEventInput = Pick<AuditEvent, 'auditID' | 'stage' | 'time' | 'verb' | 'requestURI' | 'decision'> & Partial<AuditEvent>;

/** Builds a complete AuditEvent from the fields that are known. */
export function auditEvent(e: AuditEventInput): AuditEvent {
  return {
    session: null, user: null, groups: [], impersonatedUser: null, connection: null, apiGroup: null, resource: null,
    subresource: null, namespace: null, name: null, rule: null, responseStatus: null, latencyMs: null, bytes: null,
    maskedCount: 0, userAgent: null, sourceIP: null, message: null, ...e,
  };
}

const orNull = (s: string | undefined): string | null => (s === undefined || s === '' ? null : s);

/** The audit event describing a proxied request in its current state. */
export function proxyAuditEvent(x: ProxyExchange, nowMs: number): AuditEvent {
  const claims = x.session?.claims;
  const info = x.info;
  let decision: Decision;
  if (x.decision !== undefined) decision = x.decision.effect;
  else decision = x.refusedBy !== undefined ? 'deny' : 'error';
  // A query can carry a secret (`?labelSelector=token%3D…`): the log keeps it masked.
  const uri = createMaskContext(x.gw.config.policy.masking.rules);
  const requestURI = maskRequestUriBounded(x.kubePath, uri);
  return auditEvent({
    auditID: x.auditID,
    stage: 'ResponseComplete',
    time: new Date(x.startedAt).toISOString(),
    session: claims?.sid ?? null,
    user: claims?.sub ?? null,
    groups: claims?.groups ?? [],
    impersonatedUser: x.impersonatedUser ?? null,
    connection: x.connectionName,
    verb: info?.verb ?? (x.req.method ?? 'GET').toLowerCase(),
    requestURI,
    apiGroup: info?.isResourceRequest ? info.apiGroup : null,
    resource: orNull(info?.resource),
    subresource: orNull(info?.subresource),
    namespace: orNull(info?.namespace),
    name: orNull(info?.name),
    decision,
    rule: x.decision?.rule ?? (x.refusedBy === undefined ? null : `gateway:${x.refusedBy}`),
    responseStatus: x.status,
    latencyMs: Math.max(0, nowMs - x.startedAt),
    bytes: x.bytes,
    userAgent: x.req.headers['user-agent'] ?? null,
    sourceIP: x.sourceIP,
    message: x.message,
    maskedCount: (x.maskedCount ?? 0) + uri.counter.masked,
    ...(x.requestObject === undefined ? {} : { requestObject: x.requestObject }),
    ...(x.maskExemptions === undefined ? {} : { annotations: { 'mask.hoopctl.dev/exempted': `objects left in clear by ${[...x.maskExemptions].join(', ')}` } }),
  });
}

/** Appends the request's audit event once; later calls are no-ops. */
export async function recordProxyAudit(store: Store, x: ProxyExchange, nowMs: number): Promise<void> {
  if (x.audited) return;
  x.audited = true;
  await store.appendAudit(proxyAuditEvent(x, nowMs));
}
