/**
 * 3. Watch streaming. A watch on ConfigMaps is held through each target while the upstream
 * applies changes in its own process, stamping every object with the monotonic clock at apply().
 * Burst: N changes as fast as the upstream can apply them; events/s = N / (last receipt − first
 * emit). Paced: one change every 2 ms (no queueing); latency = receipt − emit per event.
 */
import type { BenchOptions } from './args.js';
import { row, type Row } from './report.js';
import type { Stack } from './stack.js';
import { quantile, sleep } from './stats.js';
import type { TargetName } from './targets.js';
import { openWatch, type HeldWatch } from './watch-client.js';

const ORDER: TargetName[] = ['direct', 'kubectl-proxy', 'gateway', 'chain'];

interface WatchResult {
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Waits for `n` events, or fails after `ms` saying how many came. */
async function expect(w: HeldWatch, n: number, ms: number, what: string): Promise<number> {
  const t = await Promise.race([w.until(n), sleep(ms).then(() => Number.NaN)]);
  if (Number.isNaN(t)) throw new Error(`${what}: ${w.events()} of ${n} events arrived within ${ms / 1000} s`);
  return t;
}

async function watchThrough(stack: Stack, name: TargetName, burst: number, paced: number): Promise<WatchResult> {
  const namespace = `bench-watch-${name}`;
  await stack.upstream.call({ op: 'namespace', name: namespace });
  const w = await openWatch(stack.targets[name], `/api/v1/namespaces/${namespace}/configmaps?watch=true`);
  try {
    if (w.status !== 200) throw new Error(`watch via ${name} → HTTP ${w.status}`);
    // The simulated controllers add kube-root-ca.crt to a new namespace: let it arrive before counting.
    await sleep(300);
    const base = w.events();
    const done = expect(w, base + burst, 60_000, `burst via ${name}`);
    await stack.upstream.call({ op: 'emit', namespace, count: burst, intervalMs: 0, names: 200 });
    const last = await done;
    const first = w.firstEmitMs() ?? Number.NaN;
    const eventsPerSecond = burst / ((last - first) / 1000);
    const latencies = w.collectLatency();
    const pacedDone = expect(w, base + burst + paced, 30_000, `paced events via ${name}`);
    await stack.upstream.call({ op: 'emit', namespace, count: paced, intervalMs: 2, names: 200 });
    await pacedDone;
    return { eventsPerSecond, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) };
  } finally {
    await w.close();
  }
}

/** Runs the watch figures. */
export async function measureWatch(stack: Stack, o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const section = '3. watch streaming';
  if (!stack.upstream.simulated) {
    return [
      row({
        id: 'watch.skipped',
        section,
        figure: 'watch events',
        value: null,
        unit: 'events/s',
        note: 'skipped: needs the simulated upstream (drives apply())',
      }),
    ];
  }
  const burst = o.quick ? 10_000 : 30_000;
  const paced = o.quick ? 300 : 800;
  const res = {} as Record<TargetName, WatchResult>;
  const failed: Partial<Record<TargetName, string>> = {};
  for (const name of ORDER) {
    try {
      res[name] = await watchThrough(stack, name, burst, paced);
      log(`  ${name}: ${res[name].eventsPerSecond.toFixed(0)} events/s; latency p50 ${res[name].p50Ms.toFixed(3)} ms, p99 ${res[name].p99Ms.toFixed(3)} ms`);
    } catch (e) {
      failed[name] = `failed: ${(e as Error).message}`;
      res[name] = { eventsPerSecond: Number.NaN, p50Ms: Number.NaN, p99Ms: Number.NaN };
      log(`  ${name}: ${failed[name]}`);
    }
  }
  const d = res.direct;
  const rows: Row[] = [];
  for (const name of ORDER) {
    const r = res[name];
    rows.push(
      row({
        id: `watch.${name}.events-per-s`,
        section,
        figure: `${name}: events/s (burst of ${burst})`,
        value: failed[name] === undefined ? r.eventsPerSecond : null,
        unit: 'ev/s',
        ...(name === 'direct' ? {} : { baseline: { label: 'direct', value: d.eventsPerSecond } }),
        ...(name === 'chain' ? { target: '≥ 20000 ev/s', ...(failed[name] === undefined ? { met: r.eventsPerSecond >= 20_000 } : {}) } : {}),
        ...(failed[name] === undefined ? {} : { note: failed[name] }),
      }),
    );
  }
  for (const name of ORDER) {
    const r = res[name];
    rows.push(
      row({
        id: `watch.${name}.latency-p50`,
        section,
        figure: `${name}: emit→receipt p50 (paced)`,
        value: failed[name] === undefined ? r.p50Ms : null,
        unit: 'ms',
        ...(name === 'direct' ? {} : { baseline: { label: 'direct', value: d.p50Ms } }),
      }),
    );
    rows.push(
      row({
        id: `watch.${name}.latency-p99`,
        section,
        figure: `${name}: emit→receipt p99 (paced)`,
        value: failed[name] === undefined ? r.p99Ms : null,
        unit: 'ms',
        ...(name === 'direct' ? {} : { baseline: { label: 'direct', value: d.p99Ms } }),
      }),
    );
  }
  rows.push(
    row({
      id: 'watch.chain.added-latency',
      section,
      figure: 'chain: added latency per event (p50)',
      value: res.chain.p50Ms - d.p50Ms,
      unit: 'ms',
    }),
  );
  return rows;
}
