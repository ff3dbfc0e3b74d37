/**
 * The detached session daemon of `hoopctl connect --print-env`. Its secrets (session JWT, local
 * token, certificate key) travel over the IPC channel only — never argv, env or files, which other
 * local users or later readers could see (`ps`, /proc/<pid>/environ, backups).
 */
import { spawn } from 'node:child_process';
import { HoopError, type ErrorCode } from '../errors.js';

/** How to start the daemon: normally `process.execPath` with the CLI entry and `__session-daemon`. */
export interface DaemonCommand {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  readyTimeoutMs?: number;
}

/** What the daemon reported once it serves. */
export interface DaemonStarted {
  pid: number;
  info: unknown;
}

type ToDaemon = { type: 'payload'; payload: unknown };
type FromDaemon = { type: 'ready'; info: unknown } | { type: 'failed'; error: { code?: string; message: string; hint?: string } };

const DEFAULT_READY_TIMEOUT_MS = 15_000;

/** Spawns the daemon detached, hands it `payload` over IPC, and resolves once it reports ready. */
export function spawnDaemon(cmd: DaemonCommand, payload: unknown): Promise<DaemonStarted> {
  // stdout/stderr must not be inherited: `eval "$(hoopctl connect --print-env)"` waits until every
  // writer of the pipe is gone, which would be the daemon's whole lifetime.
  const child = spawn(cmd.command, [...cmd.args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    ...(cmd.env === undefined ? {} : { env: cmd.env }),
    ...(cmd.cwd === undefined ? {} : { cwd: cmd.cwd }),
  });
  return new Promise<DaemonStarted>((resolve, reject) => {
    const fail = (message: string, code: ErrorCode = 'internal', hint?: string): void => {
      cleanup();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      reject(new HoopError(code, message, hint === undefined ? {} : { hint }));
    };
    const timer = setTimeout(() => fail('the session daemon did not report ready in time'), cmd.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    const onMessage = (m: FromDaemon): void => {
      if (m.type === 'ready') {
        cleanup();
        // Let this process exit while the daemon lives on.
        if (child.connected) child.disconnect();
        child.unref();
        resolve({ pid: child.pid ?? 0, info: m.info });
      } else if (m.type === 'failed') {
        fail(`the session daemon failed: ${m.error.message}`, (m.error.code as ErrorCode | undefined) ?? 'internal', m.error.hint);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`the session daemon exited before it was ready (${signal ?? `exit ${code}`})`);
    const onError = (err: Error): void => fail(`cannot start the session daemon: ${err.message}`);
    function cleanup(): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.once('error', onError);
    child.send({ type: 'payload', payload } satisfies ToDaemon, (err) => {
      if (err) fail(`cannot hand the session to the daemon: ${err.message}`);
    });
  });
}

function send(message: FromDaemon): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Daemon side: waits for the payload on the IPC channel the parent opened. */
export function receiveDaemonPayload(timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<unknown> {
  if (process.send === undefined) {
    return Promise.reject(new HoopError('usage', 'hoopctl __session-daemon is started by hoopctl connect --print-env, not by hand'));
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new HoopError('internal', 'no session payload arrived on the IPC channel'));
    }, timeoutMs);
    function onMessage(m: ToDaemon): void {
      if (m?.type !== 'payload') return;
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(m.payload);
    }
    process.on('message', onMessage);
  });
}

/** Daemon side: tells the parent the session is served, then drops the IPC channel. */
export async function reportDaemonReady(info: unknown): Promise<void> {
  await send({ type: 'ready', info });
  if (process.connected) process.disconnect();
}

/** Daemon side: tells the parent why the session could not be served (code, message and hint only). */
export async function reportDaemonFailed(error: unknown): Promise<void> {
  const e = error instanceof HoopError ? error.toJSON() : { code: 'internal', message: error instanceof Error ? error.message : String(error) };
  await send({ type: 'failed', error: e });
  if (process.connected) process.disconnect();
}
