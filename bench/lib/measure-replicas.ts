/**
 * 9. Replicas add capacity (issue 13): one gateway replica pinned to core 0 against two replicas on one PostgreSQL,
 * pinned to cores 0 and 1 (`taskset -c`), the same closed-loop load (GET of one Pod, total concurrency
 * `--concurrency`, split evenly over the replicas) from the bench process. The two setups alternate in rounds so a
 * busy machine's drift hits both. Opt-in: needs PostgreSQL (`scripts/with-postgres.sh npm run bench -- --only replicas`)
 * and `taskset`.
 *
 * On a 2-core machine the client, the upstream and PostgreSQL run on the same two cores as the replicas: the
 * second replica takes core 1 from them, so 2 cores can never show 2×. The figure says whether a second replica
 * adds capacity at all (the audit appends are not serialised across replicas per request) — quote it as such.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres-test-db.js';
import type { BenchOptions } from './args.js';
import { MAIN_CONNECTION } from './gateway-config.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { createSession, deviceLoginIdToken } from './identity.js';
import { mergeLoads, runLoad, type LoadResult } from './load.js';
import { smallPaths } from './measure-small.js';
import { row, type Row } from './report.js';
import type { Stack } from './stack.js';
import type { Target } from './targets.js';

const SECTION = '10. replicas on one PostgreSQL, each pinned to its own core';
/** The variable the replicas read their store URL from (kept out of the config file). */
const URL_ENV = 'HOOPCTL_BENCH_DATABASE_URL';

