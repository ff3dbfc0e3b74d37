/**
 * `hoopctl connect --print-env`: the CLI requests the session, a detached daemon serves it, the CLI
 * prints `export KUBECONFIG=…` and exits. The daemon runs until expiry or `hoopctl disconnect`.
 */
import { HoopError } from '../errors.js';
import type { GatewayClient } from '../platform/gateway-client.js';
import { requestSession, serveSession, type EndReason, type SessionGrant, type StartSessionInput } from './connect.js';
import type { ConnectDeps, ServeDeps } from './session-deps.js';

/** What the daemon reports once it serves the session. */
export interface DaemonReadyInfo {
  sessionId: string;
  kubeconfigPath: string;
  expiresAt: string;
}

/** runBackground's extra edge: start the daemon and hand it the grant over IPC (never argv, env or files). */
export interface BackgroundDeps extends ConnectDeps {
  spawnDaemon(grant: SessionGrant): Promise<{ pid: number; info: unknown }>;
}

/** A session served by a daemon. */
export interface BackgroundSession extends DaemonReadyInfo {
  connection: string;
  pid: number;
  env: Record<string, string>;
  /** `export NAME='value'` lines for `eval "$(hoopctl connect prod --print-env)"`. */
  exports: string;
}

/** The daemon's deps: the serving edges, a gateway client for the grant's gateway, and its IPC reports. */
export interface SessionDaemonDeps extends Omit<ServeDeps, 'gateway'> {
  gatewayFor(baseUrl: string): Pick<GatewayClient, 'endSession' | 'listSessions'>;
  reportReady(info: DaemonReadyInfo): Promise<void>;
  reportFailed(error: unknown): Promise<void>;
  onSignal(signals: readonly NodeJS.Signals[], handler: (signal: NodeJS.Signals) => void): () => void;
}

/** Quotes a value for POSIX sh. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** `export K='v'` lines for the given variables, one per line. */
export function formatExports(env: Record<string, string>): string {
  return (
    Object.entries(env)
      .map(([k, v]) => `export ${k}=${shellQuote(v)}`)
      .join('\n') + '\n'
  );
}

/** Requests the session here and has a detached daemon serve it; resolves once the daemon is ready. */
export async function runBackground(deps: BackgroundDeps, input: StartSessionInput): Promise<BackgroundSession> {
  const grant = await requestSession(deps, input);
  let started: { pid: number; info: unknown };
  try {
    started = await deps.spawnDaemon(grant);
  } catch (e) {
    await deps.gateway.endSession(grant.session.token, grant.session.sessionId).catch(() => undefined);
    throw e;
  }
  const info = started.info as Partial<DaemonReadyInfo>;
  if (typeof info?.kubeconfigPath !== 'string') throw new HoopError('internal', 'the session daemon reported no kubeconfig path');
  const { session } = grant;
  const env = {
    KUBECONFIG: info.kubeconfigPath,
    HOOP_SESSION: session.sessionId,
    HOOP_CONNECTION: session.connection,
    HOOP_EXPIRES_AT: session.expiresAt,
    ...(session.role === undefined ? {} : { HOOP_ROLE: session.role }),
  };
  return {
    sessionId: session.sessionId,
    connection: session.connection,
    kubeconfigPath: info.kubeconfigPath,
    expiresAt: session.expiresAt,
    pid: started.pid,
    env,
    exports: formatExports(env),
  };
}

/** Checks the shape of a grant that arrived over IPC. */
export function parseSessionGrant(payload: unknown): SessionGrant {
  const g = payload as Partial<SessionGrant> | null;
  const s = g?.session;
  const strings = [g?.gateway, g?.localToken, g?.certPem, g?.keyPem, s?.sessionId, s?.connection, s?.token, s?.server, s?.expiresAt, s?.user];
  if (g === null || typeof g !== 'object' || strings.some((v) => typeof v !== 'string')) {
    throw new HoopError('internal', 'the session daemon received a malformed session payload');
  }
  return g as SessionGrant;
}

/** Daemon entry (`hoopctl __session-daemon`): serves the grant until expiry or SIGTERM/SIGINT/SIGHUP. */
export async function runSessionDaemon(payload: unknown, deps: SessionDaemonDeps): Promise<EndReason> {
  let grant: SessionGrant;
  try {
    grant = parseSessionGrant(payload);
  } catch (e) {
    await deps.reportFailed(e);
    throw e;
  }
  const gateway = deps.gatewayFor(grant.gateway);
  let session;
  try {
    session = await serveSession({ ...deps, gateway }, grant);
  } catch (e) {
    // The parent ends the session at the gateway when it hears of the failure.
    await deps.reportFailed(e);
    throw e;
  }
  const running = session;
  const off = deps.onSignal(['SIGTERM', 'SIGINT', 'SIGHUP'], () => {
    void running.end('disconnected');
  });
  await deps.reportReady({ sessionId: running.sessionId, kubeconfigPath: running.kubeconfigPath, expiresAt: running.expiresAt });
  const reason = await running.done;
  off();
  // The proxy lingers a moment after the end, answering kubectl commands already under way with why.
  await running.stopped();
  return reason;
}
