/**
 * `hoopctl connect`: get a session credential from the gateway, serve it through the loopback
 * proxy with a per-session kubeconfig, and tear everything down at expiry, exit or disconnect.
 * Split in two so `--print-env` can request in the CLI and serve in the detached daemon.
 */
import type { CreateSessionResponse } from '../gateway/api.js';
import { join } from 'node:path';
import { HoopError } from '../errors.js';
import { parseDuration } from '../credential/duration.js';
import { buildKubeconfig } from '../kube/kubeconfig.js';
import type { LocalProxy } from '../local-proxy/create-local-proxy.js';
import type { ConnectDeps, ServeDeps, TimerHandle } from './session-deps.js';
import { openSessionWithApproval } from './approvals.js';

/** Why a session ended. */
export type EndReason = 'expired' | 'exited' | 'disconnected' | 'failed';

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
  /** Closes every proxied connection, deletes the session dir, tells the gateway; idempotent. */
  end(reason: EndReason): Promise<void>;
  openConnections(): number;
}

const GATEWAY_NOTICE_TIMEOUT_MS = 2000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Sweeps stale session dirs, then asks the gateway for a session and prepares its local secrets. */
export async function requestSession(deps: ConnectDeps, input: StartSessionInput): Promise<SessionGrant> {
  const ttlSeconds = input.ttl === undefined ? undefined : parseDuration(input.ttl);
  await deps.sessionDirs.sweep({ sessionsDir: deps.sessionsDir, isAlive: deps.isAlive, now: deps.now() }).catch(() => undefined);
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
    const cert = await deps.createCertificate({ now: deps.now(), validForSeconds: Math.ceil((expiresMs - deps.now().getTime()) / 1000) });
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
  if (!(expiresMs > deps.now().getTime())) {
    throw new HoopError('session_expired', `session ${session.sessionId} for "${session.connection}" has already expired`, {
      hint: `run hoopctl connect ${session.connection}`,
    });
  }
  let proxy: LocalProxy | undefined;
  let dir: string | undefined;
  try {
    proxy = await deps.createLocalProxy({
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
    const kubeconfigYaml = buildKubeconfig({
      name: `hoopctl-${session.connection}`,
      server: proxy.url,
      certificateAuthorityPem: grant.certPem,
      token: grant.localToken,
      ...(grant.namespace === undefined ? {} : { namespace: grant.namespace }),
      user: `${session.user}@${session.connection}`,
    });
    const written = await deps.sessionDirs.create(deps.sessionsDir, {
      sessionId: session.sessionId,
      connection: session.connection,
      gateway: grant.gateway,
      pid: deps.pid,
      expiresAt: session.expiresAt,
      createdAt: deps.now().toISOString(),
      kubeconfigYaml,
    });
    dir = written.dir;
    return running(deps, grant, proxy, written.dir, written.kubeconfigPath);
  } catch (e) {
    await proxy?.close();
    if (dir !== undefined) await deps.sessionDirs.remove(dir).catch(() => undefined);
    throw e;
  }
}

function running(deps: ServeDeps, grant: SessionGrant, proxy: LocalProxy, dir: string, kubeconfigPath: string): RunningSession {
  const { session } = grant;
  const expiresMs = Date.parse(session.expiresAt);
  let finish!: (reason: EndReason) => void;
  const done = new Promise<EndReason>((resolve) => { finish = resolve; });
  let ending: Promise<void> | undefined;
  let timer: TimerHandle | undefined;

  const tellGateway = async (): Promise<void> => {
    let cap: TimerHandle | undefined;
    const timeout = new Promise<void>((resolve) => { cap = deps.setTimeout(resolve, GATEWAY_NOTICE_TIMEOUT_MS); });
    await Promise.race([deps.gateway.endSession(session.token, session.sessionId).catch(() => undefined), timeout]);
    deps.clearTimeout(cap);
  };

  const end = (reason: EndReason): Promise<void> => {
    ending ??= (async () => {
      if (timer !== undefined) deps.clearTimeout(timer);
      await proxy.close();
      await deps.sessionDirs.remove(dir).catch(() => undefined);
      // An expired credential would be refused anyway, and the gateway already knows the expiry.
      if (reason !== 'expired') await tellGateway();
      finish(reason);
    })();
    return ending;
  };

  // setTimeout overflows above ~24.8 days and fires at once: re-arm in steps.
  const arm = (): void => {
    const left = expiresMs - deps.now().getTime();
    if (left <= 0) { void end('expired'); return; }
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
