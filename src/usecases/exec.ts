/** `hoopctl exec <connection> -- <command…>`: one child process with the session's kubeconfig. */
import { HoopError } from '../errors.js';
import type { RunningSession } from './connect.js';
import type { ChildDeps } from './session-deps.js';

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/**
 * Runs `argv` with inherited stdio and the session env, forwarding SIGINT/SIGTERM/SIGHUP/SIGQUIT;
 * resolves with its exit code (128+n for signal n). The session ends when the child exits. If the
 * session ends first (expiry, disconnect), the proxy is closed and the child keeps running without
 * cluster access — hoopctl still waits for it to pass its exit code through.
 */
export async function runExec(deps: ChildDeps, session: RunningSession, argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '') {
    throw new HoopError('usage', 'no command to run', { hint: `hoopctl exec ${session.connection} -- kubectl get pods` });
  }
  const child = deps.spawnChild({
    command,
    args,
    env: session.env,
    baseEnv: deps.baseEnv,
    forwardSignals: FORWARDED_SIGNALS,
    terminalDeliversInterrupts: deps.stdinIsTTY,
  });
  let running = true;
  // `hoopctl disconnect` sends SIGTERM: forwarded to the child above, and the session ends even if the child ignores it.
  const off = deps.onSignal(['SIGTERM'], () => { void session.end('disconnected'); });
  void session.done.then((reason) => {
    if (!running || reason === 'exited') return;
    const why = reason === 'expired' ? 'expired' : 'was ended';
    deps.stderr.write(`hoopctl: session ${session.sessionId} for "${session.connection}" ${why}; `
      + `${command} keeps running without cluster access\n`);
  });
  const exit = await child.exited;
  running = false;
  off();
  if (exit.spawnError !== undefined) deps.stderr.write(`hoopctl: ${exit.spawnError}\n`);
  await session.end('exited');
  return exit.code;
}
