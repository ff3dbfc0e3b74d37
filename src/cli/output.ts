/** Terminal output: colour that respects NO_COLOR / FORCE_COLOR and non-TTY streams, error printing, spinners. */
import { HoopError } from '../errors.js';

/** The few styles the CLI prints with; identity functions at colour level 0. */
export interface Colors {
  bold(text: string): string;
  cyan(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
}

// SGR open/close pairs as chalk writes them at level 1 (ECMA-48 §8.3.117); a local table instead of chalk, which cost
// every command ~12 ms of CPU to load for five styles.
const SGR: Record<keyof Colors, [number, number]> = { bold: [1, 22], cyan: [36, 39], green: [32, 39], red: [31, 39], yellow: [33, 39] };

/** Colour functions for `level` (0: none). */
export function createColors(level: 0 | 1): Colors {
  const style =
    ([open, close]: [number, number]) =>
    (text: string): string =>
      level === 0 || text === '' ? text : `\x1b[${open}m${text}\x1b[${close}m`;
  return { bold: style(SGR.bold), cyan: style(SGR.cyan), green: style(SGR.green), red: style(SGR.red), yellow: style(SGR.yellow) };
}

/** A writable the CLI prints to (process.stdout / process.stderr, or a buffer in tests). */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** A terminal's width (process.stdout.columns). */
  columns?: number;
}

/** What commands print through. */
export interface Output {
  stdout: OutStream;
  stderr: OutStream;
  /** Colours for stderr messages (level 0 when NO_COLOR is set or stderr is not a TTY). */
  c: Colors;
  /** Colours for stdout (tables): level 0 when NO_COLOR is set or stdout is not a TTY. */
  co: Colors;
  /** The width tables on stdout fit: the terminal's, undefined when stdout is not a terminal (nothing is cut then). */
  width(): number | undefined;
  /** Prints `error: …` and `hint: …` (or JSON `{code,message,hint}` with json=true) to stderr. */
  printError(e: unknown, opts?: { json?: boolean; verbose?: boolean }): void;
  /** A status line on stderr: animated on a TTY, one plain line per update otherwise. */
  status(text: string): StatusLine;
}

/** A running status line. */
export interface StatusLine {
  update(text: string): void;
  stop(finalText?: string): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Colour level for a stream under an environment (https://no-color.org). */
export function colorLevel(stream: OutStream, env: NodeJS.ProcessEnv): 0 | 1 {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return 1;
  if (env.TERM === 'dumb') return 0;
  return stream.isTTY === true ? 1 : 0;
}

/** The width of a terminal stream (its columns, else `$COLUMNS`, else 80); undefined when it is not a terminal. */
export function terminalWidth(stream: OutStream, env: NodeJS.ProcessEnv): number | undefined {
  if (stream.isTTY !== true) return undefined;
  if (stream.columns !== undefined && stream.columns > 0) return stream.columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
}

/** Creates the Output used by every command. */
export function createOutput(stdout: OutStream, stderr: OutStream, env: NodeJS.ProcessEnv): Output {
  const c = createColors(colorLevel(stderr, env));
  const co = createColors(colorLevel(stdout, env));
  const width = (): number | undefined => terminalWidth(stdout, env);
  const animated = stderr.isTTY === true && env.TERM !== 'dumb' && env.CI === undefined;

  function printError(e: unknown, opts: { json?: boolean; verbose?: boolean } = {}): void {
    if (e instanceof HoopError) {
      if (opts.json === true) {
        stderr.write(`${JSON.stringify(e.toJSON())}\n`);
      } else {
        stderr.write(`${c.red('error:')} ${e.message}\n`);
        if (e.hint !== undefined) stderr.write(`${c.yellow('hint:')} ${e.hint}\n`);
      }
      if (opts.verbose === true && e.stack !== undefined) stderr.write(`${e.stack}\n`);
      return;
    }
    // Not one of ours: a bug. Say so, with the stack only under --verbose.
    const msg = e instanceof Error ? e.message : String(e);
    if (opts.json === true) {
      stderr.write(`${JSON.stringify({ code: 'internal', message: `internal error (a bug in hoopctl): ${msg}` })}\n`);
    } else {
      stderr.write(`${c.red('error:')} internal error (a bug in hoopctl): ${msg}\n`);
      stderr.write(`${c.yellow('hint:')} rerun with --verbose and report it\n`);
    }
    if (opts.verbose === true && e instanceof Error && e.stack !== undefined) stderr.write(`${e.stack}\n`);
  }

  function status(text: string): StatusLine {
    let current = text;
    let frame = 0;
    let timer: NodeJS.Timeout | undefined;
    if (animated) {
      const draw = (): void => {
        stderr.write(`\r\x1b[2K${c.cyan(FRAMES[frame % FRAMES.length] ?? '')} ${current}`);
        frame += 1;
      };
      draw();
      timer = setInterval(draw, 100);
      timer.unref();
    } else {
      stderr.write(`${current}\n`);
    }
    return {
      update(next: string): void {
        if (next === current) return;
        current = next;
        if (!animated) stderr.write(`${current}\n`);
      },
      stop(finalText?: string): void {
        if (timer !== undefined) clearInterval(timer);
        if (animated) stderr.write('\r\x1b[2K');
        if (finalText !== undefined) stderr.write(`${finalText}\n`);
      },
    };
  }

  return { stdout, stderr, c, co, width, printError, status };
}
