/**
 * CPU time of processes (/proc/<pid>/stat utime + stime). CPU per request is the figure that
 * survives a busy machine: wall-clock throughput on 2 shared cores moves with whatever else runs,
 * the work each hop does per request hardly does.
 */
import { readFile } from 'node:fs/promises';

const TICK_MS = 10; // USER_HZ is 100 on every Linux the bench targets

/** User + system CPU milliseconds consumed so far by `pid`. */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: split after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** CPU ms used by each named process between start() and stop(). */
export async function cpuMeter(pids: Record<string, number | undefined>): Promise<{ stop(): Promise<Record<string, number>> }> {
  const named = Object.entries(pids).filter((e): e is [string, number] => e[1] !== undefined && e[1] > 0);
  const before = await Promise.all(named.map(([, pid]) => cpuMs(pid).catch(() => Number.NaN)));
  return {
    async stop() {
      const after = await Promise.all(named.map(([, pid]) => cpuMs(pid).catch(() => Number.NaN)));
      return Object.fromEntries(named.map(([name], i) => [name, after[i]! - before[i]!]));
    },
  };
}
