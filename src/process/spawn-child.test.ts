import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childExitCode, spawnChild } from './spawn-child.js';

// The child reports which signal reached it through its exit code; settle() gives sh time to install the traps.
const TRAPS = 'trap "exit 7" TERM; trap "exit 9" INT; while :; do sleep 0.02; done';
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

test('childExitCode follows the shell convention', () => {
  assert.equal(childExitCode(0, null), 0);
  assert.equal(childExitCode(3, null), 3);
  assert.equal(childExitCode(null, 'SIGTERM'), 143);
  assert.equal(childExitCode(null, 'SIGKILL'), 137);
  assert.equal(childExitCode(null, 'SIGINT'), 130);
  assert.equal(childExitCode(null, null), 1);
});

test('merges env over the base env and inherits stdio', async () => {
  const c = spawnChild({ command: 'sh', args: ['-c', 'test "$A" = 1 && test "$B" = 2 && exit 4'], env: { A: '1' }, baseEnv: { PATH: process.env.PATH, B: '2', A: 'x' } });
  assert.deepEqual(await c.exited, { code: 4, signal: null });
});

test('forwards SIGTERM to the child and stops listening once it exits', async () => {
  const before = process.listenerCount('SIGTERM');
  const c = spawnChild({ command: 'sh', args: ['-c', TRAPS], env: {}, baseEnv: process.env, forwardSignals: ['SIGINT', 'SIGTERM'] });
  assert.equal(process.listenerCount('SIGTERM'), before + 1);
  await settle();
  process.kill(process.pid, 'SIGTERM');
  assert.equal((await c.exited).code, 7);
  assert.equal(process.listenerCount('SIGTERM'), before);
});

test('with a terminal, SIGINT is caught but not sent again (the terminal already delivered it)', async () => {
  const c = spawnChild({ command: 'sh', args: ['-c', TRAPS], env: {}, baseEnv: process.env, forwardSignals: ['SIGINT', 'SIGTERM'], terminalDeliversInterrupts: true });
  await settle();
  process.kill(process.pid, 'SIGINT');
  await settle();
  process.kill(process.pid, 'SIGTERM');
  assert.equal((await c.exited).code, 7, 'the child saw SIGTERM, not SIGINT');
});

test('without a terminal, SIGINT is forwarded', async () => {
  const c = spawnChild({ command: 'sh', args: ['-c', TRAPS], env: {}, baseEnv: process.env, forwardSignals: ['SIGINT', 'SIGTERM'] });
  await settle();
  process.kill(process.pid, 'SIGINT');
  assert.equal((await c.exited).code, 9);
});

test('a command that cannot start exits 127 with a printable reason', async () => {
  const c = spawnChild({ command: '/nonexistent/hoop-cmd', args: [], env: {}, baseEnv: process.env });
  const exit = await c.exited;
  assert.equal(exit.code, 127);
  assert.match(exit.spawnError ?? '', /command not found: \/nonexistent\/hoop-cmd/);
});
