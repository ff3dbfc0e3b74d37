import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInContainer, type ContainerIO } from './container-sim.js';
import { createLineInput, onlcr, withTerminal, type InputEvent, type LineInput } from './terminal.js';

/** A client stdin the test types into; `close()` ends it. */
function keyboard(): { raw: AsyncIterable<Buffer>; type(s: string): void; close(): void } {
  const queue: (Buffer | null)[] = [];
  let wake: (() => void) | undefined;
  return {
    type(s) {
      queue.push(Buffer.from(s, 'utf8'));
      wake?.();
    },
    close() {
      queue.push(null);
      wake?.();
    },
    raw: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          while (queue.length === 0)
            await new Promise<void>((r) => {
              wake = r;
            });
          const b = queue.shift()!;
          if (b === null) return;
          yield b;
        }
      },
    },
  };
}

async function events(input: LineInput, n: number): Promise<InputEvent[]> {
  const out: InputEvent[] = [];
  for (let i = 0; i < n; i++) out.push(await input.next());
  return out;
}

test('onlcr turns every newline into CR LF, as a terminal does', () => {
  assert.equal(onlcr('a\nb\n\nc').toString(), 'a\r\nb\r\n\r\nc');
  assert.equal(onlcr(Buffer.from('no newline')).toString(), 'no newline');
});

test('terminal line discipline: echo, Enter, Backspace, Ctrl-U, cursor keys, Ctrl-D (EOF, then more input), Ctrl-C, end of stdin', async () => {
  const k = keyboard();
  let shown = '';
  const input = createLineInput(k.raw, async (t) => {
    shown += t;
  });
  k.type('ab\x7fc\r');
  k.type('\x1b[Ax\x15yé\r\n');
  k.type('\x04');
  k.type('part\x04');
  assert.deepEqual(await events(input, 4), [
    { kind: 'line', text: 'ac\n' },
    { kind: 'line', text: 'yé\n' }, // CR LF is one Enter; the arrow key and the erased x are gone
    { kind: 'eof' },
    { kind: 'line', text: 'part' },
  ]);
  // Ctrl-C flushes what was typed ahead and not read yet, as a terminal does.
  k.type('typed ahead\r\x03');
  await new Promise((r) => setImmediate(r));
  k.type('after\r');
  k.close();
  assert.deepEqual(await events(input, 3), [{ kind: 'intr' }, { kind: 'line', text: 'after\n' }, { kind: 'closed' }]);
  assert.equal(await input.next().then((e) => e.kind), 'closed', 'the end of stdin stays');
  assert.equal(shown, 'ab\b \bc\r\nx\b \byé\r\nparttyped ahead\r\n^C\r\nafter\r\n');
});

test('without a terminal, stdin is only split into lines (a last line without newline too)', async () => {
  const k = keyboard();
  const input = createLineInput(k.raw);
  k.type('one\ntw');
  k.type('o\n\x04three');
  k.close();
  assert.deepEqual(await events(input, 4), [
    { kind: 'line', text: 'one\n' },
    { kind: 'line', text: 'two\n' },
    { kind: 'line', text: '\x04three' },
    { kind: 'closed' },
  ]);
});

function container(k: ReturnType<typeof keyboard>, tty: boolean): { io: ContainerIO; shown: () => string } {
  let shown = '';
  const write = async (d: Buffer | string): Promise<void> => {
    shown += d.toString();
  };
  const io: ContainerIO = { stdout: write, stderr: write, stdin: k.raw, tty, env: { HOSTNAME: 'web-1', HOME: '/root' }, signal: new AbortController().signal };
  return { io: tty ? withTerminal(io) : io, shown: () => shown };
}

test('sh from a pipe (no terminal): runs the lines silently, cd/pwd/ls/cat FILE, stops at exit N', async () => {
  const k = keyboard();
  const c = container(k, false);
  k.type('echo a; cd /etc && pwd\nls\ncat /etc/hostname /nope\nexit 4\necho never\n');
  assert.equal(await runInContainer(['sh'], c.io), 4);
  assert.equal(c.shown(), "a\n/etc\nhostname\nhosts\nos-release\nweb-1\ncat: can't open '/nope': No such file or directory\n");
});

test('sh on a terminal: banner, prompt, CR LF output, cat left with Ctrl-D, Ctrl-C ends a foreground sleep with 130, EOF ends the shell', async () => {
  const k = keyboard();
  const c = container(k, true);
  const done = runInContainer(['/bin/sh'], c.io);
  const waitFor = async (s: string): Promise<void> => {
    while (!c.shown().includes(s)) await new Promise((r) => setImmediate(r));
  };
  await waitFor('/ # ');
  k.type('cat\rhi\r');
  await waitFor('hi\r\nhi\r\n');
  k.type('\x04');
  await waitFor('hi\r\n/ # ');
  k.type('sleep 60\r');
  await waitFor('sleep 60\r\n');
  k.type('\x03');
  await waitFor('^C\r\n/ # ');
  k.type('\x04');
  assert.equal(await done, 130, 'sh ends with the status of its last command');
  assert.match(c.shown(), /^hoopctl quickstart: a simulated shell in pod web-1 \(no real container runs here\)\.\r\n/);
  assert.doesNotMatch(c.shown(), /[^\r]\n/);
  assert.ok(c.shown().endsWith('/ # exit\r\n'), c.shown());
});

test('a program run directly with -t: Ctrl-D ends cat (0), Ctrl-C ends it with 130; unknown programs are not found', async () => {
  const k1 = keyboard();
  const c1 = container(k1, true);
  k1.type('x\r\x04');
  assert.equal(await runInContainer(['cat'], c1.io), 0);
  assert.equal(c1.shown(), 'x\r\nx\r\n');
  const k2 = keyboard();
  const c2 = container(k2, true);
  k2.type('\x03');
  assert.equal(await runInContainer(['cat'], c2.io), 130);
  const k3 = keyboard();
  assert.equal(await runInContainer(['bash'], container(k3, false).io), 127);
});
