/** `hoopctl exec --keep-alive` and GUI launchers (`cursor .`): the session is served by the background daemon and may outlive the command. */
import type { StartSessionInput } from '../usecases/connect.js';
import type { BackgroundSession } from '../usecases/background.js';
import type { KeepAlivePlan } from '../usecases/keep-alive.js';
import type { ConnectDeps } from '../usecases/session-deps.js';
import type { CliContext } from './context.js';

const TEARDOWN_WAIT_MS = 5000;

/** Opens the session in the daemon, runs the command, and keeps or ends the session by `plan`; resolves with the command's exit code. */
export async function runExecKeepAlive(ctx: CliContext, deps: ConnectDeps, input: StartSessionInput, command: string[], plan: KeepAlivePlan): Promise<number> {
  const { runBackground } = await import('../usecases/background.js');
  const { spawnDaemon } = await import('../process/daemon.js');
  const { runWithKeepAlive } = await import('../usecases/keep-alive.js');
  const { createChildEdges } = await import('../process/session-edges.js');
  const { isProcessAlive } = await import('../process/process-alive.js');
  const session = await runBackground(
    {
      ...deps,
      spawnDaemon: (grant) => spawnDaemon({ command: process.execPath, args: [...process.execArgv, ctx.entry, '__session-daemon'], env: ctx.env }, grant),
    },
    input,
  );
  // The daemon ends the session (proxy, files, gateway notice) on SIGTERM, as for `hoopctl disconnect`.
  const endSession = async (s: BackgroundSession): Promise<void> => {
    try {
      process.kill(s.pid, 'SIGTERM');
    } catch {
      return;
    }
    const until = Date.now() + TEARDOWN_WAIT_MS;
    while (isProcessAlive(s.pid) && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
  };
  const r = await runWithKeepAlive(
    { ...createChildEdges({ env: ctx.env, stderr: ctx.out.stderr, stdinIsTTY: process.stdin.isTTY === true }), now: Date.now, endSession },
    session,
    command,
    plan,
  );
  return r.code;
}
