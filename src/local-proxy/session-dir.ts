/**
 * Per-session directories `<sessionsDir>/<sessionId>/` (0700) with the kubeconfig (0600) and
 * `session.json` (0600). `session.json` holds no credential: the session JWT lives only in the
 * memory of the process that owns the proxy, whose pid is recorded so others can find or sweep it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HoopError } from '../errors.js';
import { ensurePrivateDir, removePath, writePrivateFile } from '../platform/secure-file.js';

/** Contents of `session.json`. */
export interface SessionRecord {
  sessionId: string;
  connection: string;
  gateway: string;
  /** Process that holds the proxy (the `connect`/`exec` process or the session daemon). */
  pid: number;
  expiresAt: string;
  kubeconfig: string;
  createdAt: string;
}

/** A directory found under the sessions dir; `record` is undefined when session.json is missing or unreadable. */
export interface FoundSession {
  dir: string;
  record: SessionRecord | undefined;
  modifiedAt: Date;
}

/** What createSessionDir wrote. */
export interface SessionDir {
  dir: string;
  kubeconfigPath: string;
  record: SessionRecord;
}

/** Options of sweepStaleSessions. */
export interface SweepOptions {
  sessionsDir: string;
  isAlive(pid: number): boolean;
  now: Date;
  /** Best-effort notice to the gateway; errors are ignored. Without a credential at hand, leave it out. */
  endSession?(record: SessionRecord): Promise<void>;
}

const SESSION_FILE = 'session.json';
const KUBECONFIG_FILE = 'kubeconfig';
// A dir without a readable session.json may be one another process is creating right now.
const HALF_WRITTEN_GRACE_MS = 60_000;

/** The directory of a session; refuses ids that could escape the sessions dir. */
export function sessionDirPath(sessionsDir: string, sessionId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(sessionId)) {
    throw new HoopError('gateway_error', `the gateway sent an unusable session id ${JSON.stringify(sessionId.slice(0, 40))}`);
  }
  return join(sessionsDir, sessionId);
}

/** Writes the session's kubeconfig and session.json (both 0600) in a fresh 0700 directory. */
export async function createSessionDir(
  sessionsDir: string,
  input: Omit<SessionRecord, 'kubeconfig'> & { kubeconfigYaml: string },
): Promise<SessionDir> {
  const dir = sessionDirPath(sessionsDir, input.sessionId);
  const kubeconfigPath = join(dir, KUBECONFIG_FILE);
  const { kubeconfigYaml, ...rest } = input;
  const record: SessionRecord = { ...rest, kubeconfig: kubeconfigPath };
  await ensurePrivateDir(sessionsDir);
  await ensurePrivateDir(dir);
  await writePrivateFile(join(dir, SESSION_FILE), `${JSON.stringify(record, null, 2)}\n`);
  await writePrivateFile(kubeconfigPath, kubeconfigYaml);
  return { dir, kubeconfigPath, record };
}

/** Deletes a session directory (kubeconfig included); missing is fine. */
export async function removeSessionDir(dir: string): Promise<void> {
  await removePath(dir);
}

function parseRecord(text: string): SessionRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<SessionRecord>;
    const ok = typeof r.sessionId === 'string' && typeof r.connection === 'string' && typeof r.gateway === 'string'
      && typeof r.pid === 'number' && Number.isInteger(r.pid) && r.pid > 0 && typeof r.expiresAt === 'string'
      && typeof r.kubeconfig === 'string' && typeof r.createdAt === 'string';
    return ok ? (r as SessionRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Every session directory under `sessionsDir`, oldest first; a missing sessions dir is an empty list. */
export async function findSessions(sessionsDir: string): Promise<FoundSession[]> {
  let names: string[];
  try {
    names = await readdir(sessionsDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const found: FoundSession[] = [];
  for (const name of names) {
    const dir = join(sessionsDir, name);
    let modifiedAt: Date;
    try {
      const s = await stat(dir);
      if (!s.isDirectory()) continue;
      modifiedAt = s.mtime;
    } catch {
      continue; // removed meanwhile
    }
    let record: SessionRecord | undefined;
    try {
      record = parseRecord(await readFile(join(dir, SESSION_FILE), 'utf8'));
    } catch {
      record = undefined;
    }
    found.push({ dir, record, modifiedAt });
  }
  return found.sort((a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime());
}

/** Why a session is stale, or undefined when it is live. Pure: the caller supplies liveness and time. */
export function staleReason(found: FoundSession, isAlive: (pid: number) => boolean, now: Date): 'expired' | 'owner_gone' | 'unreadable' | undefined {
  const r = found.record;
  if (r === undefined) return now.getTime() - found.modifiedAt.getTime() > HALF_WRITTEN_GRACE_MS ? 'unreadable' : undefined;
  const expires = Date.parse(r.expiresAt);
  if (Number.isNaN(expires) || expires <= now.getTime()) return 'expired';
  return isAlive(r.pid) ? undefined : 'owner_gone';
}

/** Removes session dirs whose owner process is gone or whose session expired; returns what was removed. */
export async function sweepStaleSessions(options: SweepOptions): Promise<FoundSession[]> {
  const removed: FoundSession[] = [];
  for (const found of await findSessions(options.sessionsDir)) {
    if (staleReason(found, options.isAlive, options.now) === undefined) continue;
    await removeSessionDir(found.dir);
    removed.push(found);
    if (found.record !== undefined && options.endSession !== undefined) {
      await options.endSession(found.record).catch(() => undefined);
    }
  }
  return removed;
}
