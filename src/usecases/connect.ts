/**
 * `hoopctl connect`: get a session credential from the gateway, serve it through the loopback
 * proxy with a per-session kubeconfig, and tear everything down at expiry, exit or disconnect.
 * Split in two so `--print-env` can request in the CLI and serve in the detached daemon.
 */
import type { CreateSessionResponse } from '../api/wire.js';
import { join } from 'node:path';
import { HoopError, isHoopError } from '../errors.js';
import { sessionEndedStatus } from '../kube/stream-end-status.js';
import type { KubeStatus } from '../kube/types.js';
import { parseDuration } from '../credential/duration.js';
import { buildKubeconfig } from '../kube/kubeconfig.js';
import type { LocalProxy } from '../local-proxy/create-local-proxy.js';
import type { ConnectDeps, ServeDeps, TimerHandle } from './session-deps.js';
import { openSessionWithApproval } from './approvals.js';

/** Why a session ended; `revoked`: the gateway ended it (a revoke, or another replica's notice). */
export type EndReason = 'expired' | 'exited' | 'disconnected' | 'failed' | 'revoked';

/** What `hoopctl connect` asks for. */
export interface StartSessionInput {
  connection: string;
  namespace?: string;
  /** Human duration (`15m`); the gateway caps it. */
  ttl?: string;
  role?: string;
  reason?: string;
  /** Open the session an approved access request grants. */
  requestId?: string;
  /** Absolute path of a transcript to keep after the session (`--transcript FILE`). */
  transcript?: string;
}

/** A granted session before it is served: everything the serving process needs (secrets included, memory and IPC only). */
export interface SessionGrant {
  session: CreateSessionResponse;
  gateway: string;
  namespace?: string;
  localToken: string;
  certPem: string;
  keyPem: string;
  upstreamCaPem?: string;
  /** `--transcript FILE`; without it the transcript lives (and goes) with the session dir. */
  transcriptFile?: string;
}

/** A session being served by this process. */
export interface RunningSession {
  sessionId: string;
  connection: string;
  kubeconfigPath: string;
  expiresAt: string;
  proxyUrl: string;
  /** KUBECONFIG, HOOP_SESSION, HOOP_CONNECTION, HOOP_EXPIRES_AT and, when the gateway named one, HOOP_ROLE. */
  env: Record<string, string>;
  /** Resolves with the first end reason once teardown finished. */
  done: Promise<EndReason>;
  /** Resolves once the proxy stopped listening (it lingers a moment after an end, answering why): a daemon waits for it before exiting. */
  stopped(): Promise<void>;
  /**
   * Closes every proxied connection (watches and WebSocket execs end with a Status saying why), leaves a
   * tombstone kubeconfig in place of the session's, tells the gateway; idempotent. `detail` words a revoke.
   * `exited` (the child or shell holding the kubeconfig is gone) removes the session dir, tombstone included.
   */
  end(reason: EndReason, detail?: string): Promise<void>;
  openConnections(): number;
}

const GATEWAY_NOTICE_TIMEOUT_MS = 2000;
const PROXY_LINGER_MS = 3000;

/** The words a tombstone and a cut stream use for why the session ended. */
export function describeEnd(reason: EndReason, detail?: string): string {
  switch (reason) {
    case 'expired':
      return 'expired';
    case 'disconnected':
      return 'disconnected';
    case 'exited':
      return 'the hoopctl command that held it exited';
    case 'failed':
      return 'failed';
    case 'revoked':
      return detail ?? 'ended at the gateway';
  }
}

