/**
 * A cross-process lock on a file created with O_EXCL, so parallel hoopctl processes (ten
 * `hoopctl exec` in a Makefile) share one login or refresh instead of racing: a rotated refresh
 * token is valid once, and the losers of a race would all be logged out.
 *
 * Not proper-lockfile: it breaks a stale lock with stat-then-rmdir, unguarded, so two waiters that judge the same
 * dead holder's lock stale can both take it (it only notices afterwards, through its mtime refresher, and by default
 * throws from a timer); it also cannot tell a dead holder from a live one, so a killed login would block every waiter
 * for the whole stale period. Here a dead holder (same host) is broken at once, and every read-then-unlink of the lock
 * (breaking a stale one, releasing one's own) runs under `<lock>.break`, so none can remove a lock another process
 * just took.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { HoopError } from '../errors.js';
import { ensurePrivateDir } from './secure-file.js';

/** Options of withFileLock. */
export interface FileLockOptions {
  /** Give up waiting after this long. */
  timeoutMs: number;
  /** A lock older than this is abandoned even if its pid is alive (pid reuse, hung process); the holder's own value wins. */
  staleMs: number;
  /** Wait between attempts (default 100 ms). */
  pollMs?: number;
}

/** What the lock file holds: who holds it and since when. */
interface LockInfo {
  pid: number;
  host: string;
  time: number;
  staleMs: number;
  token: string;
}

/** Runs `fn` while holding the lock `lockPath`; waits for a live holder, breaks a dead or stale one. */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions): Promise<T> {
  await ensurePrivateDir(dirname(lockPath));
  const token = await acquire(lockPath, options);
  try {
    return await fn();
  } finally {
    await release(lockPath, token, options.pollMs ?? 100);
  }
}

/** How long a `<lock>.break` guard may stand before it is taken for a crashed holder's; it is held for one read and one unlink. */
const GUARD_STALE_MS = 10_000;

async function acquire(lockPath: string, options: FileLockOptions): Promise<string> {
  const started = Date.now();
  const pollMs = options.pollMs ?? 100;
  for (;;) {
    const info: LockInfo = { pid: process.pid, host: hostname(), time: Date.now(), staleMs: options.staleMs, token: randomBytes(8).toString('hex') };
    try {
      const fh = await open(lockPath, 'wx', 0o600);
      try {
        await fh.writeFile(JSON.stringify(info));
      } finally {
        await fh.close();
      }
      return info.token;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new HoopError('store_error', `cannot create the lock file ${lockPath}`, { cause: e });
      }
    }
    const held = await readLock(lockPath);
    if (held !== undefined && isStale(held, options.staleMs) && (await breakLock(lockPath, held.text))) continue;
    if (Date.now() - started >= options.timeoutMs) {
      const who = held?.info === undefined ? 'another process' : `process ${held.info.pid}`;
      throw new HoopError('store_error', `${who} holds the lock ${lockPath} for too long`, {
        hint: `if no other hoopctl is running, delete ${lockPath}`,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

interface HeldLock {
  text: string;
  info: LockInfo | undefined;
  modifiedAt: number;
}

async function readLock(lockPath: string): Promise<HeldLock | undefined> {
  let text: string;
  let modifiedAt: number;
  try {
    modifiedAt = (await stat(lockPath)).mtimeMs;
    text = await readFile(lockPath, 'utf8');
  } catch {
    return undefined; // released meanwhile: just try again
  }
  let info: LockInfo | undefined;
  try {
    const parsed = JSON.parse(text) as Partial<LockInfo>;
    if (typeof parsed.pid === 'number' && typeof parsed.time === 'number') info = parsed as LockInfo;
  } catch {
    // Empty or partial: the holder is between create and write, or died there (judged by mtime).
  }
  return { text, info, modifiedAt };
}

function isStale(held: HeldLock, ownStaleMs: number): boolean {
  const info = held.info;
  if (info === undefined) return Date.now() - held.modifiedAt > ownStaleMs;
  const staleMs = typeof info.staleMs === 'number' ? info.staleMs : ownStaleMs;
  if (Date.now() - info.time > staleMs) return true;
  // A pid is only meaningful on its own machine (a home directory may be shared over NFS).
  return info.host === hostname() && !isAlive(info.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding `<lock>.break` (O_EXCL); undefined when another process holds it. Whoever reads the lock and then
 * unlinks it takes turns through this guard: without it, two waiters that judged the same lock stale race between
 * read and unlink, and the second one deletes the fresh lock the first one just took (two holders, one rotated
 * refresh token); likewise a holder that overran staleMs could delete, on release, the lock of the one that broke it.
 */
async function withBreakGuard<T>(lockPath: string, fn: () => Promise<T>): Promise<{ value: T } | undefined> {
  const guard = `${lockPath}.break`;
  try {
    await (await open(guard, 'wx', 0o600)).close();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    // A guard is held for milliseconds; one whose holder died is removed once it is older than GUARD_STALE_MS.
    const since = await stat(guard).then(
      (st) => st.mtimeMs,
      () => undefined,
    );
    if (since !== undefined && Date.now() - since > GUARD_STALE_MS) await unlink(guard).catch(() => undefined);
    return undefined;
  }
  try {
    return { value: await fn() };
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** Removes a stale lock only if it still holds what was judged stale; true when this call decided. */
async function breakLock(lockPath: string, judged: string): Promise<boolean> {
  const decided = await withBreakGuard(lockPath, async () => {
    try {
      if ((await readFile(lockPath, 'utf8')) === judged) await unlink(lockPath);
    } catch {
      // Gone already: the next attempt decides.
    }
  });
  return decided !== undefined;
}

/** Removes the lock if it is still this holder's (never one broken as stale and taken by someone else). */
async function release(lockPath: string, token: string, pollMs: number): Promise<void> {
  const isOurs = async (): Promise<boolean> => {
    try {
      return (JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockInfo>).token === token;
    } catch {
      return false; // already gone
    }
  };
  const started = Date.now();
  while (await isOurs()) {
    const done = await withBreakGuard(lockPath, async () => {
      if (await isOurs()) await unlink(lockPath).catch(() => undefined);
    });
    // A guard that never frees (unwritable directory) leaves the lock to be broken as a dead holder's once this process ends.
    if (done !== undefined || Date.now() - started > 2 * GUARD_STALE_MS) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
