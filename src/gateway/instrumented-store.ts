/** A Store that reports to the metrics: every failed call, audit write times and failures, and each written request event. */
import type { AuditEvent } from '../audit/audit-event.js';
import type { Store } from '../store/store.js';
import type { GatewayMetrics } from './metrics.js';
import type { GatewayLog, LogFields } from './gateway-logger.js';

function requestFields(e: AuditEvent): LogFields {
  return { requestId: e.auditID, connection: e.connection, user: e.user, session: e.session, verb: e.verb, decision: e.decision, status: e.responseStatus };
}

// One line per refused or failed request (allowed ones are in the audit log and the metrics, not here).
function logRequest(log: GatewayLog, e: AuditEvent): void {
  if (e.stage !== 'ResponseComplete' || (e.decision === 'allow' && (e.responseStatus ?? 0) < 500)) return;
  log(`request ${e.decision === 'allow' ? 'failed' : e.decision === 'error' ? 'failed' : e.decision === 'deny' ? 'denied' : 'needs approval'}`, {
    ...requestFields(e),
    rule: e.rule,
    latencyMs: e.latencyMs,
  });
}

/** Wraps `store` so its calls feed `metrics` (and refused or failed requests the log); behaviour and results are unchanged. */
export function instrumentStore(store: Store, metrics: GatewayMetrics, log?: GatewayLog, now: () => number = () => performance.now()): Store {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'onSessionEnded') return value;
      let fn = wrapped.get(prop);
      if (fn === undefined) {
        const op = String(prop);
        fn = (...args: unknown[]): unknown => {
          const started = now();
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (r: unknown) => {
              if (op === 'appendAudit') {
                metrics.observeAuditWrite((now() - started) / 1000, true);
                const event = args[0] as AuditEvent;
                metrics.observeAudit(event);
                if (log !== undefined) logRequest(log, event);
              }
              return r;
            },
            (e: unknown) => {
              if (op === 'appendAudit') metrics.observeAuditWrite((now() - started) / 1000, false);
              metrics.storeError(op);
              log?.(`store call ${op} failed: ${(e as Error).message}`, {
                operation: op,
                ...(op === 'appendAudit' ? requestFields(args[0] as AuditEvent) : {}),
              });
              throw e;
            },
          );
        };
        wrapped.set(prop, fn);
      }
      return fn;
    },
  });
}
