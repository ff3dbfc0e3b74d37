/** Spawns the built CLI (bin/hoopctl) as a real process in a temporary HOME, for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Repository root (works from test/support and from dist/test/support). */
export const repoRoot = resolve(import.meta.dirname, import.meta.dirname.includes('/dist/') ? '../../..' : '../..');
/** The CLI shim under test. */
export const hoopctlBin = join(repoRoot, 'bin', 'hoopctl');

/** An isolated home for one test: HOME, XDG dirs, kubectl cache. */
export interface TempHome {
  dir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** Creates a temporary HOME with its own XDG config/runtime dirs and a file token store. */
export async function createTempHome(extraEnv: NodeJS.ProcessEnv = {}): Promise<TempHome> {
  const dir = await mkdtemp(join(tmpdir(), 'hoopctl-e2e-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, '.config'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    XDG_STATE_HOME: join(dir, '.local', 'state'),
    NO_COLOR: '1',
    HOOPCTL_TOKEN_STORE: 'file',
    ...extraEnv,
  };
  return { dir, env, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Result of a finished CLI run. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running CLI process with its output so far. */
export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` in stderr+stdout, or rejects after timeoutMs. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<CliResult>;
}

/** Starts `hoopctl args…` (or any command when `command` is given) with `env`. */
export function startCli(args: string[], env: NodeJS.ProcessEnv, opts: { command?: string; cwd?: string; stdin?: string } = {}): RunningCli {
  const child = spawn(opts.command ?? process.execPath, opts.command === undefined ? [hoopctlBin, ...args] : args, {
    env,
    cwd: opts.cwd ?? repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exited = false;
  const waiters = new Set<() => void>();
  const notify = (): void => waiters.forEach((w) => w());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    notify();
  });
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  const done = new Promise<CliResult>((res) => {
    child.on('close', (code, signal) => {
      exited = true;
      res({ code, signal, stdout: out, stderr: err });
      notify();
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor(re, timeoutMs = 20_000) {
      return new Promise((res, rej) => {
        let timer: NodeJS.Timeout | undefined;
        const check = (): boolean => {
          const m = (err + out).match(re);
          if (m) {
            res(m);
            return true;
          }
          if (exited) {
            rej(new Error(`process exited before ${re}:\nstdout: ${out}\nstderr: ${err}`));
            return true;
          }
          return false;
        };
        if (check()) return;
        const waiter = (): void => {
          if (check()) {
            waiters.delete(waiter);
            clearTimeout(timer);
          }
        };
        waiters.add(waiter);
        timer = setTimeout(() => {
          waiters.delete(waiter);
          rej(new Error(`timed out waiting for ${re}:\nstdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
      });
    },
  };
}

/** Runs `hoopctl args…` (or `command args…`) to completion, killing it after timeoutMs. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  opts: { command?: string; cwd?: string; stdin?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const r = startCli(args, env, opts);
  const t = setTimeout(() => r.child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  return r.done.finally(() => clearTimeout(t));
}