function skipped(why: string): Row[] {
  return [row({ id: 'replicas.skipped', section: SECTION, figure: '2 replicas vs 1: throughput', value: null, unit: 'req/s', note: `skipped: ${why}` })];
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The CPUs a process may run on, as the kernel says (checks that taskset took). */
async function allowedCpus(pid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '?';
}

/** One or two replicas under the same total load at once; throughput is the sum, latency over all requests. */
async function loadReplicas(targets: Target[], path: string, concurrency: number, durationMs: number, warmupMs: number, pids: number[]): Promise<LoadResult> {
  const share = Math.max(1, Math.round(concurrency / targets.length));
  const cpuPids = Object.fromEntries(pids.map((pid, i) => [`replica-${i}`, pid]));
  // The runs share one measured window, so the merged rate (all requests over that window) is their sum.
  const runs = await Promise.all(targets.map((t, i) => runLoad(t, { path, concurrency: share, durationMs, warmupMs, ...(i === 0 ? { cpuPids } : {}) })));
  return mergeLoads(runs, durationMs);
}

/** CPU µs per successful request, summed over the replicas that served the load. */
function cpuPerRequest(r: LoadResult): number {
  const ok = r.requests - r.errors;
  const ms = Object.values(r.cpuMs).reduce((s, v) => s + v, 0);
  return ok === 0 ? Number.NaN : (1000 * ms) / ok;
}

/** Runs the 1-replica vs 2-replica figures. */
export async function measureReplicas(stack: Stack, o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  if (cpus().length < 2) return skipped('needs at least 2 CPUs to pin two replicas to cores of their own');
  if (!hasTaskset()) return skipped('taskset (util-linux) is not on PATH');
  let db: TestDatabase;
  try {
    db = await createTestDatabase();
  } catch (e) {
    return skipped(`needs PostgreSQL: run scripts/with-postgres.sh npm run bench -- --only replicas (${(e as Error).message})`);
  }
  const replicas: GatewayProcess[] = [];
  try {
    const env = { ...stack.gatewayEnv, [URL_ENV]: db.url };
    for (const [i, core] of ['0', '1'].entries()) {
      const config = { ...stack.gatewayConfig(`replica-${i}`), store: { postgres: { urlEnv: URL_ENV } } };
      // One after the other: the first creates the schema, the signing key and the session issuer the second adopts.
      replicas.push(await startGatewayProcess({ dir: stack.dir, name: `replica-${i}`, config, env, cpus: core }));
    }
    const pinned = await Promise.all(replicas.map(async (r) => allowedCpus(r.pid)));
    log(`  replicas: ${replicas.map((r, i) => `${r.url} (pid ${r.pid}, cpus ${pinned[i]})`).join(', ')}; PostgreSQL ${new URL(db.url).host}`);
    // One session, issued by replica 0 and accepted by both (they share keys and issuer through the store).
    const session = await createSession(replicas[0]!.url, await deviceLoginIdToken(replicas[0]!.url), MAIN_CONNECTION);
    const target = (r: GatewayProcess, i: number): Target => ({
      name: 'gateway',
      label: `replica ${i}`,
      base: `${r.url}/k8s/${MAIN_CONNECTION}`,
      headers: { authorization: `Bearer ${session.token}` },
    });
    const targets = replicas.map(target);
    const get = (await smallPaths(stack, o))[0]!;

    const rounds = o.quick ? 1 : 2;
    const one: LoadResult[] = [];
    const two: LoadResult[] = [];
    for (let round = 0; round < rounds; round++) {
      const warmupMs = round === 0 ? Math.min(1000, o.durationMs / 4) : 200;
      one.push(await loadReplicas(targets.slice(0, 1), get.path, o.concurrency, o.durationMs / rounds, warmupMs, [replicas[0]!.pid]));
      two.push(
        await loadReplicas(
          targets,
          get.path,
          o.concurrency,
          o.durationMs / rounds,
          warmupMs,
          replicas.map((r) => r.pid),
        ),
      );
    }
    const single = mergeLoads(one, o.durationMs);
    const pair = mergeLoads(two, o.durationMs);
    for (const [what, r] of [
      ['1 replica', single],
      ['2 replicas', pair],
    ] as const) {
      log(
        `  ${what}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms${r.errors > 0 ? `, ${r.errors} errors (${r.firstError})` : ''}`,
      );
    }
    const errors = (r: LoadResult): { note?: string } => (r.errors > 0 ? { note: `${r.errors} failed requests (${r.firstError ?? '?'})` } : {});
    const shared = `${cpus().length} cores: the load generator (this process), the upstream and PostgreSQL share them with the replicas, so the second replica takes core 1 from them; 2× is out of reach here`;
    const base = { label: '1 replica', value: single.rps };
    return [
      row({
        id: 'replicas.one.rps',
        section: SECTION,
        figure: `${get.what}: 1 replica (cpus ${pinned[0]}) throughput`,
        value: single.rps,
        unit: 'req/s',
        ...errors(single),
      }),
      row({
        id: 'replicas.two.rps',
        section: SECTION,
        figure: `${get.what}: 2 replicas (cpus ${pinned.join(' / ')}) throughput`,
        value: pair.rps,
        unit: 'req/s',
        baseline: base,
        target: '> 1× 1 replica',
        met: pair.rps > single.rps,
        note: `ratio 2/1 = ${(pair.rps / single.rps).toFixed(2)}; ${shared}${pair.errors > 0 ? `; ${pair.errors} failed requests (${pair.firstError ?? '?'})` : ''}`,
      }),
      row({ id: 'replicas.one.p50', section: SECTION, figure: `${get.what}: 1 replica p50`, value: single.p50Ms, unit: 'ms' }),
      row({
        id: 'replicas.two.p50',
        section: SECTION,
        figure: `${get.what}: 2 replicas p50`,
        value: pair.p50Ms,
        unit: 'ms',
        baseline: { label: '1 replica', value: single.p50Ms },
      }),
      row({ id: 'replicas.one.cpu', section: SECTION, figure: `${get.what}: gateway CPU per request, 1 replica`, value: cpuPerRequest(single), unit: 'µs' }),
      row({
        id: 'replicas.two.cpu',
        section: SECTION,
        figure: `${get.what}: gateway CPU per request, 2 replicas (both)`,
        value: cpuPerRequest(pair),
        unit: 'µs',
        baseline: { label: '1 replica', value: cpuPerRequest(single) },
      }),
    ];
  } finally {
    for (const r of replicas) await r.close().catch(() => undefined);
    await db.drop().catch(() => undefined);
  }
}
