/**
 * A closed-loop load generator: `concurrency` workers, each sending its next request as soon as
 * the previous answer was read to the end, over as many keep-alive connections. Throughput and
 * latency are measured at the client, after a warm-up that is not counted.
 */
import { originAndPrefix, poolFor, type Target } from './targets.js';
import { monoMs, quantile } from './stats.js';

/** Options of runLoad. */
export interface LoadOptions {
  path: string;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

/** What one load run measured. */
export interface LoadResult {
  requests: number;
  errors: number;
  /** Requests per second over the measured window. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  bytesPerResponse: number;
  /** First non-2xx status or error, to say why a run failed. */
  firstError?: string;
}

/** Runs the load against `target` and reports what was measured after the warm-up. */
export async function runLoad(target: Target, o: LoadOptions): Promise<LoadResult> {
  const pool = poolFor(target, o.concurrency);
  const path = `${originAndPrefix(target).prefix}${o.path}`;
  const headers = { accept: 'application/json', ...target.headers };
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  let bytes = 0;
  let firstError: string | undefined;
  const start = monoMs();
  const measureFrom = start + o.warmupMs;
  const end = measureFrom + o.durationMs;

  async function worker(): Promise<void> {
    for (;;) {
      const t0 = monoMs();
      if (t0 >= end) return;
      let ok = false;
      let n = 0;
      try {
        const r = await pool.request({ path, method: 'GET', headers });
        for await (const chunk of r.body as AsyncIterable<Buffer>) n += chunk.length;
        ok = r.statusCode >= 200 && r.statusCode < 300;
        if (!ok) firstError ??= `HTTP ${r.statusCode}`;
      } catch (e) {
        firstError ??= (e as Error).message;
      }
      const t1 = monoMs();
      if (t0 >= measureFrom && t1 <= end) {
        requests++;
        if (ok) { latencies.push(t1 - t0); bytes += n; } else errors++;
      }
    }
  }

  await Promise.all(Array.from({ length: o.concurrency }, () => worker()));
  await pool.close();
  const ok = requests - errors;
  return {
    requests, errors, rps: ok / (o.durationMs / 1000), p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99),
    bytesPerResponse: ok === 0 ? 0 : bytes / ok, ...(firstError === undefined ? {} : { firstError }),
  };
}
