import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childExitCode, spawnChild } from './spawn-child.js';

// The child reports which signal reached it through its exit code, and creates $READY once its traps are installed.
const TRAPS = 'trap "exit 7" TERM; trap "exit 9" INT; : > "$READY"; while :; do sleep 0.02; done';
const dir = mkdtempSync(join(tmpdir(), 'hoop-spawn-child-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
let children = 0;

/** Starts the trapping shell and resolves once its traps are in place (a signal before that would kill sh outright). */
async function trappingChild(opts: { terminalDeliversInterrupts?: boolean } = {}): Promise<ReturnType<typeof spawnChild>> {
  const ready = join(dir, `ready-${++children}`);
  const c = spawnChild({ command: 'sh', args: ['-c', TRAPS], env: { READY: ready }, baseEnv: process.env, forwardSignals: ['SIGINT', 'SIGTERM'], ...opts });
  const deadline = Date.now() + 10_000;
  while (!existsSync(ready)) {
    if (Date.now() > deadline) assert.fail('the child never installed its traps');
    await new Promise((r) => setTimeout(r, 5));
  }
  return c;
}

test('childExitCode follows the shell convention', () => {
  assert.equal(childExitCode(0, null), 0);
  assert.equal(childExitCode(3, null), 3);
  assert.equal(childExitCode(null, 'SIGTERM'), 143);
  assert.equal(childExitCode(null, 'SIGKILL'), 137);
  assert.equal(childExitCode(null, 'SIGINT'), 130);
  assert.equal(childExitCode(null, null), 1);
});

test('merges env over the base env and inherits stdio', async () => {
  const c = spawnChild({
    command: 'sh',
    args: ['-c', 'test "$A" = 1 && test "$B" = 2 && exit 4'],
    env: { A: '1' },
    baseEnv: { PATH: process.env.PATH, B: '2', A: 'x' },
  });
  assert.deepEqual(await c.exited, { code: 4, signal: null });
});

test('forwards SIGTERM to the child and stops listening once it exits', async () => {
  const before = process.listenerCount('SIGTERM');
  const c = await trappingChild();
  assert.equal(process.listenerCount('SIGTERM'), before + 1);
  process.kill(process.pid, 'SIGTERM');
  assert.equal((await c.exited).code, 7);
  assert.equal(process.listenerCount('SIGTERM'), before);
});

test('with a terminal, SIGINT is caught but not sent again (the terminal already delivered it)', async () => {
  const c = await trappingChild({ terminalDeliversInterrupts: true });
  // spawnChild's listener was added first, so once ours ran, it has handled (and not forwarded) the SIGINT; had it
  // forwarded it, the child would have it pending before the SIGTERM below and exit 9.
  const handled = once(process, 'SIGINT');
  process.kill(process.pid, 'SIGINT');
  await handled;
  process.kill(process.pid, 'SIGTERM');
  assert.equal((await c.exited).code, 7, 'the child saw SIGTERM, not SIGINT');
});

test('without a terminal, SIGINT is forwarded', async () => {
  const c = await trappingChild();
  process.kill(process.pid, 'SIGINT');
  assert.equal((await c.exited).code, 9);
});

test('a command that cannot start exits 127 with a printable reason', async () => {
  const c = spawnChild({ command: '/nonexistent/hoop-cmd', args: [], env: {}, baseEnv: process.env });
  const exit = await c.exited;
  assert.equal(exit.code, 127);
  assert.match(exit.spawnError ?? '', /command not found: \/nonexistent\/hoop-cmd/);
});