/** Reads the gateway's refusal of an ended session ("session X has ended (revoked by bob)") as an end reason. */
export function gatewayEnd(message: string): { reason: EndReason; detail?: string } {
  if (/has expired$/.test(message)) return { reason: 'expired' };
  const m = /has ended \((.+)\)$/.exec(message);
  return { reason: 'revoked', detail: m?.[1] ?? 'ended at the gateway' };
}
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Sweeps stale session dirs, then asks the gateway for a session and prepares its local secrets. */
export async function requestSession(deps: ConnectDeps, input: StartSessionInput): Promise<SessionGrant> {
  const ttlSeconds = input.ttl === undefined ? undefined : parseDuration(input.ttl);
  await deps.sessionDirs
    .sweep({
      sessionsDir: deps.sessionsDir,
      isAlive: deps.isAlive,
      now: new Date(deps.now()),
      ...(deps.nodePath === undefined ? {} : { nodePath: deps.nodePath }),
      ...(deps.endSwept === undefined ? {} : { endSession: deps.endSwept }),
    })
    .catch(() => undefined);
  const idToken = await deps.getIdToken();
  const body = {
    connection: input.connection,
    ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    ...(input.role === undefined ? {} : { role: input.role }),
    ...(input.reason === undefined ? {} : { reason: input.reason }),
    ...(input.requestId === undefined ? {} : { requestId: input.requestId }),
  };
  // A role granted only with approval answers 202: wait for the decision (or exit 5) when the CLI can.
  const session = deps.approval === undefined ? await deps.gateway.createSession(idToken, body) : await openSessionWithApproval(deps.approval, idToken, body);
  try {
    const expiresMs = Date.parse(session.expiresAt);
    if (Number.isNaN(expiresMs)) throw new HoopError('gateway_error', `the gateway sent an invalid expiresAt ${JSON.stringify(session.expiresAt)}`);
    const cert = await deps.createCertificate({ now: new Date(deps.now()), validForSeconds: Math.ceil((expiresMs - deps.now()) / 1000) });
    const namespace = session.namespace ?? input.namespace;
    return {
      session,
      gateway: deps.gateway.baseUrl,
      ...(namespace === undefined ? {} : { namespace }),
      localToken: deps.randomBytes(32).toString('base64url'),
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      ...(deps.upstreamCaPem === undefined ? {} : { upstreamCaPem: deps.upstreamCaPem }),
      ...(input.transcript === undefined ? {} : { transcriptFile: input.transcript }),
    };
  } catch (e) {
    await deps.gateway.endSession(session.token, session.sessionId).catch(() => undefined);
    throw e;
  }
}

/** Starts the proxy, writes the session dir and arms the expiry timer; the returned session owns them. */
export async function serveSession(deps: ServeDeps, grant: SessionGrant): Promise<RunningSession> {
  const { session } = grant;
  const expiresMs = Date.parse(session.expiresAt);
  if (!(expiresMs > deps.now())) {
    throw new HoopError('session_expired', `session ${session.sessionId} for "${session.connection}" has already expired`, {
      hint: `run hoopctl connect ${session.connection}`,
    });
  }
  let proxy: LocalProxy | undefined;
  let dir: string | undefined;
  // The proxy asks this when the gateway cuts a stream; `running` fills in how to end the session.
  const late: { sessionEnded?: () => Promise<KubeStatus | undefined> } = {};
  try {
    proxy = await deps.createLocalProxy({
      sessionEnded: () => late.sessionEnded?.() ?? Promise.resolve(undefined),
      upstreamUrl: session.server,
      upstreamToken: session.token,
      ...(grant.upstreamCaPem === undefined ? {} : { upstreamCaPem: grant.upstreamCaPem }),
      localToken: grant.localToken,
      certPem: grant.certPem,
      keyPem: grant.keyPem,
      ...(deps.onRequest === undefined ? {} : { onRequest: deps.onRequest }),
      // The session dir is written right after the proxy starts, before any client knows its address.
      transcriptFile: grant.transcriptFile ?? join(deps.sessionsDir, session.sessionId, 'transcript.jsonl'),
    });
    const kubeUser = `${session.user}@${session.connection}`;
    const kubeconfigYaml = buildKubeconfig({
      name: `hoopctl-${session.connection}`,
      server: proxy.url,
      certificateAuthorityPem: grant.certPem,
      token: grant.localToken,
      ...(grant.namespace === undefined ? {} : { namespace: grant.namespace }),
      user: kubeUser,
    });
    const written = await deps.sessionDirs.create(deps.sessionsDir, {
      sessionId: session.sessionId,
      connection: session.connection,
      gateway: grant.gateway,
      pid: deps.pid,
      expiresAt: session.expiresAt,
      createdAt: new Date(deps.now()).toISOString(),
      proxyUrl: proxy.url,
      kubeUser,
      ...(grant.namespace === undefined ? {} : { namespace: grant.namespace }),
      kubeconfigYaml,
    });
    dir = written.dir;
    return running(deps, grant, proxy, written.dir, written.kubeconfigPath, late);
  } catch (e) {
    await proxy?.close();
    if (dir !== undefined) await deps.sessionDirs.remove(dir).catch(() => undefined);
    throw e;
  }
}

