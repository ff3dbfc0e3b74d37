/**
 * Delivers notifications without ever holding up the request that caused them: each message is
 * queued in memory and posted in the background, retried with exponential backoff, and a final
 * failure is logged (by the target's origin only: a Slack webhook URL is itself a secret).
 */
import type { NotificationTarget } from '../config.js';

/** One message for one target. */
export interface Notification {
  target: NotificationTarget;
  body: unknown;
}

/** The background sender. */
export interface Notifier {
  /** Queues the messages and returns at once. */
  send(messages: Notification[]): void;
  /** Resolves when the queue is empty (tests). */
  idle(): Promise<void>;
  /** Stops retrying; logs how many messages were dropped. */
  close(): void;
}

/** Options of createNotifier; fetch, timers and the backoff base are injectable for tests. */
export interface NotifierOptions {
  log: (line: string) => void;
  fetch?: typeof fetch;
  /** First retry delay; doubles per attempt (default 1000 ms). */
  backoffMs?: number;
  /** Attempts per message, the first included (default 6: about a minute of retries). */
  attempts?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Told of every failed attempt (`final`: no retry follows), for metrics. */
  onFailure?: (targetType: string, final: boolean) => void;
}

interface Job {
  message: Notification;
  attempt: number;
}

/** Creates the sender. */
export function createNotifier(o: NotifierOptions): Notifier {
  const doFetch = o.fetch ?? fetch;
  const backoff = o.backoffMs ?? 1000;
  const attempts = o.attempts ?? 6;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const inFlight = new Set<Job>();
  const timers = new Set<NodeJS.Timeout>();
  let idleWaiters: (() => void)[] = [];
  let closed = false;

  const settle = (job: Job): void => {
    inFlight.delete(job);
    if (inFlight.size === 0) {
      for (const w of idleWaiters) w();
      idleWaiters = [];
    }
  };

  async function post(job: Job): Promise<void> {
    const { target, body } = job.message;
    const where = new URL(target.url).origin;
    let problem: string;
    try {
      const res = await doFetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        settle(job);
        return;
      }
      problem = `HTTP ${res.status}`;
    } catch (e) {
      problem = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name ?? 'error';
    }
    if (closed) {
      settle(job);
      return;
    }
    o.onFailure?.(target.type, job.attempt >= attempts);
    if (job.attempt >= attempts) {
      o.log(`notification (${target.type}) to ${where} failed for good after ${job.attempt} attempts: ${problem}`);
      settle(job);
      return;
    }
    const delay = backoff * 2 ** (job.attempt - 1);
    o.log(`notification (${target.type}) to ${where} failed (attempt ${job.attempt}/${attempts}: ${problem}); retrying in ${delay} ms`);
    const t = setTimeout(() => {
      timers.delete(t);
      job.attempt += 1;
      void post(job);
    }, delay);
    t.unref();
    timers.add(t);
  }

  return {
    send(messages) {
      if (closed) return;
      for (const message of messages) {
        const job: Job = { message, attempt: 1 };
        inFlight.add(job);
        void post(job);
      }
    },
    idle: () => (inFlight.size === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve))),
    close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      if (inFlight.size > 0) o.log(`notifications: ${inFlight.size} message(s) not delivered (gateway stopping)`);
      inFlight.clear();
      for (const w of idleWaiters) w();
      idleWaiters = [];
    },
  };
}
