/** A Store that reports to the metrics: every failed call, audit write times and failures, and each written request event. */
import type { AuditEvent } from '../audit/audit-event.js';
import type { Store } from '../store/store.js';
import type { GatewayMetrics } from './metrics.js';

/** Wraps `store` so its calls feed `metrics`; behaviour and results are unchanged. */
export function instrumentStore(store: Store, metrics: GatewayMetrics, now: () => number = () => performance.now()): Store {
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
                metrics.observeAudit(args[0] as AuditEvent);
              }
              return r;
            },
            (e: unknown) => {
              if (op === 'appendAudit') metrics.observeAuditWrite((now() - started) / 1000, false);
              metrics.storeError(op);
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
