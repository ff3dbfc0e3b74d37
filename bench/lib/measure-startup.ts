/** 5. CLI start-up: wall time of `hoopctl --version` and `hoopctl whoami` (median of N spawns) against a bare `node -e 0`. */
import { spawn } from 'node:child_process';
import type { BenchOptions } from './args.js';
import { hoopctlBin } from '../../test/support/cli-runner.js';
import { row, type Row } from './report.js';
import type { Stack } from './stack.js';
import { median, monoMs } from './stats.js';

function wallMs(args: string[], env: NodeJS.ProcessEnv, command = process.execPath): Promise<{ ms: number; code: number | null }> {
  const t0 = monoMs();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ ms: monoMs() - t0, code }));
  });
}

async function medianOf(n: number, args: string[], env: NodeJS.ProcessEnv, command?: string): Promise<number> {
  const times: number[] = [];
  await wallMs(args, env, command); // page cache warm, like a second run in a terminal
  for (let i = 0; i < n; i++) {
    const r = await wallMs(args, env, command);
    if (r.code !== 0) throw new Error(`${command ?? 'node'} ${args.join(' ')} exited ${r.code}`);
    times.push(r.ms);
  }
  return median(times);
}

/** Runs the start-up figures. */
export async function measureStartup(stack: Stack, o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const section = '5. CLI start-up (median wall time)';
  const n = o.quick ? 5 : 15;
  const env = stack.home.env;
  const bare = await medianOf(n, ['-e', '0'], env);
  const version = await medianOf(n, [hoopctlBin, '--version'], env);
  const whoami = await medianOf(n, [hoopctlBin, 'whoami'], env);
  const kubectl = await medianOf(n, ['version', '--client'], env, '/usr/bin/kubectl');
  log(
    `  node -e 0 ${bare.toFixed(1)} ms, --version ${version.toFixed(1)} ms, whoami ${whoami.toFixed(1)} ms, kubectl version --client ${kubectl.toFixed(1)} ms`,
  );
  return [
    row({ id: 'startup.node', section, figure: 'node -e 0 (floor)', value: bare, unit: 'ms' }),
    row({
      id: 'startup.version',
      section,
      figure: 'hoopctl --version',
      value: version,
      unit: 'ms',
      baseline: { label: 'node -e 0', value: bare },
      target: '≤ 100 ms',
      met: version <= 100,
    }),
    row({ id: 'startup.whoami', section, figure: 'hoopctl whoami', value: whoami, unit: 'ms', baseline: { label: 'node -e 0', value: bare } }),
    row({ id: 'startup.kubectl', section, figure: 'kubectl version --client (peer, Go)', value: kubectl, unit: 'ms' }),
  ];
}
