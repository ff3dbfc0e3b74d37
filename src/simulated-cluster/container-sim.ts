// What runs "inside" a simulated container for exec and attach: a handful of commands, a tiny
// `sh -c` (`;` and `&&` lists, `cmd | head -c N`, `>&2`, `exit N`), enough for tests to check
// output, stdin, stderr, exit codes and throughput, and an interactive `sh` for the quickstart
// (interactive-shell.ts, behind a terminal's line discipline with -t: terminal.ts). Nothing here
// touches the real machine (the files `ls` shows are container-files.ts).
import { changeDirectory, helpText, listFiles, readFiles, SIMULATED_COMMANDS, type FileAnswer } from './container-files.js';
import { runForeground, runInteractiveShell } from './interactive-shell.js';
import type { ContainerIO } from './terminal.js';

export type { ContainerIO } from './terminal.js';

class ExitSignal {
  constructor(readonly code: number) {}
}
class PipeClosed {}

const YES_CHUNK = 16 * 1024;

/** Splits a shell word list: single and double quotes, backslash escapes, `$VAR`. */
export function shellWords(line: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let cur = '';
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end === -1 ? line.length : end);
      i = end === -1 ? line.length : end;
      started = true;
    } else if (ch === '"') {
      i++;
      for (; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$'.includes(line[i + 1]!)) cur += line[++i];
        else if (line[i] === '$') {
          const m = /^\$([A-Za-z_]\w*)/.exec(line.slice(i));
          if (m) {
            cur += env[m[1]!] ?? '';
            i += m[0].length - 1;
          } else cur += '$';
        } else cur += line[i];
      }
      started = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      started = true;
    } else if (ch === '$' && /^\$[A-Za-z_]/.test(line.slice(i))) {
      const m = /^\$([A-Za-z_]\w*)/.exec(line.slice(i))!;
      cur += env[m[1]!] ?? '';
      i += m[0].length - 1;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(cur);
      cur = '';
      started = false;
    } else {
      cur += ch;
      started = true;
    }
  }
  if (started) words.push(cur);
  return words;
}

