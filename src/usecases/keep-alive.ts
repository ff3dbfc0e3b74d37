/**
 * `hoopctl exec` for launchers that return at once: `cursor .` (without `--wait`) starts or
 * reuses an editor process and exits 0 within a moment, so a session tied to the launcher would
 * die while the editor (and the agent inside it) still uses the kubeconfig. Such commands run with
 * the session served by the background daemon (as `connect --print-env` does); when the launcher
 * returns at once, the session stays until expiry or `hoopctl disconnect`.
 */
import { formatTime } from '../credential/time-format.js';
import type { BackgroundSession } from './background.js';
import type { ChildDeps } from './session-deps.js';
import type { Clock } from '../clock.js';

/** Editors whose command-line launcher hands the work to another process and returns (unless given `--wait`). */
export const GUI_LAUNCHERS: readonly string[] = ['cursor', 'code', 'code-insiders', 'codium', 'windsurf', 'zed'];

/** A launcher that exits within this long, with status 0, "returned at once". */
export const LAUNCHER_RETURN_MS = 2000;

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** always: `--keep-alive`; if-launcher-returns: a known GUI launcher without a wait flag; never: a plain exec. */
export type KeepAlivePlan = 'always' | 'if-launcher-returns' | 'never';

/** Decides from the flag (`--keep-alive` / `--no-keep-alive`) and the command; pure. */
export function keepAlivePlan(argv: readonly string[], flag: boolean | undefined): KeepAlivePlan {
  if (flag === true) return 'always';
  if (flag === false) return 'never';
  const name = (argv[0] ?? '').split('/').pop() ?? '';
  if (!GUI_LAUNCHERS.includes(name)) return 'never';
  // `cursor --wait .` / `code -w` block until the window closes: the session follows them as usual.
  return argv.slice(1).some((a) => a === '--wait' || a === '-w') ? 'never' : 'if-launcher-returns';
}

/** Whether the session outlives the command that just exited. */
export function keepsSession(plan: KeepAlivePlan, exit: { code: number; signal: NodeJS.Signals | null; spawnError?: string }, elapsedMs: number): boolean {
  if (plan === 'never' || exit.spawnError !== undefined || exit.signal !== null) return false;
  if (plan === 'always') return true;
  return exit.code === 0 && elapsedMs < LAUNCHER_RETURN_MS;
}

/** Deps of runWithKeepAlive: the child edges, the clock, and a way to end the daemon's session. */
export interface KeepAliveDeps extends ChildDeps {
  now: Clock;
  /** Ends the session the daemon serves (SIGTERM to it) and waits for its teardown. */
  endSession(session: BackgroundSession): Promise<void>;
}

/** What happened: the child's exit code, and whether the session was left running. */
export interface KeepAliveResult {
  code: number;
  kept: boolean;
}

/** Runs `argv` against a daemon-served session, then keeps or ends the session by `plan`. */
export async function runWithKeepAlive(
  deps: KeepAliveDeps,
  session: BackgroundSession,
  argv: readonly string[],
  plan: KeepAlivePlan,
): Promise<KeepAliveResult> {
  const [command, ...args] = argv;
  const started = deps.now();
  let exit;
  try {
    const child = deps.spawnChild({
      command: command!,
      args,
      env: session.env,
      baseEnv: deps.baseEnv,
      forwardSignals: SIGNALS,
      terminalDeliversInterrupts: deps.stdinIsTTY,
    });
    exit = await child.exited;
  } catch (e) {
    await deps.endSession(session);
    throw e;
  }
  if (exit.spawnError !== undefined) deps.stderr.write(`hoopctl: ${exit.spawnError}\n`);
  const kept = keepsSession(plan, exit, deps.now() - started);
  if (!kept) {
    await deps.endSession(session);
    return { code: exit.code, kept };
  }
  const why = plan === 'always' ? '--keep-alive' : `${command} returned at once (a GUI launcher; its windows keep using the session)`;
  deps.stderr.write(
    `hoopctl: ${why}: session ${session.sessionId} for "${session.connection}" stays up until ${formatTime(session.expiresAt)}, ` +
      `served in the background (pid ${session.pid}).\n  End it with: hoopctl disconnect ${session.connection}` +
      `${plan === 'always' ? '' : `\n  To tie the session to the window instead: hoopctl exec ${session.connection} -- ${command} --wait …`}\n`,
  );
  return { code: exit.code, kept };
}
