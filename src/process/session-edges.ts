/** The real clock, timers, randomness, files, sockets and processes behind the session use cases. */
import { randomBytes } from 'node:crypto';
import { createLocalProxy, type RequestLogLine } from '../local-proxy/create-local-proxy.js';
import { createSessionCertificate } from '../local-proxy/session-certificate.js';
import { createSessionDir, findSessions, removeSessionDir, sweepStaleSessions } from '../local-proxy/session-dir.js';
import { buildTombstoneKubeconfig, pruneToTombstone, writeTombstone } from '../local-proxy/tombstone.js';
import type { ChildDeps, SessionDirs, SessionEdges } from '../usecases/session-deps.js';
import { isProcessAlive } from './process-alive.js';
import { spawnChild } from './spawn-child.js';

/** The session directory functions of local-proxy/session-dir.ts. */
export const sessionDirs: SessionDirs = {
  create: createSessionDir,
  remove: removeSessionDir,
  find: findSessions,
  sweep: sweepStaleSessions,
  tombstones: { build: buildTombstoneKubeconfig, write: writeTombstone, prune: pruneToTombstone },
};

/** Subscribes `handler` to process signals; returns the unsubscribe function. */
export function onProcessSignal(signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): () => void {
  const bound = signals.map((s) => [s, () => handler(s)] as const);
  for (const [s, h] of bound) process.on(s, h);
  return () => {
    for (const [s, h] of bound) process.off(s, h);
  };
}

/** Real session edges for a sessions dir (from `resolvePaths(env).sessionsDir`). */
export function createSessionEdges(options: { sessionsDir: string; onRequest?: (line: RequestLogLine) => void }): SessionEdges {
  return {
    now: Date.now,
    randomBytes: (n) => randomBytes(n),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    pid: process.pid,
    isAlive: isProcessAlive,
    sessionsDir: options.sessionsDir,
    sessionDirs,
    createCertificate: createSessionCertificate,
    createLocalProxy,
    nodePath: process.execPath,
    ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
  };
}

/** Real child-process edges for `exec` and the subshell. */
export function createChildEdges(options: { env: NodeJS.ProcessEnv; stderr?: { write(text: string): unknown }; stdinIsTTY?: boolean }): ChildDeps {
  return {
    spawnChild,
    onSignal: onProcessSignal,
    baseEnv: options.env,
    stderr: options.stderr ?? process.stderr,
    stdinIsTTY: options.stdinIsTTY ?? process.stdin.isTTY === true,
  };
}
