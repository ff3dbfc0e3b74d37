// The terminal of a simulated container. With `kubectl exec -t`, kubectl puts the local terminal in raw mode and
// sends every key as typed; a real container's pseudo-terminal then does the line discipline (termios(3)): it echoes
// what is typed, turns Enter (CR) into a newline (ICRNL), edits the line (Backspace, Ctrl-U), ends the input of the
// program reading it on Ctrl-D at the start of a line (EOF, not the end of the stream: the shell reads on), stops
// the foreground program on Ctrl-C (SIGINT) and turns every "\n" written into "\r\n" (ONLCR) — without which the
// output staircases across the user's raw-mode terminal. Without -t, stdin is split into lines and nothing else.
import { StringDecoder } from 'node:string_decoder';

/** What a reader of the terminal gets next. */
export type InputEvent =
  | { kind: 'line'; text: string }
  /** Ctrl-D at the start of a line (with -t). */
  | { kind: 'eof' }
  /** Ctrl-C (with -t). */
  | { kind: 'intr' }
  /** The client's stdin ended (kubectl closed it, or went away): nothing more will come. */
  | { kind: 'closed' };

/** Line input for the programs of one exec; one pump reads the client's stdin from the start. */
export interface LineInput {
  next(): Promise<InputEvent>;
  /** While a program runs in the foreground, Ctrl-C also calls `interrupt`; returns the function that ends that. */
  foreground(interrupt: () => void): () => void;
  /** Drops the queued Ctrl-C that stopped the foreground program (the shell saw it as the program's end). */
  dropInterrupt(): void;
  /** Stdin for one program: the lines typed until Ctrl-D, Ctrl-C or the end of the client's stdin. */
  programInput(): AsyncIterable<Buffer>;
}

/** "\n" → "\r\n", as a terminal's ONLCR output flag does. */
export function onlcr(data: Buffer | string): Buffer {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  if (!buf.includes(10)) return buf;
  const parts: Buffer[] = [];
  let from = 0;
  for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, from)) {
    parts.push(buf.subarray(from, nl), CRLF);
    from = nl + 1;
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}
const CRLF = Buffer.from('\r\n');

const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_U = '\x15';
const ESC = '\x1b';

/**
 * Reads `raw` (the client's stdin) into line events. With `echo` (a terminal was asked for), the line discipline
 * above applies and `echo` writes what a terminal shows as keys are typed.
 */
export function createLineInput(raw: AsyncIterable<Buffer>, echo?: (text: string) => Promise<void>): LineInput {
  const queue: InputEvent[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  const interrupts = new Set<() => void>();
  const push = (e: InputEvent): void => {
    queue.push(e);
    wake?.();
  };

  let line = '';
  let escape: 'none' | 'start' | 'sequence' = 'none';
  let lastWasCr = false;
  const key = async (c: string): Promise<void> => {
    // Cursor keys and the like (ESC [ … final byte) are not part of a line here.
    if (escape === 'start') {
      escape = c === '[' || c === 'O' ? 'sequence' : 'none';
      return;
    }
    if (escape === 'sequence') {
      if (c >= '@' && c <= '~') escape = 'none';
      return;
    }
    const wasCr = lastWasCr;
    lastWasCr = c === '\r';
    if (c === ESC) {
      escape = 'start';
      return;
    }
    if (c === '\n' && wasCr) return;
    if (c === '\r' || c === '\n') {
      await echo!('\r\n');
      push({ kind: 'line', text: `${line}\n` });
      line = '';
      return;
    }
    if (c === CTRL_C) {
      await echo!('^C\r\n');
      line = '';
      queue.length = 0; // a terminal flushes typed-ahead input on an interrupt
      push({ kind: 'intr' });
      for (const f of interrupts) f();
      return;
    }
    if (c === CTRL_D) {
      // At the start of a line: EOF; after some text: that text is passed on without a newline.
      push(line === '' ? { kind: 'eof' } : { kind: 'line', text: line });
      line = '';
      return;
    }
    if (c === '\x7f' || c === '\b') {
      if (line === '') return;
      line = [...line].slice(0, -1).join('');
      await echo!('\b \b');
      return;
    }
    if (c === CTRL_U) {
      await echo!('\b \b'.repeat([...line].length));
      line = '';
      return;
    }
    if (c < ' ' && c !== '\t') return;
    line += c;
    await echo!(c);
  };

  void (async () => {
    const decoder = new StringDecoder('utf8');
    let pending = '';
    try {
      for await (const chunk of raw) {
        const text = decoder.write(chunk);
        if (echo === undefined) {
          pending += text;
          for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
            push({ kind: 'line', text: pending.slice(0, nl + 1) });
            pending = pending.slice(nl + 1);
          }
        } else {
          for (const c of text) await key(c);
        }
      }
    } catch {
      // The stream broke: the same as its end.
    }
    const rest = pending + decoder.end();
    if (echo === undefined && rest !== '') push({ kind: 'line', text: rest });
    closed = true;
    wake?.();
  })();

  const next = async (): Promise<InputEvent> => {
    while (queue.length === 0 && !closed)
      await new Promise<void>((r) => {
        wake = r;
      });
    return queue.shift() ?? { kind: 'closed' };
  };
  return {
    next,
    foreground(interrupt) {
      interrupts.add(interrupt);
      return () => {
        interrupts.delete(interrupt);
      };
    },
    dropInterrupt() {
      if (queue[0]?.kind === 'intr') queue.shift();
    },
    programInput: () => ({
      [Symbol.asyncIterator]: () => ({
        async next(): Promise<IteratorResult<Buffer>> {
          const e = await next();
          if (e.kind === 'line') return { done: false, value: Buffer.from(e.text, 'utf8') };
          // The interrupt stays queued for the shell to drop (dropInterrupt) once the program has ended.
          if (e.kind === 'intr') queue.unshift(e);
          return { done: true, value: undefined };
        },
      }),
    }),
  };
}

/** The streams of an exec that asked for a terminal: output through ONLCR, stdin through the line discipline. */
export function withTerminal(io: ContainerIO): ContainerIO {
  const terminal = io.stdin === undefined ? undefined : createLineInput(io.stdin, (text) => io.stdout(text));
  return {
    ...io,
    stdout: (d) => io.stdout(onlcr(d)),
    stderr: (d) => io.stderr(onlcr(d)),
    stdin: terminal?.programInput(),
    ...(terminal === undefined ? {} : { terminal }),
  };
}

/** The streams of one exec, as kubelet hands them to the runtime. */
export interface ContainerIO {
  stdout(data: Buffer | string): Promise<void>;
  stderr(data: Buffer | string): Promise<void>;
  /** Undefined when the client did not ask for stdin. */
  stdin: AsyncIterable<Buffer> | undefined;
  tty: boolean;
  env: Record<string, string>;
  /** Aborted when the client goes away (and, for the foreground program of a terminal, on Ctrl-C). */
  signal: AbortSignal;
  /** With -t and stdin: the terminal's line input (Ctrl-D, Ctrl-C), of which `stdin` is one program's share. */
  terminal?: LineInput;
}
