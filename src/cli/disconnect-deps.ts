/** The process-level deps of `disconnect`, shared by `hoopctl disconnect` and the quickstart's clean-up; loaded on first use (CLI start-up). */
import type { DisconnectDeps } from '../usecases/disconnect.js';
import type { CliContext } from './context.js';

/** Real signals, the real session dirs of this user, the wall clock; callers add `nodePath`/`endSwept` when they sweep. */
export async function localDisconnectDeps(ctx: CliContext): Promise<DisconnectDeps> {
  const { sessionDirs } = await import('../process/session-edges.js');
  const { isProcessAlive } = await import('../process/process-alive.js');
  const { resolvePaths } = await import('../platform/paths.js');
  return {
    sessionsDir: resolvePaths(ctx.env).sessionsDir,
    sessionDirs,
    isAlive: isProcessAlive,
    kill: (pid, sig) => process.kill(pid, sig),
    now: Date.now,
    sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
    pid: process.pid,
  };
}
