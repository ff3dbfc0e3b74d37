/** The `approvals:` and `notifications:` sections of the gateway config. */
import { z } from 'zod';
import { duration, integer, issue, mapping, text } from '../config-reader.js';

/** How long access requests wait and how long an approval stays usable. */
export interface ApprovalsConfig {
  /** A pending request not answered within this time expires (default 15m). */
  requestTtlSeconds: number;
  /** An approved command (or an approved session not yet opened) is usable this long (default 10m). */
  approvedWindowSeconds: number;
  /** At most `max` new single-command reviews per session within `windowSeconds` (each one notifies approvers). */
  reviewLimit: ReviewLimit;
}

/** A sliding-window cap on the reviews one session may open. */
export interface ReviewLimit {
  max: number;
  windowSeconds: number;
}

/** 10 reviews per 10 minutes: more than a person's real work needs, few enough that a runaway agent cannot flood approvers. */
export const DEFAULT_REVIEW_LIMIT: ReviewLimit = { max: 10, windowSeconds: 600 };

/** Where new requests and decisions are announced. */
export interface NotificationTarget {
  type: 'webhook' | 'slack';
  /** Holds a secret for Slack (the path is the credential): never logged, only its origin. */
  url: string;
}

/** The `approvals` section (absent: defaults). */
export const approvalsSchema = mapping({
  requestTtl: duration.optional(),
  approvedWindow: duration.optional(),
  reviewsPerSession: mapping({ max: integer(1, 10_000).optional(), per: duration.optional() }).optional(),
})
  .optional()
  .transform((m): ApprovalsConfig => ({
    requestTtlSeconds: m?.requestTtl ?? 15 * 60,
    approvedWindowSeconds: m?.approvedWindow ?? 10 * 60,
    reviewLimit: { max: m?.reviewsPerSession?.max ?? DEFAULT_REVIEW_LIMIT.max, windowSeconds: m?.reviewsPerSession?.per ?? DEFAULT_REVIEW_LIMIT.windowSeconds },
  }));

/** The `notifications` list: `{type: webhook|slack, url}` or `{type, urlEnv: NAME}` so a Slack URL need not sit in the file. */
export function notificationsSchema(env: Record<string, string | undefined>): z.ZodType<NotificationTarget[]> {
  const target = mapping({ type: z.enum(['webhook', 'slack']), url: text.optional(), urlEnv: text.optional() }).transform((m, ctx): NotificationTarget => {
    const fail = (path: string[], message: string): never => {
      issue(ctx, message, path);
      return z.NEVER;
    };
    if ((m.url === undefined) === (m.urlEnv === undefined)) return fail([], 'give exactly one of url or urlEnv');
    const where = m.url === undefined ? 'urlEnv' : 'url';
    const given = m.url ?? env[m.urlEnv!];
    if (given === undefined || given === '') return fail(['urlEnv'], `environment variable ${m.urlEnv} is not set`);
    // The URL itself never appears in a message: a Slack webhook URL is a credential.
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      return fail([where], 'is not a URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(['url'], 'must be an http(s) URL');
    return { type: m.type, url: url.href };
  });
  return z
    .array(target)
    .optional()
    .transform((list) => list ?? []);
}
