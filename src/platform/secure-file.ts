/** Files that hold credentials: 0600 files in 0700 directories, written atomically. */
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Creates `dir` (and parents) and forces mode 0700 on it. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const s = await stat(dir);
  // mkdir's mode is masked by umask and ignored for existing dirs: enforce it.
  if ((s.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}

/** Writes `data` to `file` atomically (temp file + rename) with mode 0600, creating a 0700 parent dir. */
export async function writePrivateFile(file: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(file);
  await ensurePrivateDir(dir);
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Removes a file or directory tree; missing is fine. */
export async function removePath(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}
