/** The `approvals:` and `notifications:` sections of the gateway config. */
import { ConfigFields, joinPath, type Mapping } from './config-fields.js';
import { readDuration } from './config-connection.js';

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

/** Reads `approvals` (absent: defaults). */
export function readApprovals(f: ConfigFields, top: Mapping): ApprovalsConfig {
  const m = f.optMapping(top, 'approvals', '', ['requestTtl', 'approvedWindow', 'reviewsPerSession']) ?? {};
  const limitM = f.optMapping(m, 'reviewsPerSession', 'approvals', ['max', 'per']) ?? {};
  const max = limitM.max ?? DEFAULT_REVIEW_LIMIT.max;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 10_000) f.fail('approvals.reviewsPerSession.max', 'must be an integer from 1 to 10000');
  return {
    requestTtlSeconds: readDuration(f, m, 'requestTtl', 'approvals') ?? 15 * 60,
    approvedWindowSeconds: readDuration(f, m, 'approvedWindow', 'approvals') ?? 10 * 60,
    reviewLimit: { max, windowSeconds: readDuration(f, limitM, 'per', 'approvals.reviewsPerSession') ?? DEFAULT_REVIEW_LIMIT.windowSeconds },
  };
}

/** Reads `notifications`: `{type: webhook|slack, url}` or `{type, urlEnv: NAME}` so a Slack URL need not sit in the file. */
export function readNotifications(f: ConfigFields, top: Mapping, env: Record<string, string | undefined>): NotificationTarget[] {
  return f.list(top, 'notifications', '').map((raw, i) => {
    const path = `notifications[${i}]`;
    const m = f.mapping(raw, path, ['type', 'url', 'urlEnv']);
    const type = f.string(m, 'type', path);
    if (type !== 'webhook' && type !== 'slack') f.fail(joinPath(path, 'type'), `${JSON.stringify(type)} is not one of: webhook, slack`);
    const direct = f.optString(m, 'url', path);
    const envName = f.optString(m, 'urlEnv', path);
    if ((direct === undefined) === (envName === undefined)) f.fail(path, 'give exactly one of url or urlEnv');
    const text = direct ?? env[envName!];
    if (text === undefined || text === '') return f.fail(joinPath(path, 'urlEnv'), `environment variable ${envName} is not set`);
    let url: URL;
    try { url = new URL(text); } catch (e) { return f.fail(joinPath(path, direct === undefined ? 'urlEnv' : 'url'), 'is not a URL', e); }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') f.fail(joinPath(path, 'url'), 'must be an http(s) URL');
    return { type, url: url.href };
  });
}
