/**
 * Per-session directories `<sessionsDir>/<sessionId>/` (0700) with the kubeconfig (0600) and
 * `session.json` (0600). `session.json` holds no credential: the session JWT lives only in the
 * memory of the process that owns the proxy, whose pid is recorded so others can find or sweep it.
 * An ended session leaves a tombstone there (tombstone.ts) until TOMBSTONE_GRACE_MS has passed.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HoopError } from '../errors.js';
import { ensurePrivateDir, removePath, writePrivateFile } from '../platform/secure-file.js';
import { sessionEndedMessage } from '../kube/stream-end-status.js';
import { buildTombstoneKubeconfig, pruneToTombstone, readEndedRecord, TOMBSTONE_GRACE_MS, writeTombstone, type EndedRecord } from './tombstone.js';

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
  /** What a tombstone kubeconfig reuses (absent in dirs written before tombstones existed). */
  proxyUrl?: string;
  namespace?: string;
  kubeUser?: string;
}

/** A directory found under the sessions dir; `record` is undefined when session.json is missing or unreadable. */
export interface FoundSession {
  dir: string;
  record: SessionRecord | undefined;
  modifiedAt: Date;
  /** Set for the tombstone of an ended session. */
  ended?: EndedRecord;
}

/** A session dir a sweep dealt with, and whether the gateway was told (`undefined`: not asked to). */
export interface SweptSession extends FoundSession {
  reason: 'expired' | 'owner_gone' | 'unreadable' | 'tombstone_old';
  endedAtGateway?: boolean;
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
  /** Ends a session whose owner is gone at the gateway (best effort: a failure is reported, not thrown). */
  endSession?(record: SessionRecord): Promise<void>;
  /** The node binary for tombstones' plugin; without it swept sessions are removed outright. */
  nodePath?: string;
}

const SESSION_FILE = 'session.json';
const KUBECONFIG_FILE = 'kubeconfig';
// A dir without a readable session.json may be one another process is creating right now.
const HALF_WRITTEN_GRACE_MS = 60_000;
const OWNER_TEARDOWN_MS = 60_000;

/** The directory of a session; refuses ids that could escape the sessions dir. */
export function sessionDirPath(sessionsDir: string, sessionId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(sessionId)) {
    throw new HoopError('gateway_error', `the gateway sent an unusable session id ${JSON.stringify(sessionId.slice(0, 40))}`);
  }
  return join(sessionsDir, sessionId);
}

/** Writes the session's kubeconfig and session.json (both 0600) in a fresh 0700 directory. */
export async function createSessionDir(sessionsDir: string, input: Omit<SessionRecord, 'kubeconfig'> & { kubeconfigYaml: string }): Promise<SessionDir> {
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
    const ok =
      typeof r.sessionId === 'string' &&
      typeof r.connection === 'string' &&
      typeof r.gateway === 'string' &&
      typeof r.pid === 'number' &&
      Number.isInteger(r.pid) &&
      r.pid > 0 &&
      typeof r.expiresAt === 'string' &&
      typeof r.kubeconfig === 'string' &&
      typeof r.createdAt === 'string';
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
    const ended = await readEndedRecord(dir);
    found.push({ dir, record, modifiedAt, ...(ended === undefined ? {} : { ended }) });
  }
  return found.sort((a, b) => a.modifiedAt.getTime() - b.modifiedAt.getTime());
}

/** Why a session is stale, or undefined when it is live. Pure: the caller supplies liveness and time. */
export function staleReason(found: FoundSession, isAlive: (pid: number) => boolean, now: Date): SweptSession['reason'] | undefined {
  if (found.ended !== undefined) {
    const endedAt = Date.parse(found.ended.endedAt);
    return Number.isNaN(endedAt) || now.getTime() - endedAt > TOMBSTONE_GRACE_MS ? 'tombstone_old' : undefined;
  }
  const r = found.record;
  if (r === undefined) return now.getTime() - found.modifiedAt.getTime() > HALF_WRITTEN_GRACE_MS ? 'unreadable' : undefined;
  const expires = Date.parse(r.expiresAt);
  if (Number.isNaN(expires) || expires <= now.getTime()) return 'expired';
  return isAlive(r.pid) ? undefined : 'owner_gone';
}

/** Why a swept session ended, in the words its tombstone prints. */
function sweptWhy(reason: 'expired' | 'owner_gone', record: SessionRecord): string {
  return reason === 'expired' ? 'expired' : `its hoopctl process ${record.pid} stopped`;
}

/**
 * Sweeps stale session dirs: a session whose owner died or that expired becomes a tombstone (its kubeconfig
 * and bearer token replaced, session.json and transcript removed) and, if its owner died, is ended at the
 * gateway; unreadable dirs and tombstones past their grace period are removed. Returns what it touched.
 */
export async function sweepStaleSessions(options: SweepOptions): Promise<SweptSession[]> {
  const swept: SweptSession[] = [];
  for (const found of await findSessions(options.sessionsDir)) {
    const reason = staleReason(found, options.isAlive, options.now);
    if (reason === undefined) continue;
    const record = found.record;
    // Its owner is alive and tearing it down right now: the owner writes the tombstone.
    if (reason === 'expired' && record !== undefined && options.isAlive(record.pid) && options.now.getTime() - Date.parse(record.expiresAt) < OWNER_TEARDOWN_MS)
      continue;
    const entry: SweptSession = { ...found, reason };
    if (record === undefined || reason === 'tombstone_old' || reason === 'unreadable' || options.nodePath === undefined) {
      await removeSessionDir(found.dir);
    } else {
      const why = sweptWhy(reason, record);
      const message = sessionEndedMessage(record.connection, why);
      try {
        await writeTombstone(
          found.dir,
          buildTombstoneKubeconfig({
            name: `hoopctl-${record.connection}`,
            server: record.proxyUrl ?? 'https://127.0.0.1',
            user: record.kubeUser ?? `hoopctl@${record.connection}`,
            ...(record.namespace === undefined ? {} : { namespace: record.namespace }),
            message,
            nodePath: options.nodePath,
          }),
          { sessionId: record.sessionId, connection: record.connection, why, message, endedAt: options.now.toISOString() },
        );
        await pruneToTombstone(found.dir);
      } catch {
        // No tombstone is better than a bearer token left behind.
        await removeSessionDir(found.dir);
      }
    }
    // An expired session is over at the gateway too; only one whose owner vanished is still "active" there.
    if (record !== undefined && reason === 'owner_gone' && options.endSession !== undefined) {
      entry.endedAtGateway = await options.endSession(record).then(
        () => true,
        () => false,
      );
    }
    swept.push(entry);
  }
  return swept;
}
