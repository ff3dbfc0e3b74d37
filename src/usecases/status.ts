/** `hoopctl status`: the sessions this machine serves and how long each has left. */
import type { Clock } from '../clock.js';
import type { SessionRecord } from '../local-proxy/session-dir.js';
import type { SessionDirs } from './session-deps.js';

/** One local session as `hoopctl status` shows it. */
export interface LocalSessionStatus {
  sessionId: string;
  connection: string;
  gateway: string;
  pid: number;
  kubeconfig: string;
  expiresAt: string;
  remainingSeconds: number;
}

/** Deps of listSessions. */
export interface StatusDeps {
  sessionsDir: string;
  sessionDirs: Pick<SessionDirs, 'find'>;
  isAlive(pid: number): boolean;
  now: Clock;
}

/** Whole seconds until `expiresAt` (0 once expired); cheap enough for a once-a-second prompt or status line. */
export function remainingSeconds(session: { expiresAt: string }, now: Date): number {
  const ms = Date.parse(session.expiresAt) - now.getTime();
  return Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : 0;
}

/** True when the session's owner process runs and the session has not expired. */
export function isLiveSession(record: SessionRecord, isAlive: (pid: number) => boolean, now: Date): boolean {
  return remainingSeconds(record, now) > 0 && isAlive(record.pid);
}

/** Live local sessions, oldest first; stale dirs are left for the next sweep. */
export async function listSessions(deps: StatusDeps): Promise<LocalSessionStatus[]> {
  const now = new Date(deps.now());
  const out: LocalSessionStatus[] = [];
  for (const { record, ended } of await deps.sessionDirs.find(deps.sessionsDir)) {
    if (record === undefined || ended !== undefined || !isLiveSession(record, deps.isAlive, now)) continue;
    out.push({
      sessionId: record.sessionId,
      connection: record.connection,
      gateway: record.gateway,
      pid: record.pid,
      kubeconfig: record.kubeconfig,
      expiresAt: record.expiresAt,
      remainingSeconds: remainingSeconds(record, now),
    });
  }
  return out;
}
