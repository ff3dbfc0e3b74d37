/**
 * Whether the gateway can write audit events, as the proxy last saw it. A failed write makes `/readyz` unready for
 * a short while (so a load balancer sends clients to a replica whose store works); it turns ready again on the next
 * successful write or when the hold expires, so traffic comes back and service resumes by itself.
 */
import type { Clock } from '../clock.js';

/** The audit store's health as seen by the request path. */
export interface AuditHealth {
  succeeded(): void;
  failed(cause: unknown): void;
  /** Undefined while healthy; otherwise why the gateway is not ready. */
  problem(): string | undefined;
}

/** Reports a failure for `holdMs` after the last failed write, unless a write succeeds first. */
export function createAuditHealth(now: Clock, holdMs = 5000): AuditHealth {
  let lastFailure: { at: number; message: string } | undefined;
  return {
    succeeded() {
      lastFailure = undefined;
    },
    failed(cause) {
      lastFailure = { at: now(), message: cause instanceof Error ? cause.message : String(cause) };
    },
    problem() {
      if (lastFailure === undefined || now() - lastFailure.at > holdMs) return undefined;
      return `audit store unwritable (${lastFailure.message})`;
    },
  };
}
