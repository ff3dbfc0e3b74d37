/** The part `exec` and `connect`'s subshell share: a child and a session that end together. */
import type { RunningChild } from '../process/spawn-child.js';
import type { RunningSession } from './connect.js';
import type { ChildDeps } from './session-deps.js';

/**
 * Waits for `child` and resolves with its exit code, then ends the session. `hoopctl disconnect`
 * (SIGTERM to us) ends the session even if the child ignores the signal. When the session ends
 * first (expiry, disconnect), `onSessionEnded` tells the person what happens to the child.
 */
export async function superviseChild(
  deps: Pick<ChildDeps, 'onSignal' | 'stderr'>,
  session: RunningSession,
  child: RunningChild,
  onSessionEnded: (why: 'expired' | 'was ended') => void,
): Promise<number> {
  let running = true;
  const off = deps.onSignal(['SIGTERM'], () => {
    void session.end('disconnected');
  });
  void session.done.then((reason) => {
    if (!running || reason === 'exited') return;
    onSessionEnded(reason === 'expired' ? 'expired' : 'was ended');
  });
  const exit = await child.exited;
  running = false;
  off();
  if (exit.spawnError !== undefined) deps.stderr.write(`hoopctl: ${exit.spawnError}\n`);
  await session.end('exited');
  return exit.code;
}
