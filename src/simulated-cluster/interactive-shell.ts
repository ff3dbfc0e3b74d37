// `sh` without `-c` in a simulated container: it reads commands from stdin, a line at a time, until EOF or `exit`.
// With a terminal (`kubectl exec -it POD -- sh`) it says it is a simulation, shows a prompt, and Ctrl-C stops the
// command in the foreground (the terminal's line discipline is in terminal.ts); without one it reads a script from
// stdin silently, as sh does.
import { createLineInput, type ContainerIO, type LineInput } from './terminal.js';

/** What running one command line did: its exit code, and whether it was `exit`. */
export interface LineResult {
  code: number;
  exit: boolean;
}

/** Runs `run(io)` as the terminal's foreground program: Ctrl-C aborts it, and it then ends with 130 (128 + SIGINT). */
export async function runForeground(io: ContainerIO, run: (io: ContainerIO) => Promise<number>): Promise<number> {
  const terminal = io.terminal;
  if (terminal === undefined) return run(io);
  const abort = new AbortController();
  const onAbort = (): void => abort.abort();
  io.signal.addEventListener('abort', onAbort, { once: true });
  let interrupted = false;
  const release = terminal.foreground(() => {
    interrupted = true;
    abort.abort();
  });
  try {
    const code = await run({ ...io, signal: abort.signal });
    return interrupted ? 130 : code;
  } finally {
    release();
    io.signal.removeEventListener('abort', onAbort);
    if (interrupted) terminal.dropInterrupt();
  }
}

function banner(io: ContainerIO): string {
  return (
    `hoopctl quickstart: a simulated shell in pod ${io.env.HOSTNAME ?? ''} (no real container runs here).\n` +
    'It knows echo, ls, cd, pwd, cat, env, hostname, printf, sleep, yes; `help` lists them. Ctrl-D or `exit` leaves.\n'
  );
}

/** The interactive shell; resolves with its exit code (`exit N`, or the last command's at EOF). */
export async function runInteractiveShell(io: ContainerIO, runLine: (line: string, io: ContainerIO) => Promise<LineResult>): Promise<number> {
  // Without stdin (`kubectl exec POD -- sh`) sh reads an empty input and ends, as it would from /dev/null.
  const input: LineInput | undefined = io.terminal ?? (io.stdin === undefined ? undefined : createLineInput(io.stdin));
  if (input === undefined) return 0;
  const stdin = input.programInput();
  if (io.tty) await io.stdout(banner(io));
  let status = 0;
  for (;;) {
    if (io.signal.aborted) return status;
    if (io.tty) await io.stdout(`${io.env.PWD ?? '/'} # `);
    const e = await input.next();
    if (e.kind === 'closed' || e.kind === 'eof') {
      if (io.tty) await io.stdout('exit\n');
      return status;
    }
    if (e.kind === 'intr' || e.text.trim() === '') continue;
    let result: LineResult = { code: 0, exit: false };
    status = await runForeground({ ...io, stdin }, async (cmdIo) => {
      result = await runLine(e.text, cmdIo);
      return result.code;
    });
    if (result.exit) return status;
  }
}
