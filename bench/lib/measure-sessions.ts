/**
 * 9. Many sessions: N local sessions (real `hoopctl connect --print-env` daemons, one local proxy
 * each) through one gateway, as a team of developers and agents would use it. Reports the memory
 * each session costs (the gateway's RSS growth per session, and each local proxy's own RSS) and the
 * throughput of N sessions each sending GETs one at a time, against the same total concurrency
 * through a single session and through `kubectl proxy`.
 */
import type { BenchOptions } from './args.js';
import { connectInBackground, type ChainSession } from './chain-session.js';
import { MAIN_CONNECTION } from './gateway-config.js';
import { mergeLoads, runLoad, type LoadResult } from './load.js';
import { readMemory } from './memory.js';
import { row, type Row } from './report.js';
import type { Stack } from './stack.js';
import { median } from './stats.js';
import { SMALL_NAMESPACE } from './measure-small.js';

const MIB = 1024 * 1024;
// Sessions opened at once: each `connect` is a CLI process and a daemon; more at once only queues on 2 cores.
const OPEN_BATCH = 5;

async function openSessions(stack: Stack, n: number, log: (l: string) => void): Promise<ChainSession[]> {
  const out: ChainSession[] = [];
  while (out.length < n) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(OPEN_BATCH, n - out.length) }, () => connectInBackground(stack.home, MAIN_CONNECTION, stack.connectNodeArgs)),
    );
    for (const s of batch) stack.trackDaemon(s.pid);
    out.push(...batch);
    if (out.length % 10 === 0) log(`  ${out.length}/${n} sessions open`);
  }
  return out;
}

async function settle(pid: number): Promise<number> {
  // Let timers and the first GC after the burst of work run before reading RSS.
  await new Promise((r) => setTimeout(r, 1500));
  return (await readMemory(pid)).rss;
}

/** Runs the many-sessions figures. */
export async function measureSessions(stack: Stack, o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const section = '9. many sessions through one gateway';
  const n = o.quick ? 20 : 50;
  const path = stack.upstream.simulated ? `/api/v1/namespaces/${SMALL_NAMESPACE}/pods/web-000` : `/api/v1/namespaces/${o.namespace}/pods?limit=1`;
  if (stack.upstream.simulated) await stack.upstream.call({ op: 'seedPods', namespace: SMALL_NAMESPACE, count: 50 });
  const durationMs = o.quick ? Math.min(o.durationMs, 2000) : o.durationMs;

  const gatewayBefore = await settle(stack.gateway.pid);
  const sessions = await openSessions(stack, n, log);
  // Warm every session (its keep-alive connection to the gateway, the gateway's token cache).
  await Promise.all(sessions.map((s) => runLoad(s.target, { path, concurrency: 1, durationMs: 200, warmupMs: 0 })));
  const gatewayAfter = await settle(stack.gateway.pid);
  const proxyRss = await Promise.all(sessions.map(async (s) => (await readMemory(s.pid)).rss));

  const many = mergeLoads(
    await Promise.all(
      sessions.map((s, i) =>
        runLoad(s.target, {
          path,
          concurrency: 1,
          durationMs,
          warmupMs: 500,
          ...(i === 0 ? { cpuPids: { gateway: stack.gateway.pid } } : {}),
        }),
      ),
    ),
    durationMs,
  );
  const one: LoadResult = await runLoad(stack.targets.chain, { path, concurrency: n, durationMs, warmupMs: 500, cpuPids: { gateway: stack.gateway.pid } });
  const kp: LoadResult = await runLoad(stack.targets['kubectl-proxy'], { path, concurrency: n, durationMs, warmupMs: 500 });
  const gatewayUnderLoad = (await readMemory(stack.gateway.pid)).rss;
  log(
    `  ${n} sessions: ${many.rps.toFixed(0)} req/s (${many.errors} errors${many.firstError === undefined ? '' : `: ${many.firstError}`}); one session at c=${n}: ${one.rps.toFixed(0)} req/s; kubectl proxy: ${kp.rps.toFixed(0)} req/s`,
  );

  const perSessionGateway = (gatewayAfter - gatewayBefore) / n;
  const cpuPerReq = (r: LoadResult): number => (1000 * (r.cpuMs.gateway ?? Number.NaN)) / Math.max(1, r.requests - r.errors);
  const note = many.errors > 0 ? { note: `${many.errors} failed requests (${many.firstError ?? '?'})` } : {};
  return [
    row({
      id: 'sessions.gateway-rss-per-session',
      section,
      figure: `gateway RSS growth per session (${n} sessions open, warmed)`,
      value: perSessionGateway / MIB,
      unit: 'MiB',
      note: `gateway RSS ${(gatewayBefore / MIB).toFixed(0)} → ${(gatewayAfter / MIB).toFixed(0)} MiB idle, ${(gatewayUnderLoad / MIB).toFixed(0)} MiB after load`,
    }),
    row({
      id: 'sessions.local-proxy-rss',
      section,
      figure: 'local proxy RSS per session (median; one daemon process each)',
      value: median(proxyRss) / MIB,
      unit: 'MiB',
    }),
    row({
      id: 'sessions.many.rps',
      section,
      figure: `${n} sessions × 1 GET at a time: throughput`,
      value: many.rps,
      unit: 'req/s',
      baseline: { label: `one session at c=${n}`, value: one.rps },
      ...note,
    }),
    row({
      id: 'sessions.many.rps-vs-kubectl-proxy',
      section,
      figure: `${n} sessions: throughput vs kubectl proxy at c=${n}`,
      value: many.rps,
      unit: 'req/s',
      baseline: { label: 'kubectl proxy', value: kp.rps },
    }),
    row({
      id: 'sessions.many.p99',
      section,
      figure: `${n} sessions: p99`,
      value: many.p99Ms,
      unit: 'ms',
      baseline: { label: `one session at c=${n}`, value: one.p99Ms },
    }),
    row({
      id: 'sessions.many.gateway-cpu',
      section,
      figure: `${n} sessions: gateway CPU per GET`,
      value: cpuPerReq(many),
      unit: 'µs',
      baseline: { label: `one session at c=${n}`, value: cpuPerReq(one) },
    }),
  ];
}
