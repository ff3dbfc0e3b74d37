/** withFileLock: mutual exclusion, dead and stale holders, timeout. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { withFileLock } from './file-lock.js';
import { isHoopError } from '../errors.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function lockPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hoopctl-lock-'));
  dirs.push(dir);
  return join(dir, 'sub', 'login.lock');
}
const opts = { timeoutMs: 5000, staleMs: 5000, pollMs: 10 };

// Eight contenders for the lock at once; how many were inside the critical section at the same time (1 when it excludes).
async function mostAtOnce(path: string, section: () => Promise<unknown>): Promise<number> {
  let inside = 0;
  let maxInside = 0;
  await Promise.all(
    Array.from({ length: 8 }, () =>
      withFileLock(
        path,
        async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await section();
          inside--;
        },
        opts,
      ),
    ),
  );
  return maxInside;
}

describe('withFileLock', () => {
  it('runs critical sections one at a time and removes the lock after', async () => {
    const path = await lockPath();
    const maxInside = await mostAtOnce(path, () => new Promise((r) => setTimeout(r, 15)));
    assert.equal(maxInside, 1);
    await assert.rejects(stat(path), { code: 'ENOENT' });
  });

  it('releases the lock when the section throws', async () => {
    const path = await lockPath();
    await assert.rejects(
      withFileLock(
        path,
        async () => {
          throw new Error('boom');
        },
        opts,
      ),
      /boom/,
    );
    assert.equal(await withFileLock(path, async () => 'again', opts), 'again');
  });

  it('breaks a lock whose process is dead, or that is older than its staleMs', async () => {
    const path = await lockPath();
    await withFileLock(path, async () => undefined, opts); // creates the directory
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    await writeFile(path, JSON.stringify({ pid: dead, host: hostname(), time: Date.now(), staleMs: 60_000, token: 'x' }));
    assert.equal(await withFileLock(path, async () => 'took over', opts), 'took over');
    await writeFile(path, JSON.stringify({ pid: process.pid, host: hostname(), time: Date.now() - 10_000, staleMs: 1000, token: 'y' }));
    assert.equal(await withFileLock(path, async () => 'took over', opts), 'took over');
  });

  it('waits for a live holder and gives up after timeoutMs with store_error', async () => {
    const path = await lockPath();
    await withFileLock(
      path,
      async () => {
        await assert.rejects(
          withFileLock(path, async () => undefined, { ...opts, timeoutMs: 100 }),
          (e: unknown) => isHoopError(e, 'store_error') && e.message.includes(String(process.pid)),
        );
      },
      opts,
    );
  });

  it('many waiters breaking the same dead lock still run one at a time, and leave nothing behind', async () => {
    const path = await lockPath();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    for (let round = 0; round < 20; round++) {
      await withFileLock(path, async () => undefined, opts); // creates the directory
      await writeFile(path, JSON.stringify({ pid: dead, host: hostname(), time: Date.now(), staleMs: 60_000, token: `dead-${round}` }));
      const maxInside = await mostAtOnce(path, async () => {
        await stat(path);
      });
      assert.equal(maxInside, 1, `round ${round}: two holders at once`);
    }
    assert.deepEqual(await readdir(dirname(path)), []);
  });

  it("a holder that overran staleMs and was broken leaves its successor's lock in place when it releases", async () => {
    const path = await lockPath();
    const short = { ...opts, staleMs: 50 };
    let successorInside!: () => void;
    const successorIn = new Promise<void>((resolve) => {
      successorInside = resolve;
    });
    let letSuccessorOut!: () => void;
    const successorOut = new Promise<void>((resolve) => {
      letSuccessorOut = resolve;
    });
    let successor: Promise<void> | undefined;
    await withFileLock(
      path,
      async () => {
        // Overruns: a waiter judges the lock stale, breaks it and holds it while this section still runs.
        successor = withFileLock(
          path,
          async () => {
            successorInside();
            await successorOut;
          },
          short,
        );
        await successorIn;
      },
      short,
    );
    // The successor still holds it: the overrunning holder's release did not remove it.
    assert.ok((await readFile(path, 'utf8')).length > 0);
    letSuccessorOut();
    await successor;
    assert.deepEqual(await readdir(dirname(path)), []);
  });
});
