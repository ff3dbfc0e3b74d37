/**
 * 1. Small requests: GET of one Pod and LIST of 50 Pods at a fixed concurrency, direct, through
 * `kubectl proxy`, through the gateway alone and through the full chain (policy and audit on;
 * masking not yet, see README). Targets run in interleaved rounds so a busy machine's drift
 * spreads over all of them, and each hop's CPU time per request is read from /proc.
 */
import type { BenchOptions } from './args.js';
import { mergeLoads, runLoad, type LoadResult } from './load.js';
import { row, type Row } from './report.js';
import type { Stack } from './stack.js';
import { originAndPrefix, poolFor, type TargetName } from './targets.js';

/** Namespace holding the 50 seeded Pods. */
export const SMALL_NAMESPACE = 'bench-small';
const ORDER: TargetName[] = ['direct', 'kubectl-proxy', 'gateway', 'chain'];

interface Probe {
  key: string;
  what: string;
  path: string;
}

/** The GET and LIST paths: seeded on the simulated upstream, whatever is there on a real cluster. */
export async function smallPaths(stack: Stack, o: BenchOptions): Promise<Probe[]> {
  if (stack.upstream.simulated) {
    await stack.upstream.call({ op: 'seedPods', namespace: SMALL_NAMESPACE, count: 50 });
    return [
      { key: 'get', what: 'GET 1 pod', path: `/api/v1/namespaces/${SMALL_NAMESPACE}/pods/web-000` },
      { key: 'list', what: 'LIST 50 pods', path: `/api/v1/namespaces/${SMALL_NAMESPACE}/pods` },
    ];
  }
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

/** Runs every target on `path` in `rounds` interleaved rounds and merges each target's runs. */
async function interleaved(stack: Stack, path: string, concurrency: number, durationMs: number, rounds: number): Promise<Record<TargetName, LoadResult>> {
  const runs = Object.fromEntries(ORDER.map((n) => [n, [] as LoadResult[]])) as Record<TargetName, LoadResult[]>;
  const cpuPids = { upstream: stack.upstream.pid, 'kubectl-proxy': stack.kubectlProxy.pid, gateway: stack.gateway.pid, 'local-proxy': stack.chain.pid };
  for (let round = 0; round < rounds; round++) {
    for (const name of ORDER) {
      runs[name].push(
        await runLoad(stack.targets[name], {
          path,
          concurrency,
          durationMs: durationMs / rounds,
          warmupMs: round === 0 ? Math.min(1000, durationMs / 4) : 200,
          cpuPids,
        }),
      );
    }
  }
  return Object.fromEntries(ORDER.map((n) => [n, mergeLoads(runs[n], durationMs)])) as Record<TargetName, LoadResult>;
}

/** CPU µs per successful request of one process during a target's runs. */
function cpuPerRequest(r: LoadResult, process: string): number {
  const ok = r.requests - r.errors;
  return ok === 0 ? Number.NaN : (1000 * (r.cpuMs[process] ?? Number.NaN)) / ok;
}

function loadRows(section: string, p: Probe, res: Record<TargetName, LoadResult>, loaded: boolean): Row[] {
  const rows: Row[] = [];
  const direct = res.direct;
  for (const name of ORDER) {
    const r = res[name];
    const vsDirect = (v: number): { baseline?: { label: string; value: number } } => (name === 'direct' ? {} : { baseline: { label: 'direct', value: v } });
    const note = r.errors > 0 ? { note: `${r.errors} failed requests (${r.firstError ?? '?'})` } : {};
    if (loaded) {
      rows.push(
        row({
          id: `small.${p.key}.${name}.rps`,
          section,
          figure: `${p.what}: ${name} throughput`,
          value: r.rps,
          unit: 'req/s',
          ...vsDirect(direct.rps),
          ...note,
        }),
      );
      if (name === 'chain') {
        const kp = res['kubectl-proxy'];
        rows.push(
          row({
            id: `small.${p.key}.chain.rps-vs-kubectl-proxy`,
            section,
            figure: `${p.what}: chain throughput vs kubectl proxy`,
            value: r.rps,
            unit: 'req/s',
            baseline: { label: 'kubectl proxy', value: kp.rps },
            target: '≥ 1× kubectl proxy',
            met: r.rps >= kp.rps,
          }),
        );
      }
    }
    rows.push(
      row({
        id: `${loaded ? 'small' : 'latency'}.${p.key}.${name}.p50`,
        section,
        figure: `${p.what}: ${name} p50`,
        value: r.p50Ms,
        unit: 'ms',
        ...vsDirect(direct.p50Ms),
      }),
    );
    if (loaded)
      rows.push(row({ id: `small.${p.key}.${name}.p99`, section, figure: `${p.what}: ${name} p99`, value: r.p99Ms, unit: 'ms', ...vsDirect(direct.p99Ms) }));
  }
  const added = res.chain.p50Ms - direct.p50Ms;
  rows.push(
    row({
      id: `${loaded ? 'small' : 'latency'}.${p.key}.chain.added-p50`,
      section,
      figure: `${p.what}: chain added median latency${loaded ? ' (loaded)' : ''}`,
      value: added,
      unit: 'ms',
      target: '≤ 1 ms over direct',
      met: added <= 1,
      ...(loaded ? { note: "at this concurrency it includes queueing behind the chain's lower throughput; section 1b has the unloaded figure" } : {}),
    }),
  );
  if (!loaded) {
    rows.push(
      row({
        id: `latency.${p.key}.gateway.added-p50`,
        section,
        figure: `${p.what}: gateway added median latency`,
        value: res.gateway.p50Ms - direct.p50Ms,
        unit: 'ms',
      }),
    );
    return rows;
  }
  // The work each hop does per request, against the upstream's own work answering it.
  const up = { label: 'upstream CPU/req', value: cpuPerRequest(direct, 'upstream') };
  rows.push(
    row({
      id: `small.${p.key}.upstream.cpu`,
      section,
      figure: `${p.what}: upstream CPU per request`,
      value: Number.isNaN(up.value) ? null : up.value,
      unit: 'µs',
      ...(Number.isNaN(up.value) ? { note: 'not measured: the upstream is not a local process' } : {}),
    }),
  );
  rows.push(
    row({
      id: `small.${p.key}.kubectl-proxy.cpu`,
      section,
      figure: `${p.what}: kubectl proxy CPU per request`,
      value: cpuPerRequest(res['kubectl-proxy'], 'kubectl-proxy'),
      unit: 'µs',
      baseline: up,
    }),
  );
  rows.push(
    row({
      id: `small.${p.key}.gateway.cpu`,
      section,
      figure: `${p.what}: gateway CPU per request`,
      value: cpuPerRequest(res.gateway, 'gateway'),
      unit: 'µs',
      baseline: up,
    }),
  );
  rows.push(
    row({
      id: `small.${p.key}.local-proxy.cpu`,
      section,
      figure: `${p.what}: local proxy CPU per request`,
      value: cpuPerRequest(res.chain, 'local-proxy'),
      unit: 'µs',
      baseline: up,
    }),
  );
  return rows;
}

/** Runs the small-request figures. */
export async function measureSmall(stack: Stack, o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const rounds = o.quick ? 1 : 2;
  const probes = await smallPaths(stack, o);
  const rows: Row[] = [];
  for (const p of probes) {
    const res = await interleaved(stack, p.path, o.concurrency, o.durationMs, rounds);
    for (const name of ORDER) {
      const r = res[name];
      log(
        `  ${p.what} ${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms${r.errors > 0 ? `, ${r.errors} errors (${r.firstError})` : ''}`,
      );
    }
    rows.push(...loadRows(`1. small requests, concurrency ${o.concurrency}`, p, res, true));
  }
  // Added latency without queueing: one request at a time.
  const get = probes[0]!;
  const res = await interleaved(stack, get.path, 1, o.durationMs / 2, rounds);
  for (const name of ORDER) log(`  ${get.what} c=1 ${name}: p50 ${res[name].p50Ms.toFixed(3)} ms`);
  rows.push(...loadRows('1b. added latency, concurrency 1 (no queueing)', get, res, false));
  return rows;
}
