/**
 * How many bytes of request bodies the gateway holds in memory at once, overall and per session (attack finding 3:
 * 400 connections each sending 4 MiB of a GET body took the gateway from 92 MB to 1.9 GB). A request reserves its
 * body's bytes as they arrive and gives them back when its exchange ends (answered, refused or aborted); a chunk
 * that would pass either limit is refused, so one session cannot starve the others of more than its share.
 */
import { buildStatus } from '../kube/status.js';
import type { KubeStatus } from '../kube/types.js';

/** The limits, in bytes. */
export interface BodyBudgetLimits {
  totalBytes: number;
  perSessionBytes: number;
}

/** 64 MiB for the whole gateway, 8 MiB per session (two bodies of kube-apiserver's 3 MiB limit, and some). */
export const DEFAULT_BODY_BUDGET: BodyBudgetLimits = { totalBytes: 64 << 20, perSessionBytes: 8 << 20 };

/** The reservation of one request's body. */
export interface BodyHold {
  /** Reserves `bytes` more; false (nothing reserved) when that would pass a limit. */
  take(bytes: number): boolean;
  /** Gives back everything this hold reserved; idempotent. */
  release(): void;
}

/** The budget of one gateway. */
export interface BodyBudget {
  readonly limits: BodyBudgetLimits;
  /** A new, empty hold for a request of `sessionId`. */
  open(sessionId: string): BodyHold;
  /** Bytes held now: overall, and by how many sessions. */
  held(): { total: number; sessions: number };
}

/** Creates a budget with the given limits. */
export function createBodyBudget(limits: BodyBudgetLimits = DEFAULT_BODY_BUDGET): BodyBudget {
  let total = 0;
  const bySession = new Map<string, number>();
  return {
    limits,
    open(sessionId) {
      let mine = 0;
      return {
        take(bytes) {
          const session = bySession.get(sessionId) ?? 0;
          if (total + bytes > limits.totalBytes || session + bytes > limits.perSessionBytes) return false;
          total += bytes;
          bySession.set(sessionId, session + bytes);
          mine += bytes;
          return true;
        },
        release() {
          if (mine === 0) return;
          total -= mine;
          const left = (bySession.get(sessionId) ?? 0) - mine;
          if (left <= 0) bySession.delete(sessionId);
          else bySession.set(sessionId, left);
          mine = 0;
        },
      };
    },
    held: () => ({ total, sessions: bySession.size }),
  };
}

/** Status for a body the gateway's memory budget for request bodies cannot take now (body-budget.ts). */
export function bodyBudgetStatus(limits: BodyBudgetLimits): KubeStatus {
  const mib = (n: number): string => `${Math.round((n / (1 << 20)) * 10) / 10} MiB`;
  return buildStatus(
    429,
    'TooManyRequests',
    `the gateway holds at most ${mib(limits.perSessionBytes)} of request bodies per session and ${mib(limits.totalBytes)} in all, ` +
      'and this body would pass that; try again in a second, with fewer large requests in flight at once',
    { retryAfterSeconds: 1 },
  );
}
