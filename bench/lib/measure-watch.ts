/**
 * 3. Watch streaming. A watch on ConfigMaps is held through each target while the upstream
 * applies changes in its own process, stamping every object with the monotonic clock at apply().
 * Burst: N changes as fast as the upstream can apply them; events/s = N / (last receipt − first
 * emit). Paced: one change every 2 ms (no queueing); latency = receipt − emit per event.
 */
import type { BenchOptions } from './args.js';
import { row, type Row } from './report.js';
import type { Stack } from './stack.js';
import { quantile } from './stats.js';
import type { TargetName } from './targets.js';
import { openWatch } from './watch-client.js';

const ORDER: TargetName[] = ['direct', 'kubectl-proxy', 'gateway', 'chain'];

interface WatchResult {
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function watchThrough(stack: Stack, name: TargetName, burst: number, paced: number): Promise<WatchResult> {
  const namespace = `bench-watch-${name}`;
  await stack.upstream.call({ op: 'namespace', name: namespace });
  const w = await openWatch(stack.targets[name], `/api/v1/namespaces/${namespace}/configmaps?watch=true`);
  try {
    if (w.status !== 200) throw new Error(`watch via ${name} → HTTP ${w.status}`);
    const done = w.until(burst);
    await stack.upstream.call({ op: 'emit', namespace, count: burst, intervalMs: 0, names: 200 });
    const last = await done;
    const first = w.firstEmitMs() ?? Number.NaN;
    const eventsPerSecond = burst / ((last - first) / 1000);
    const latencies = w.collectLatency();
    const pacedDone = w.until(burst + paced);
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
    return [row({ id: 'watch.skipped', section, figure: 'watch events', value: null, unit: 'events/s', note: 'skipped: needs the simulated upstream (drives apply())' })];
  }
  const burst = o.quick ? 10_000 : 30_000;
  const paced = o.quick ? 300 : 800;
  const res = {} as Record<TargetName, WatchResult>;
  for (const name of ORDER) {
    res[name] = await watchThrough(stack, name, burst, paced);
    log(`  ${name}: ${res[name].eventsPerSecond.toFixed(0)} events/s; latency p50 ${res[name].p50Ms.toFixed(3)} ms, p99 ${res[name].p99Ms.toFixed(3)} ms`);
  }
  const d = res.direct;
  const rows: Row[] = [];
  for (const name of ORDER) {
    const r = res[name];
    rows.push(row({
      id: `watch.${name}.events-per-s`, section, figure: `${name}: events/s (burst of ${burst})`, value: r.eventsPerSecond, unit: 'ev/s',
      ...(name === 'direct' ? {} : { baseline: { label: 'direct', value: d.eventsPerSecond } }),
      ...(name === 'chain' ? { target: '≥ 20000 ev/s', met: r.eventsPerSecond >= 20_000 } : {}),
    }));
  }
  for (const name of ORDER) {
    const r = res[name];
    rows.push(row({
      id: `watch.${name}.latency-p50`, section, figure: `${name}: emit→receipt p50 (paced)`, value: r.p50Ms, unit: 'ms',
      ...(name === 'direct' ? {} : { baseline: { label: 'direct', value: d.p50Ms } }),
    }));
    rows.push(row({
      id: `watch.${name}.latency-p99`, section, figure: `${name}: emit→receipt p99 (paced)`, value: r.p99Ms, unit: 'ms',
      ...(name === 'direct' ? {} : { baseline: { label: 'direct', value: d.p99Ms } }),
    }));
  }
  rows.push(row({
    id: 'watch.chain.added-latency', section, figure: 'chain: added latency per event (p50)', value: res.chain.p50Ms - d.p50Ms, unit: 'ms',
  }));
  return rows;
}
