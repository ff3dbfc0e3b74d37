import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const LINES = 3000;

// A child fills its stdout pipe (the parent does not read yet), says so on stderr once Node is queueing, and exits.
function child(viaFlush: boolean): ReturnType<typeof spawn> {
  const script = `
    import { outputFlushed } from ${JSON.stringify(new URL('./exit-flush.ts', import.meta.url).href)};
    for (let i = 0; i < ${LINES}; i++) process.stdout.write('line ' + i + ' ' + 'x'.repeat(100) + '\\n');
    process.stderr.write('queued ' + (process.stdout.writableLength > 0) + '\\n');
    ${viaFlush ? 'await outputFlushed();' : ''}
    process.exit(0);`;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function run(viaFlush: boolean): Promise<{ lines: number; queued: string }> {
  const c = child(viaFlush);
  c.stdout!.pause();
  let err = '';
  c.stderr!.setEncoding('utf8');
  // The condition: the child says its writes are queued behind the full pipe (it cannot have exited before saying so).
  await new Promise<void>((res) =>
    c.stderr!.on('data', (d: string) => {
      err += d;
      if (err.includes('\n')) res();
    }),
  );
  let out = '';
  c.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  c.stdout!.resume();
  await once(c, 'close');
  return { lines: out.split('\n').filter(Boolean).length, queued: err.trim() };
}

test('outputFlushed before process.exit: every line reaches a reader that was slower than the writer', async () => {
  const r = await run(true);
  assert.equal(r.queued, 'queued true', 'the pipe was full: the test tests something');
  assert.equal(r.lines, LINES);
});

test('the failure it prevents: process.exit with writes still queued loses the newest lines', async () => {
  const r = await run(false);
  assert.equal(r.queued, 'queued true');
  assert.ok(r.lines < LINES, `${r.lines} of ${LINES} lines arrived`);
});
