/** What the session use cases need from the outside world; `process/session-edges.ts` supplies the real ones. */
import type { Clock } from '../clock.js';
import type { GatewayClient } from '../platform/gateway-client.js';
import type { LocalProxy, LocalProxyOptions, RequestLogLine } from '../local-proxy/create-local-proxy.js';
import type { SessionCertificate, SessionCertificateOptions } from '../local-proxy/session-certificate.js';
import type { createSessionDir, findSessions, removeSessionDir, sweepStaleSessions, SessionRecord } from '../local-proxy/session-dir.js';
import type { buildTombstoneKubeconfig, pruneToTombstone, writeTombstone } from '../local-proxy/tombstone.js';
import type { RunningChild, SpawnChildOptions } from '../process/spawn-child.js';
import type { SessionApprovalDeps } from './approvals.js';

/** An opaque timer handle from `setTimeout`. */
export type TimerHandle = unknown;

/** Session directory operations (see local-proxy/session-dir.ts). */
export interface SessionDirs {
  create: typeof createSessionDir;
  remove: typeof removeSessionDir;
  find: typeof findSessions;
  sweep: typeof sweepStaleSessions;
  /** Tombstones of ended sessions (local-proxy/tombstone.ts); without them an ended session's dir is removed. */
  tombstones?: { build: typeof buildTombstoneKubeconfig; write: typeof writeTombstone; prune: typeof pruneToTombstone };
}

/** Clock, randomness, timers, files and sockets shared by every session use case. */
export interface SessionEdges {
  now: Clock;
  randomBytes(size: number): Buffer;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** This process's id, recorded in session.json as the owner of the proxy. */
  pid: number;
  isAlive(pid: number): boolean;
  sessionsDir: string;
  sessionDirs: SessionDirs;
  createCertificate(options: SessionCertificateOptions): Promise<SessionCertificate>;
  createLocalProxy(options: LocalProxyOptions): Promise<LocalProxy>;
  /** Called per proxied request (for `--verbose`). */
  onRequest?(line: RequestLogLine): void;
  /** The node binary a tombstone's exec plugin runs (`process.execPath`). */
  nodePath?: string;
}

/** Serving a session needs the edges and a way to tell the gateway it ended. */
export interface ServeDeps extends SessionEdges {
  /** `listSessions` (with the session token) tells whether the gateway ended the session; optional. */
  gateway: Pick<GatewayClient, 'endSession'> & Partial<Pick<GatewayClient, 'listSessions'>>;
}

/** Starting a session also needs the gateway's session endpoint and an IdP ID token. */
export interface ConnectDeps extends SessionEdges {
  gateway: Pick<GatewayClient, 'baseUrl' | 'createSession' | 'endSession'> & Partial<Pick<GatewayClient, 'listSessions'>>;
  getIdToken(): Promise<string>;
  /** Extra CA (PEM) of a gateway with a private CA, for the proxy's upstream connection. */
  upstreamCaPem?: string;
  /** Ends at the gateway a session a sweep found without its owner (the owner's login; best effort). */
  endSwept?(record: SessionRecord): Promise<void>;
  /** Access requests for roles granted only with approval (absent: such a role fails with exit 5). */
  approval?: SessionApprovalDeps;
}

/** Something to write messages to (stderr). */
export interface Writer {
  write(text: string): unknown;
}

/** Running a child (subshell or command) inside a session. */
export interface ChildDeps {
  spawnChild(options: SpawnChildOptions): RunningChild;
  /** Subscribes to process signals; returns the unsubscribe function. */
  onSignal(signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): () => void;
  baseEnv: NodeJS.ProcessEnv;
  stderr: Writer;
  /** True when stdin is a terminal: Ctrl-C then reaches the child directly. */
  stdinIsTTY: boolean;
}
