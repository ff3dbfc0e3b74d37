/** Child processes of `exec` and `connect`: inherited stdio, merged env, forwarded signals, shell-style exit codes. */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** How a child ended. `code` follows the shell: the exit status, 128+n for signal n, 126/127 when it could not start. */
export interface ChildExit {
  code: number;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started (not found, not executable); safe to print. */
  spawnError?: string;
}

/** A started child. */
export interface RunningChild {
  readonly pid: number | undefined;
  readonly exited: Promise<ChildExit>;
  /** Sends a signal; false when the child is already gone. */
  kill(signal: NodeJS.Signals): boolean;
}

/** Options of spawnChild. */
export interface SpawnChildOptions {
  command: string;
  args: readonly string[];
  /** Variables added on top of `baseEnv` (the session's KUBECONFIG, HOOP_*). */
  env: Record<string, string>;
  baseEnv: NodeJS.ProcessEnv;
  cwd?: string;
  /** Signals hoopctl catches while the child runs and re-sends to it. */
  forwardSignals?: readonly NodeJS.Signals[];
  /**
   * True when the child shares our terminal's foreground process group: then the terminal already
   * delivered Ctrl-C (SIGINT) and Ctrl-\ (SIGQUIT) to it, and re-sending would deliver them twice
   * (terraform and helm treat a second interrupt as "abort without cleanup"). They are still
   * caught, so hoopctl outlives the child and tears the session down.
   */
  terminalDeliversInterrupts?: boolean;
}

/** The signals `exec` forwards. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** Shell convention for an exit: the status itself, or 128 + the signal's number. */
export function childExitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return code ?? 1;
}

/** Starts `command` with inherited stdio and forwards signals to it until it exits. */
export function spawnChild(options: SpawnChildOptions): RunningChild {
  const child = spawn(options.command, [...options.args], {
    stdio: 'inherit',
    env: { ...options.baseEnv, ...options.env },
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of options.forwardSignals ?? []) {
    const fromTerminal = options.terminalDeliversInterrupts === true && (sig === 'SIGINT' || sig === 'SIGQUIT');
    const h = (): void => {
      if (!fromTerminal && child.exitCode === null && child.signalCode === null) child.kill(sig);
    };
    handlers.set(sig, h);
    process.on(sig, h);
  }
  const release = (): void => {
    for (const [sig, h] of handlers) process.off(sig, h);
    handlers.clear();
  };
  const exited = new Promise<ChildExit>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      // 'error' without a pid means the command never started; 'close' may not follow.
      if (child.pid !== undefined) return;
      release();
      const notFound = err.code === 'ENOENT';
      resolve({
        code: notFound ? 127 : 126,
        signal: null,
        spawnError: `${notFound ? 'command not found' : 'cannot run command'}: ${options.command} (${err.code ?? err.message})`,
      });
    });
    child.once('exit', (code, signal) => {
      release();
      resolve({ code: childExitCode(code, signal), signal });
    });
  });
  return {
    pid: child.pid,
    exited,
    kill: (signal) => child.exitCode === null && child.signalCode === null && child.kill(signal),
  };
}
