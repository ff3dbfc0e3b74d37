/**
 * A bound on requests that fail authentication, per source address: a token bucket (default 20 a second, bursts of
 * 100). Within it each such request is answered 401 and audited on its own; over it the gateway answers 429 with
 * Retry-After and counts the request into one batch per source and interval, written as ONE audit event ("N
 * unauthenticated requests refused"), so a flood grows the audit log by a bounded amount and still leaves a record.
 * Requests that authenticate never take from a bucket. IPv6 sources count per /64 (one host holds a whole /64), and
 * the number of sources tracked is bounded: past it, new sources share one bucket.
 */

/** The limit's settings. */
export interface AuthFailureLimitOptions {
  /** Tokens added per second (requests that may fail authentication per second, sustained). */
  perSecond: number;
  /** Bucket size (a burst). */
  burst: number;
  /** One aggregated audit event per source per this many ms. */
  intervalMs: number;
  /** Sources tracked at once. */
  maxSources: number;
}

/** 20/s, bursts of 100, one aggregate per source and minute, 10 000 sources. */
export const DEFAULT_AUTH_FAILURE_LIMIT: AuthFailureLimitOptions = { perSecond: 20, burst: 100, intervalMs: 60_000, maxSources: 10_000 };

/** The requests of one source refused by the limit within one interval. */
export interface RefusedBatch {
  source: string;
  count: number;
  firstMs: number;
  lastMs: number;
}

/** The limiter of one gateway process. */
export interface AuthFailureLimiter {
  /** A request from `ip` failed authentication: undefined when it is within the limit, else the seconds until it would be (the request is counted into its source's batch). */
  take(ip: string | null, nowMs: number): { retryAfterSeconds: number } | undefined;
  /** Removes and returns the batches whose interval is over (every batch with `all`); forgets sources whose bucket is full again. */
  due(nowMs: number, all?: boolean): RefusedBatch[];
}

/** Sources that share a bucket past `maxSources`. */
export const OTHER_SOURCES = 'other sources';

/** The address a bucket is kept for: IPv4 as is (also IPv4-mapped IPv6), IPv6 by its /64. */
export function sourceKey(ip: string | null): string {
  if (ip === null || ip === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped !== null) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('%')[0]!.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const full = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${full
    .slice(0, 4)
    .map((h) => h.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

/** Creates a limiter; the clock is passed to each call. */
export function createAuthFailureLimiter(o: AuthFailureLimitOptions = DEFAULT_AUTH_FAILURE_LIMIT): AuthFailureLimiter {
  const buckets = new Map<string, Bucket>();
  // In the order they were opened, so the due ones are at the front.
  const batches = new Map<string, RefusedBatch>();
  const refill = (b: Bucket, nowMs: number): void => {
    b.tokens = Math.min(o.burst, b.tokens + (Math.max(0, nowMs - b.atMs) / 1000) * o.perSecond);
    b.atMs = Math.max(b.atMs, nowMs);
  };
  const forgetIdle = (nowMs: number): void => {
    for (const [k, b] of buckets) {
      refill(b, nowMs);
      if (b.tokens >= o.burst && !batches.has(k)) buckets.delete(k);
    }
  };
  return {
    take(ip, nowMs) {
      let key = sourceKey(ip);
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= o.maxSources) forgetIdle(nowMs);
        if (buckets.size >= o.maxSources) key = OTHER_SOURCES;
        bucket = buckets.get(key);
        if (bucket === undefined) buckets.set(key, (bucket = { tokens: o.burst, atMs: nowMs }));
      }
      refill(bucket, nowMs);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return undefined;
      }
      const batch = batches.get(key);
      if (batch === undefined) batches.set(key, { source: key, count: 1, firstMs: nowMs, lastMs: nowMs });
      else {
        batch.count++;
        batch.lastMs = nowMs;
      }
      return { retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / o.perSecond)) };
    },
    due(nowMs, all = false) {
      const out: RefusedBatch[] = [];
      for (const [k, b] of batches) {
        if (!all && nowMs - b.firstMs < o.intervalMs) break;
        batches.delete(k);
        out.push(b);
      }
      if (out.length > 0 || all) forgetIdle(nowMs);
      return out;
    },
  };
}