function unescape(fmt: string): string {
  return fmt.replace(/\\(n|t|r|\\|0)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\', 0: '\0' })[c] ?? c);
}

function printf(args: string[]): string {
  const [fmt = '', ...rest] = args;
  let i = 0;
  return unescape(fmt).replace(/%([sd%])/g, (_, c: string) => (c === '%' ? '%' : c === 'd' ? String(Number(rest[i++] ?? 0) | 0) : (rest[i++] ?? '')));
}

async function sleep(seconds: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, Math.max(0, seconds) * 1000);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

async function answer(a: FileAnswer, io: ContainerIO): Promise<number> {
  if (a.out !== '') await io.stdout(a.out);
  if (a.err !== '') await io.stderr(a.err);
  return a.code;
}

async function runSimple(words: string[], io: ContainerIO): Promise<number> {
  const [cmd = '', ...args] = words;
  switch (cmd) {
    case 'echo': {
      const n = args[0] === '-n';
      await io.stdout(`${(n ? args.slice(1) : args).join(' ')}${n ? '' : '\n'}`);
      return 0;
    }
    case 'printf':
      await io.stdout(printf(args));
      return 0;
    case 'cat':
      if (args.length > 0) return answer(readFiles(args, io.env), io);
      if (io.stdin !== undefined) for await (const chunk of io.stdin) await io.stdout(chunk);
      return 0;
    case 'ls':
      return answer(listFiles(args, io.env), io);
    case 'cd':
      return answer(changeDirectory(args, io.env), io);
    case 'pwd':
      await io.stdout(`${io.env.PWD ?? '/'}\n`);
      return 0;
    case 'help':
      await io.stdout(helpText());
      return 0;
    case 'env':
      await io.stdout(
        Object.entries(io.env)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
      );
      return 0;
    case 'hostname':
      await io.stdout(`${io.env.HOSTNAME ?? ''}\n`);
      return 0;
    case 'true':
      return 0;
    case 'false':
      return 1;
    case 'exit':
      throw new ExitSignal(Number(args[0] ?? 0) & 0xff);
    case 'sleep':
      await sleep(Number(args[0] ?? 0), io.signal);
      return 0;
    case 'yes': {
      const line = Buffer.from(`${args.length > 0 ? args.join(' ') : 'y'}\n`);
      const block = Buffer.alloc(Math.max(line.length, YES_CHUNK - (YES_CHUNK % line.length)));
      for (let off = 0; off < block.length; off += line.length) line.copy(block, off);
      while (!io.signal.aborted) await io.stdout(block);
      return 0;
    }
    case 'sh':
      if (args[0] === '-c' && args[1] !== undefined) return runScript(args[1], io);
      if (args.length === 0 || args[0] === '-i' || args[0] === '-') return runInteractiveShell(io, runLine);
      await io.stderr('sh: only sh -c SCRIPT and an interactive sh are simulated\n');
      return 2;
    default:
      await io.stderr(`sh: ${cmd}: not found\n`);
      return 127;
  }
}

// `producer | head -c N` / `head -n N`: the producer's stdout is cut after N bytes or lines, as SIGPIPE would.
async function runHead(producer: string[], head: string[], io: ContainerIO): Promise<number> {
  const [, flag, countText] = head;
  let left = Number(countText ?? 10);
  const lines = flag === '-n';
  const capped: ContainerIO = {
    ...io,
    async stdout(data) {
      if (left <= 0) throw new PipeClosed();
      let buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (lines) {
        let end = 0;
        while (left > 0 && end < buf.length) {
          const nl = buf.indexOf(10, end);
          end = nl === -1 ? buf.length : nl + 1;
          if (nl !== -1) left--;
        }
        buf = buf.subarray(0, end);
      } else {
        buf = buf.subarray(0, left);
        left -= buf.length;
      }
      await io.stdout(buf);
      if (left <= 0) throw new PipeClosed();
    },
  };
  try {
    await runSimple(producer, capped);
  } catch (e) {
    if (!(e instanceof PipeClosed)) throw e;
  }
  return 0;
}

async function runScript(script: string, io: ContainerIO): Promise<number> {
  let code = 0;
  for (const statement of script.split(/;|\n/)) {
    for (const [i, part] of statement.split('&&').entries()) {
      if (i > 0 && code !== 0) break;
      let text = part.trim();
      if (text === '') continue;
      let cmdIo = io;
      if (/\s1?>&2$/.test(text)) {
        text = text.replace(/\s1?>&2$/, '');
        cmdIo = { ...io, stdout: io.stderr };
      }
      const pipe = text.split('|').map((p) => shellWords(p.trim(), io.env));
      if (pipe.length === 2 && pipe[1]![0] === 'head') code = await runHead(pipe[0]!, pipe[1]!, cmdIo);
      else if (pipe.length === 1) code = await runSimple(pipe[0]!, cmdIo);
      else {
        await io.stderr('sh: only `cmd | head -c N` pipelines are simulated\n');
        code = 2;
      }
    }
  }
  return code;
}

// One line typed into the interactive shell; `exit` ends the shell, not the exec's promise chain.
async function runLine(line: string, io: ContainerIO): Promise<{ code: number; exit: boolean }> {
  try {
    return { code: await runScript(line, io), exit: false };
  } catch (e) {
    if (e instanceof ExitSignal) return { code: e.code, exit: true };
    if (e instanceof PipeClosed) return { code: 141, exit: false };
    throw e;
  }
}

/** Runs `argv` as exec would (with -t and stdin, as the terminal's foreground program); resolves with its exit code. */
export async function runInContainer(argv: string[], io: ContainerIO): Promise<number> {
  try {
    const program = argv[0] === '/bin/sh' ? 'sh' : (argv[0]?.replace(/^\/bin\//, '') ?? '');
    if (!SIMULATED_COMMANDS.includes(program) || ['cd', 'exit', 'help'].includes(program)) {
      await io.stderr(
        `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0] ?? ''}": executable file not found in $PATH: unknown\n`,
      );
      return 127;
    }
    // The shell takes Ctrl-C itself (it stops the shell's foreground command, not the shell).
    if (program === 'sh') return await runSimple(['sh', ...argv.slice(1)], io);
    return await runForeground(io, (fio) => runSimple([program, ...argv.slice(1)], fio));
  } catch (e) {
    if (e instanceof ExitSignal) return e.code;
    if (e instanceof PipeClosed) return 141;
    throw e;
  }
}
