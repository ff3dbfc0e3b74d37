/** `hoopctl exec <connection> -- <command…>`: one child process with the session's kubeconfig. */
import { HoopError } from '../errors.js';
import type { RunningSession } from './connect.js';
import type { ChildDeps } from './session-deps.js';
import { superviseChild } from './supervise-child.js';

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
  // SIGTERM from `hoopctl disconnect` was forwarded to the child above; the session ends either way.
  return superviseChild(deps, session, child, (why) => {
    deps.stderr.write(`hoopctl: session ${session.sessionId} for "${session.connection}" ${why}; ` + `${command} keeps running without cluster access\n`);
  });
}
