/**
 * A closed-loop load generator: `concurrency` workers, each sending its next request as soon as
 * the previous answer was read to the end, over as many keep-alive connections. Throughput and
 * latency are measured at the client, after a warm-up that is not counted.
 */
import { originAndPrefix, poolFor, type Target } from './targets.js';
import { cpuMeter } from './cpu.js';
import { monoMs, quantile } from './stats.js';

/** Options of runLoad. */
export interface LoadOptions {
  path: string;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  /** Processes whose CPU time over the measured window is reported (per name). */
  cpuPids?: Record<string, number | undefined>;
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
  /** Latencies of the successful requests (ms), for merging runs. */
  latencies: number[];
  /** CPU ms of each `cpuPids` process over the measured window. */
  cpuMs: Record<string, number>;
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
        if (ok) {
          latencies.push(t1 - t0);
          bytes += n;
        } else errors++;
      }
    }
  }

  let cpu: Record<string, number> = {};
  const meter = new Promise<void>((resolve) => {
    setTimeout(() => {
      void cpuMeter(o.cpuPids ?? {}).then((m) =>
        setTimeout(
          () =>
            void m.stop().then((r) => {
              cpu = r;
              resolve();
            }),
          end - monoMs(),
        ),
      );
    }, measureFrom - monoMs());
  });
  await Promise.all(Array.from({ length: o.concurrency }, () => worker()));
  await meter;
  await pool.close();
  const ok = requests - errors;
  return {
    requests,
    errors,
    rps: ok / (o.durationMs / 1000),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    bytesPerResponse: ok === 0 ? 0 : bytes / ok,
    ...(firstError === undefined ? {} : { firstError }),
    latencies,
    cpuMs: cpu,
  };
}

/** Combines runs of the same load (e.g. rounds interleaved with other targets) into one result. */
export function mergeLoads(runs: LoadResult[], durationMs: number): LoadResult {
  const latencies = runs.flatMap((r) => r.latencies);
  const requests = runs.reduce((s, r) => s + r.requests, 0);
  const errors = runs.reduce((s, r) => s + r.errors, 0);
  const ok = requests - errors;
  const cpuMs: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.cpuMs)) cpuMs[k] = (cpuMs[k] ?? 0) + v;
  const firstError = runs.find((r) => r.firstError !== undefined)?.firstError;
  return {
    requests,
    errors,
    rps: ok / (durationMs / 1000),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    bytesPerResponse: ok === 0 ? 0 : runs.reduce((s, r) => s + r.bytesPerResponse * (r.requests - r.errors), 0) / ok,
    ...(firstError === undefined ? {} : { firstError }),
    latencies,
    cpuMs,
  };
}