function running(
  deps: ServeDeps,
  grant: SessionGrant,
  proxy: LocalProxy,
  dir: string,
  kubeconfigPath: string,
  late: { sessionEnded?: () => Promise<KubeStatus | undefined> },
): RunningSession {
  const { session } = grant;
  const expiresMs = Date.parse(session.expiresAt);
  let finish!: (reason: EndReason) => void;
  const done = new Promise<EndReason>((resolve) => {
    finish = resolve;
  });
  let ending: Promise<void> | undefined;
  let timer: TimerHandle | undefined;

  const tellGateway = async (): Promise<void> => {
    let cap: TimerHandle | undefined;
    const timeout = new Promise<void>((resolve) => {
      cap = deps.setTimeout(resolve, GATEWAY_NOTICE_TIMEOUT_MS);
    });
    await Promise.race([deps.gateway.endSession(session.token, session.sessionId).catch(() => undefined), timeout]);
    deps.clearTimeout(cap);
  };

  let endStatus: KubeStatus | undefined;
  // The tombstone replaces the kubeconfig before streams are cut, so a client that reconnects reads why.
  const tombstone = async (why: string, status: KubeStatus): Promise<boolean> => {
    const t = deps.sessionDirs.tombstones;
    if (t === undefined || deps.nodePath === undefined) return false;
    await t.write(
      dir,
      t.build({
        name: `hoopctl-${session.connection}`,
        server: proxy.url,
        user: `${session.user}@${session.connection}`,
        ...(grant.namespace === undefined ? {} : { namespace: grant.namespace }),
        message: status.message,
        nodePath: deps.nodePath,
      }),
      { sessionId: session.sessionId, connection: session.connection, why, message: status.message, endedAt: new Date(deps.now()).toISOString() },
    );
    return true;
  };

  const end = (reason: EndReason, detail?: string): Promise<void> => {
    // The command or shell that held the kubeconfig exited: no one is left to read a tombstone.
    if (ending !== undefined && reason === 'exited') return ending.then(() => deps.sessionDirs.remove(dir).catch(() => undefined));
    ending ??= (async () => {
      if (timer !== undefined) deps.clearTimeout(timer);
      const why = describeEnd(reason, detail);
      const status = sessionEndedStatus(session.connection, why);
      endStatus = status;
      const kept = reason !== 'exited' && (await tombstone(why, status).catch(() => false));
      // A kubectl started before the end still reads the proxy address from memory: for a moment, tell it why.
      await proxy.close(status, reason === 'exited' ? 0 : PROXY_LINGER_MS);
      if (kept) await deps.sessionDirs.tombstones!.prune(dir).catch(() => deps.sessionDirs.remove(dir));
      else await deps.sessionDirs.remove(dir).catch(() => undefined);
      // An expired credential would be refused anyway, and the gateway already knows the expiry and its own revokes.
      if (reason !== 'expired' && reason !== 'revoked') await tellGateway();
      finish(reason);
    })();
    return ending;
  };

  // Asked by the proxy when the gateway cut a stream or answered 401: a session ended there ends here too.
  let probing: Promise<KubeStatus | undefined> | undefined;
  const listSessions = deps.gateway.listSessions;
  late.sessionEnded = (): Promise<KubeStatus | undefined> => {
    if (endStatus !== undefined) return Promise.resolve(endStatus);
    if (listSessions === undefined) return Promise.resolve(undefined);
    probing ??= (async () => {
      let cap: TimerHandle | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        cap = deps.setTimeout(() => resolve('timeout'), GATEWAY_NOTICE_TIMEOUT_MS);
      });
      try {
        await Promise.race([listSessions(session.token, true), timeout]);
        return undefined;
      } catch (e) {
        if (!isHoopError(e) || e.code !== 'session_expired') return undefined;
        const { reason, detail } = gatewayEnd(e.message);
        void end(reason, detail);
        return endStatus;
      } finally {
        deps.clearTimeout(cap);
        probing = undefined;
      }
    })();
    return probing;
  };

  // setTimeout overflows above ~24.8 days and fires at once: re-arm in steps.
  const arm = (): void => {
    const left = expiresMs - deps.now();
    if (left <= 0) {
      void end('expired');
      return;
    }
    timer = deps.setTimeout(arm, Math.min(left, MAX_TIMER_MS));
  };
  arm();

  return {
    sessionId: session.sessionId,
    connection: session.connection,
    kubeconfigPath,
    expiresAt: session.expiresAt,
    proxyUrl: proxy.url,
    env: {
      KUBECONFIG: kubeconfigPath,
      HOOP_SESSION: session.sessionId,
      HOOP_CONNECTION: session.connection,
      HOOP_EXPIRES_AT: session.expiresAt,
      ...(session.role === undefined ? {} : { HOOP_ROLE: session.role }),
    },
    done,
    stopped: () => proxy.whenStopped(),
    end,
    openConnections: () => proxy.openConnections(),
  };
}

/** requestSession then serveSession in this process; if serving fails, the gateway is told the session ended. */
export async function startSession(deps: ConnectDeps, input: StartSessionInput): Promise<RunningSession> {
  const grant = await requestSession(deps, input);
  try {
    return await serveSession(deps, grant);
  } catch (e) {
    await deps.gateway.endSession(grant.session.token, grant.session.sessionId).catch(() => undefined);
    throw e;
  }
}
