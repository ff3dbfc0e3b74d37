/** `hoopctl disconnect [connection] [--all]`: ends local sessions by signalling the process that serves them. */
import type { Clock } from '../clock.js';
import { HoopError } from '../errors.js';
import type { SessionRecord } from '../local-proxy/session-dir.js';
import type { SessionDirs } from './session-deps.js';
import { listSessions, type LocalSessionStatus } from './status.js';

/** Deps of disconnect. */
export interface DisconnectDeps {
  sessionsDir: string;
  sessionDirs: Pick<SessionDirs, 'find' | 'sweep'>;
  isAlive(pid: number): boolean;
  /** Sends a signal to a process. */
  kill(pid: number, signal: NodeJS.Signals): void;
  now: Clock;
  sleep(ms: number): Promise<void>;
  /** This process: never signalled. */
  pid: number;
  /** How long to wait for the owners to tear down (default 3 s). */
  waitMs?: number;
  /** Tombstones for swept sessions (see sweepStaleSessions). */
  nodePath?: string;
  /** Ends a swept session at the gateway. */
  endSwept?(record: SessionRecord): Promise<void>;
}

/** One session disconnect asked to end; `confirmed` once its owner exited or removed its dir. */
export interface DisconnectedSession {
  sessionId: string;
  connection: string;
  pid: number;
  confirmed: boolean;
}

/** What disconnect did. */
export interface DisconnectResult {
  ended: DisconnectedSession[];
  /** Stale dirs (dead owner or expired) removed on the way. */
  swept: number;
}

/** Plans which live sessions to end; pure. Throws `not_found`/`usage` when the choice is empty or ambiguous. */
export function chooseSessions(live: readonly LocalSessionStatus[], options: { connection?: string; all?: boolean }): LocalSessionStatus[] {
  if (options.all === true) return options.connection === undefined ? [...live] : live.filter((s) => s.connection === options.connection);
  if (options.connection !== undefined) {
    const matching = live.filter((s) => s.connection === options.connection);
    if (matching.length === 0) {
      throw new HoopError('not_found', `no session for connection "${options.connection}"`, { hint: 'run hoopctl status' });
    }
    return matching;
  }
  if (live.length === 0) throw new HoopError('not_found', 'no session is running', { hint: 'run hoopctl connect <connection>' });
  if (live.length > 1) {
    const names = [...new Set(live.map((s) => s.connection))].join(', ');
    throw new HoopError('usage', `several sessions are running (${names})`, { hint: 'run hoopctl disconnect <connection>, or --all' });
  }
  return [...live];
}

/** Sends SIGTERM to the owner of each chosen session, waits for teardown, then sweeps what is stale. */
export async function disconnect(deps: DisconnectDeps, options: { connection?: string; all?: boolean }): Promise<DisconnectResult> {
  const chosen = chooseSessions(await listSessions(deps), options).filter((s) => s.pid !== deps.pid);
  for (const s of chosen) {
    try {
      deps.kill(s.pid, 'SIGTERM');
    } catch {
      // Gone between listing and signalling: the sweep below removes its dir.
    }
  }
  const deadline = deps.now() + (deps.waitMs ?? 3000);
  const pending = new Set(chosen);
  const confirmed = new Set<LocalSessionStatus>();
  while (pending.size > 0) {
    const dirs = new Set((await deps.sessionDirs.find(deps.sessionsDir)).map((f) => f.record?.sessionId));
    for (const s of pending) {
      if (!deps.isAlive(s.pid) || !dirs.has(s.sessionId)) {
        pending.delete(s);
        confirmed.add(s);
      }
    }
    if (pending.size === 0 || deps.now() >= deadline) break;
    await deps.sleep(50);
  }
  const swept = await deps.sessionDirs.sweep({
    sessionsDir: deps.sessionsDir,
    isAlive: deps.isAlive,
    now: new Date(deps.now()),
    ...(deps.nodePath === undefined ? {} : { nodePath: deps.nodePath }),
    ...(deps.endSwept === undefined ? {} : { endSession: deps.endSwept }),
  });
  return {
    ended: chosen.map((s) => ({ sessionId: s.sessionId, connection: s.connection, pid: s.pid, confirmed: confirmed.has(s) })),
    swept: swept.length,
  };
}
