/**
 * A watch held open through a target, reading newline-delimited events as kubectl does. It counts
 * events and, in latency mode, reads each event's emit stamp (EMIT_ANNOTATION) to compute the
 * delay from the upstream's apply() to this process's read.
 */
import type { Pool } from 'undici';
import { EMIT_ANNOTATION } from './upstream-protocol.js';
import { originAndPrefix, poolFor, type Target } from './targets.js';
import { monoMs } from './stats.js';

/** An open watch. */
export interface HeldWatch {
  /** HTTP status of the watch answer. */
  status: number;
  /** Events received so far. */
  events(): number;
  /** Resolves when `n` events have arrived, with the monotonic time of the arrival of the n-th. */
  until(n: number): Promise<number>;
  /** Starts collecting emit→receipt delays (ms) for every later event. */
  collectLatency(): number[];
  /** Monotonic ms of the first event's emit stamp (undefined before any event). */
  firstEmitMs(): number | undefined;
  /** Resolves with the monotonic ms at which the stream ended (closed by the server side or failed). */
  closed: Promise<number>;
  close(): Promise<void>;
}

const STAMP = new RegExp(`"${EMIT_ANNOTATION.replace(/[./]/g, (c) => `\\${c}`)}":"(\\d+)"`);
const NL = 0x0a;

/** Opens `GET <path>?watch=true` through `target` and resolves once the status line arrived. */
export async function openWatch(target: Target, path: string): Promise<HeldWatch> {
  const pool: Pool = poolFor(target, 1);
  const ac = new AbortController();
  const r = await pool.request({
    path: `${originAndPrefix(target).prefix}${path}`,
    method: 'GET',
    signal: ac.signal,
    headers: { accept: 'application/json', ...target.headers },
  });
  let count = 0;
  let firstEmit: number | undefined;
  let latencies: number[] | undefined;
  let partial = '';
  const waiters: { n: number; resolve(t: number): void }[] = [];
  let closedAt: (t: number) => void = () => undefined;
  const closed = new Promise<number>((res) => {
    closedAt = res;
  });

  const stampOf = (line: string): number | undefined => {
    const m = STAMP.exec(line);
    return m === null ? undefined : Number(BigInt(m[1]!)) / 1e6;
  };

  r.body.on('data', (chunk: Buffer) => {
    const now = monoMs();
    if (latencies === undefined && firstEmit !== undefined) {
      // Burst mode: count newlines only, the cheap way a throughput test should read.
      let i = -1;
      while ((i = chunk.indexOf(NL, i + 1)) !== -1) count++;
    } else {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        count++;
        const stamp = stampOf(line);
        if (stamp === undefined) continue;
        firstEmit ??= stamp;
        latencies?.push(now - stamp);
      }
    }
    for (let k = waiters.length - 1; k >= 0; k--) {
      if (count >= waiters[k]!.n) {
        waiters[k]!.resolve(now);
        waiters.splice(k, 1);
      }
    }
  });
  const end = (): void => closedAt(monoMs());
  r.body.once('end', end);
  r.body.once('error', end);
  r.body.once('close', end);

  return {
    status: r.statusCode,
    events: () => count,
    until: (n) =>
      new Promise<number>((resolve) => {
        if (count >= n) resolve(monoMs());
        else waiters.push({ n, resolve });
      }),
    // Called between bursts, when every event so far is complete: drop the fragment counted by newlines.
    collectLatency: () => {
      partial = '';
      latencies = [];
      return latencies;
    },
    firstEmitMs: () => firstEmit,
    closed,
    async close() {
      ac.abort();
      await pool.destroy().catch(() => undefined);
    },
  };
}
