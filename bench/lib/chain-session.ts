/** A session served by the real CLI: `hoopctl connect <conn> --print-env` leaves the local proxy running in its daemon. */
import { readFile } from 'node:fs/promises';
import { parseKubeconfig, resolveKubeconfigContext } from '../../src/kube/kubeconfig.js';
import { hoopctlBin, runCli, type TempHome } from '../../test/support/cli-runner.js';
import type { Target } from './targets.js';

/** The chain's entry point as kubectl would see it. */
export interface ChainSession {
  target: Target;
  sessionId: string;
  expiresAt: string;
  /** Pid of the session daemon (the local proxy's process). */
  pid: number;
}

/**
 * Connects in the background and reads the per-session kubeconfig it wrote. `nodeArgs` (e.g.
 * `--cpu-prof`) reach the daemon too: it is spawned with the CLI's own execArgv.
 */
export async function connectInBackground(home: TempHome, connection: string, nodeArgs: string[] = []): Promise<ChainSession> {
  const r = await runCli([...nodeArgs, hoopctlBin, 'connect', connection, '--print-env'], home.env, { command: process.execPath, timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`hoopctl connect ${connection} --print-env failed (${r.code}): ${r.stderr}`);
  const vars = new Map<string, string>();
  for (const m of r.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)) vars.set(m[1]!, m[2]!);
  const kubeconfig = vars.get('KUBECONFIG');
  if (kubeconfig === undefined) throw new Error(`no KUBECONFIG in the output of connect --print-env: ${r.stdout}`);
  const pid = Number(/\(pid (\d+)\)/.exec(r.stderr)?.[1] ?? 0);
  const ctx = resolveKubeconfigContext(parseKubeconfig(await readFile(kubeconfig, 'utf8'), kubeconfig));
  return {
    target: {
      name: 'chain',
      label: 'full chain (local proxy → gateway)',
      base: ctx.server,
      headers: { authorization: `Bearer ${ctx.token ?? ''}` },
      tls: { ...(ctx.caPem === undefined ? {} : { ca: ctx.caPem }), rejectUnauthorized: true },
    },
    sessionId: vars.get('HOOP_SESSION') ?? '',
    expiresAt: vars.get('HOOP_EXPIRES_AT') ?? '',
    pid,
  };
}

/** `hoopctl disconnect --all`: ends every background session of the home (SIGTERM to the daemons). */
export async function disconnectAll(home: TempHome): Promise<void> {
  await runCli(['disconnect', '--all'], home.env, { timeoutMs: 15_000 });
}
