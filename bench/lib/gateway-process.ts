/** The gateway as its own process — the built CLI, `node bin/hoopctl gateway serve --config …` — so its memory is its own. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hoopctlBin, startCli, type RunningCli } from '../../test/support/cli-runner.js';

/** A running gateway process. */
export interface GatewayProcess {
  url: string;
  pid: number;
  close(): Promise<void>;
}

/** Options of startGatewayProcess. */
export interface GatewayProcessOptions {
  dir: string;
  /** File name inside dir. */
  name: string;
  config: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** Directory for `node --cpu-prof` output; unset = no profiling. */
  cpuProfDir?: string;
  /** Pin the process to these CPUs (`taskset -c`, e.g. "0"); unset = the scheduler's choice. */
  cpus?: string;
}

/** Writes the config, starts the gateway and waits for its "listening" line. */
export async function startGatewayProcess(o: GatewayProcessOptions): Promise<GatewayProcess> {
  const file = join(o.dir, `${o.name}.yaml`);
  await writeFile(file, stringify(o.config), { mode: 0o600 });
  const prof = o.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', o.cpuProfDir, '--cpu-prof-name', `${o.name}.cpuprofile`];
  const args = [...prof, hoopctlBin, 'gateway', 'serve', '--config', file];
  // taskset execs node in its own process, so the pid (and its /proc CPU figures) is the gateway's.
  const run: RunningCli =
    o.cpus === undefined
      ? startCli(args, o.env, { command: process.execPath })
      : startCli(['-c', o.cpus, process.execPath, ...args], o.env, { command: 'taskset' });
  const m = await run.waitFor(/gateway listening on (http\S+)/, 30_000);
  return {
    url: m[1]!,
    pid: run.child.pid!,
    async close() {
      if (run.child.exitCode !== null) return;
      run.child.kill('SIGTERM');
      const t = setTimeout(() => run.child.kill('SIGKILL'), 5000);
      await run.done;
      clearTimeout(t);
    },
  };
}
