/**
 * 1. Small requests: GET of one Pod and LIST of 50 Pods at a fixed concurrency, direct, through
 * `kubectl proxy`, through the gateway alone and through the full chain (policy and audit on;
 * masking not yet, see README).
 */
import type { BenchOptions } from './args.js';
import { runLoad, type LoadResult } from './load.js';
import { row, type Row } from './report.js';
import type { Stack } from './stack.js';
import { originAndPrefix, poolFor, type TargetName } from './targets.js';

/** Namespace holding the 50 seeded Pods. */
export const SMALL_NAMESPACE = 'bench-small';
const ORDER: TargetName[] = ['direct', 'kubectl-proxy', 'gateway', 'chain'];

async function paths(stack: Stack, o: BenchOptions, seed = true): Promise<{ key: string; what: string; path: string }[]> {
  if (stack.upstream.simulated) {
    if (seed) await stack.upstream.call({ op: 'seedPods', namespace: SMALL_NAMESPACE, count: 50 });
    return [
      { key: 'get', what: 'GET 1 pod', path: `/api/v1/namespaces/${SMALL_NAMESPACE}/pods/web-000` },
      { key: 'list', what: 'LIST 50 pods', path: `/api/v1/namespaces/${SMALL_NAMESPACE}/pods` },
    ];
  }
  // A real cluster is not seeded: list what the namespace has, get its first pod.
  const d = stack.targets.direct;
  const pool = poolFor(d, 1);
  const r = await pool.request({ path: `${originAndPrefix(d).prefix}/api/v1/namespaces/${o.namespace}/pods?limit=1`, method: 'GET', headers: d.headers });
  const first = ((await r.body.json()) as { items?: { metadata: { name: string } }[] }).items?.[0]?.metadata.name;
  await pool.close();
  return [
    ...(first === undefined ? [] : [{ key: 'get', what: 'GET 1 pod', path: `/api/v1/namespaces/${o.namespace}/pods/${first}` }]),
    { key: 'list', what: `LIST pods of ${o.namespace}`, path: `/api/v1/namespaces/${o.namespace}/pods` },
  ];
}

/** Runs the small-request figures. */
export async function measureSmall(stack: Stack, o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const section = `1. small requests, concurrency ${o.concurrency}`;
  for (const p of await paths(stack, o)) {
    const res = {} as Record<TargetName, LoadResult>;
    for (const name of ORDER) {
      res[name] = await runLoad(stack.targets[name], { path: p.path, concurrency: o.concurrency, durationMs: o.durationMs, warmupMs: Math.min(1000, o.durationMs / 2) });
      const r = res[name];
      log(`  ${p.what} ${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms${r.errors > 0 ? `, ${r.errors} errors (${r.firstError})` : ''}`);
    }
    const direct = res.direct;
    for (const name of ORDER) {
      const r = res[name];
      const note = r.errors > 0 ? `${r.errors} failed requests (${r.firstError ?? '?'})` : undefined;
      const base = name === 'direct' ? undefined : { label: 'direct', value: direct.rps };
      rows.push(row({
        id: `small.${p.key}.${name}.rps`, section, figure: `${p.what}: ${name} throughput`, value: r.rps, unit: 'req/s',
        ...(base === undefined ? {} : { baseline: base }), ...(note === undefined ? {} : { note }),
      }));
      if (name === 'chain') {
        const kp = res['kubectl-proxy'];
        rows.push(row({
          id: `small.${p.key}.chain.rps-vs-kubectl-proxy`, section, figure: `${p.what}: chain throughput vs kubectl proxy`, value: r.rps, unit: 'req/s',
          baseline: { label: 'kubectl proxy', value: kp.rps }, target: '≥ 1× kubectl proxy', met: r.rps >= kp.rps,
        }));
      }
      rows.push(row({
        id: `small.${p.key}.${name}.p50`, section, figure: `${p.what}: ${name} p50`, value: r.p50Ms, unit: 'ms',
        ...(name === 'direct' ? {} : { baseline: { label: 'direct', value: direct.p50Ms } }),
      }));
      rows.push(row({
        id: `small.${p.key}.${name}.p99`, section, figure: `${p.what}: ${name} p99`, value: r.p99Ms, unit: 'ms',
        ...(name === 'direct' ? {} : { baseline: { label: 'direct', value: direct.p99Ms } }),
      }));
    }
    const added = res.chain.p50Ms - direct.p50Ms;
    rows.push(row({
      id: `small.${p.key}.chain.added-p50`, section, figure: `${p.what}: chain added median latency (loaded)`, value: added, unit: 'ms',
      target: '≤ 1 ms over direct', met: added <= 1,
      note: `at concurrency ${o.concurrency} this includes queueing behind the chain's lower throughput; 1b has the unloaded figure`,
    }));
  }
  rows.push(...(await measureUnloaded(stack, o, (await paths(stack, o, false))[0]!, log)));
  return rows;
}

/** Added latency without queueing: one request at a time (concurrency 1), GET of one pod. */
async function measureUnloaded(stack: Stack, o: BenchOptions, p: { key: string; what: string; path: string }, log: (l: string) => void): Promise<Row[]> {
  const section = '1b. added latency, concurrency 1 (no queueing)';
  const res = {} as Record<TargetName, LoadResult>;
  for (const name of ORDER) {
    res[name] = await runLoad(stack.targets[name], { path: p.path, concurrency: 1, durationMs: o.durationMs / 2, warmupMs: 300 });
    log(`  ${p.what} c=1 ${name}: p50 ${res[name].p50Ms.toFixed(3)} ms, p99 ${res[name].p99Ms.toFixed(3)} ms`);
  }
  const rows: Row[] = [];
  for (const name of ORDER) {
    rows.push(row({
      id: `latency.${p.key}.${name}.p50`, section, figure: `${p.what}: ${name} p50`, value: res[name].p50Ms, unit: 'ms',
      ...(name === 'direct' ? {} : { baseline: { label: 'direct', value: res.direct.p50Ms } }),
    }));
  }
  for (const name of ['gateway', 'chain'] as const) {
    const added = res[name].p50Ms - res.direct.p50Ms;
    rows.push(row({
      id: `latency.${p.key}.${name}.added-p50`, section, figure: `${p.what}: ${name} added median latency`, value: added, unit: 'ms',
      ...(name === 'chain' ? { target: '≤ 1 ms over direct', met: added <= 1 } : {}),
    }));
  }
  return rows;
}
