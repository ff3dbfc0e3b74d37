/** Body of the hidden `hoopctl __session-daemon` command: receive the grant over IPC and serve it until it ends. */
import { createGatewayClient } from '../platform/gateway-client.js';
import { runSessionDaemon, type SessionDaemonDeps } from '../usecases/background.js';
import type { EndReason } from '../usecases/connect.js';
import { receiveDaemonPayload, reportDaemonFailed, reportDaemonReady } from './daemon.js';
import { createSessionEdges, onProcessSignal } from './session-edges.js';

/** Options of serveSessionDaemon; `gatewayFor` lets the CLI pass a fetch with a private CA. */
export interface SessionDaemonMainOptions {
  sessionsDir: string;
  gatewayFor?: SessionDaemonDeps['gatewayFor'];
}

/** Waits for the payload from `spawnDaemon`, serves the session, resolves with why it ended. */
export async function serveSessionDaemon(options: SessionDaemonMainOptions): Promise<EndReason> {
  let payload: unknown;
  try {
    payload = await receiveDaemonPayload();
  } catch (e) {
    await reportDaemonFailed(e);
    throw e;
  }
  return runSessionDaemon(payload, {
    ...createSessionEdges({ sessionsDir: options.sessionsDir }),
    gatewayFor: options.gatewayFor ?? ((baseUrl) => createGatewayClient({ baseUrl })),
    reportReady: reportDaemonReady,
    reportFailed: reportDaemonFailed,
    onSignal: onProcessSignal,
  });
}
