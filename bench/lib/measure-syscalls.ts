/**
 * Syscalls per request of each hop (`strace -c -f -p <pid>` around N sequential GETs of one pod).
 * Opt-in (`--only syscalls`): on a VM every socket write and SQLite commit costs far more than on
 * bare metal, and these counts say where a hop's CPU goes better than wall time on a busy machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchOptions } from './args.js';
import { smallPaths } from './measure-small.js';
import { row, type Row } from './report.js';
import type { Stack } from './stack.js';
import { sleep } from './stats.js';
import { originAndPrefix, poolFor, type Target } from './targets.js';

const N = 300;

async function straced(stack: Stack, pids: Record<string, number | undefined>, target: Target, path: string): Promise<Record<string, Map<string, number>>> {
  const watched = Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined);
  const pool = poolFor(target, 1);
  const send = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++)
      await (await pool.request({ path: `${originAndPrefix(target).prefix}${path}`, method: 'GET', headers: target.headers })).body.dump();
  };
  await send(50);
  const tracers = watched.map(([name, pid]) => ({
    name,
    file: join(stack.dir, `strace-${name}-${target.name}.txt`),
    child: spawn('strace', ['-c', '-f', '-p', String(pid), '-o', join(stack.dir, `strace-${name}-${target.name}.txt`)], { stdio: 'ignore' }),
  }));
  await sleep(1000);
  await send(N);
  await pool.close();
  await Promise.all(
    tracers.map(
      (t) =>
        new Promise((r) => {
          t.child.once('exit', r);
          t.child.kill('SIGINT');
        }),
    ),
  );
  const out: Record<string, Map<string, number>> = {};
  for (const t of tracers) {
    const counts = new Map<string, number>();
    for (const line of (await readFile(t.file, 'utf8')).split('\n')) {
      const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)\s*$/.exec(line);
      if (m && m[2] !== 'total') counts.set(m[2]!, Number(m[1]) / N);
    }
    out[t.name] = counts;
  }
  return out;
}

function describe(c: Map<string, number>): { total: number; note: string } {
  const total = [...c.values()].reduce((s, v) => s + v, 0);
  const top = [...c]
    .sort((a, b) => b[1] - a[1])
    .filter(([, v]) => v >= 0.5)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ');
  return { total, note: top };
}

/** Runs the syscall figures. */
export async function measureSyscalls(stack: Stack, o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const section = `7. syscalls per request (strace, ${N} sequential GETs)`;
  if (o.profile)
    return [
      row({
        id: 'syscalls.skipped',
        section,
        figure: 'syscalls',
        value: null,
        unit: '',
        note: 'skipped: --profile makes the profiler signal every process (tgkill, rt_sigprocmask) and inflates the counts',
      }),
    ];
  if (spawnSync('strace', ['-V']).status !== 0)
    return [row({ id: 'syscalls.skipped', section, figure: 'syscalls', value: null, unit: '', note: 'skipped: strace is not installed' })];
  const get = (await smallPaths(stack, o))[0]!;
  const chain = await straced(
    stack,
    { upstream: stack.upstream.pid, gateway: stack.gateway.pid, 'local-proxy': stack.chain.pid },
    stack.targets.chain,
    get.path,
  );
  const kp = await straced(stack, { 'kubectl-proxy': stack.kubectlProxy.pid }, stack.targets['kubectl-proxy'], get.path);
  const up = describe(chain.upstream ?? new Map());
  const rows: Row[] = [row({ id: 'syscalls.upstream', section, figure: 'upstream', value: up.total, unit: '', note: up.note })];
  for (const [name, c] of [
    ['kubectl-proxy', kp['kubectl-proxy']],
    ['gateway', chain.gateway],
    ['local-proxy', chain['local-proxy']],
  ] as const) {
    const d = describe(c ?? new Map());
    log(`  ${name}: ${d.total.toFixed(1)} syscalls/request (${d.note})`);
    rows.push(row({ id: `syscalls.${name}`, section, figure: name, value: d.total, unit: '', baseline: { label: 'upstream', value: up.total }, note: d.note }));
  }
  return rows;
}
