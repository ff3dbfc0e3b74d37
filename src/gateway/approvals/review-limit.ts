/**
 * How many single-command reviews one session may open: each new review notifies every approver,
 * so a session (a runaway agent, a loop in a script) must not be able to page people without end.
 * A sliding window over the reviews the store holds, so the cap is the same on every replica.
 */
import { buildStatus } from '../../kube/status.js';
import type { KubeStatus } from '../../kube/types.js';
import type { ReviewLimit } from '../config-approvals.js';

/** Seconds until the session may open another review, or undefined when it may now. `openedAt`: creation times (ms) of its reviews. */
export function reviewRetryAfter(openedAt: readonly number[], limit: ReviewLimit, nowMs: number): number | undefined {
  const windowMs = limit.windowSeconds * 1000;
  const inWindow = openedAt.filter((t) => t > nowMs - windowMs).sort((a, b) => a - b);
  if (inWindow.length < limit.max) return undefined;
  // The oldest review that must leave the window before the count drops below max.
  const oldest = inWindow[inWindow.length - limit.max]!;
  return Math.max(1, Math.ceil((oldest + windowMs - nowMs) / 1000));
}

/** The 429 kubectl prints ("Error from server (TooManyRequests): …"), with the wait in details.retryAfterSeconds. */
export function reviewLimitStatus(limit: ReviewLimit, retryAfterSeconds: number, connection: string): KubeStatus {
  return buildStatus(
    429,
    'TooManyRequests',
    `this session opened ${limit.max} review(s) within ${limit.windowSeconds}s, the most the gateway allows (approvals.reviewsPerSession); ` +
      `try again in ${retryAfterSeconds}s, or see the open ones: hoopctl requests (connection ${connection})`,
    { retryAfterSeconds },
  );
}
