/** The default of `hoopctl connect`: an interactive subshell that lives as long as the session. */
import type { RunningSession } from './connect.js';
import type { ChildDeps } from './session-deps.js';
import { superviseChild } from './supervise-child.js';

/** Options of runSubshell: the shell to start (`$SHELL`, else /bin/sh). */
export interface SubshellDeps extends ChildDeps {
  shell?: string;
}

/**
 * Runs the shell with the session env until it exits, then ends the session; resolves with the
 * shell's exit code. At expiry or `hoopctl disconnect` (SIGTERM to us) the shell gets a message
 * and SIGHUP, the signal a shell takes as "your terminal is gone".
 */
export async function runSubshell(deps: SubshellDeps, session: RunningSession): Promise<number> {
  const shell = deps.shell !== undefined && deps.shell !== '' ? deps.shell : '/bin/sh';
  // No `-i`: with a terminal the shell is interactive by itself; without one (a script piped in)
  // reading commands from stdin is what the caller wants.
  const child = deps.spawnChild({
    command: shell,
    args: [],
    env: session.env,
    baseEnv: deps.baseEnv,
    // SIGINT/SIGQUIT are caught so Ctrl-C at the prompt never kills hoopctl; SIGHUP (terminal closed) goes on.
    forwardSignals: ['SIGINT', 'SIGQUIT', 'SIGHUP'],
    terminalDeliversInterrupts: true,
  });
  return superviseChild(deps, session, child, (why) => {
    deps.stderr.write(
      `\nhoopctl: session ${session.sessionId} for "${session.connection}" ${why}; closing this shell ` +
        `(run hoopctl connect ${session.connection} for a new one)\n`,
    );
    child.kill('SIGHUP');
  });
}
