/** The gateway as a running HTTP(S) server: `/v1` API, JWKS, health, and the Kubernetes reverse proxy. */
import type { Clock } from '../clock.js';
import type { LogFields } from './gateway-logger.js';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Store } from '../store/store.js';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './gateway-context.js';
import { createIdTokenVerifier } from './id-token-verifier.js';
import { createAccessRequests } from './approvals/access-requests.js';
import { createAuditChainStatus } from './audit-chain-status.js';
import { createAuditHealth } from './audit-health.js';
import { createNotifier } from './notify/notifier.js';
import type { AuthFailureLimitOptions } from './auth-failure-limit.js';
import { createKubeProxy, KUBE_PREFIX, type KubeProxy } from './kube-proxy.js';
import { urlHost } from './listen-address.js';
import { createLiveStreams, type LiveStreams } from './live-streams.js';
import { createBodyBudget, type BodyBudgetLimits } from './body-budget.js';
import { createGatewayMetrics } from './metrics.js';
import { instrumentStore } from './instrumented-store.js';
import { createDrain } from './drain.js';
import { createReadiness, type Readiness } from './readiness.js';
import { applyServerLimits, DRAINING_BODY, listenOn, refuseDraining, serveMetrics, SERVER_LIMITS } from './server-io.js';
import { createUpstreamPools } from './pipeline/upstream-pools.js';
import { createSessionTokens } from './session-token.js';
import { loadSigningKeys } from './signing-keys.js';
import { loadMaskDigestKey, withMaskDigest } from './mask-digest-key.js';
import { claimSessionIssuer } from './session-issuer.js';
import { DEFAULT_OPERATIONS } from './config-operations.js';
import { sendJson } from './http-json.js';
import { handleGatewayRoute } from './v1-routes.js';

/** Inputs of createGateway; `now`, `fetch` and `logger` are injectable for tests. */
export interface CreateGatewayOptions {
  config: GatewayConfig;
  store: Store;
  now?: Clock;
  /** Used for OIDC discovery and JWKS of the trusted issuers. */
  fetch?: typeof fetch;
  logger?: (line: string, fields?: LogFields) => void;
  /** Environment of credential plugins of held kubeconfigs (default process.env). */
  env?: Record<string, string | undefined>;
  /** Reported by `/v1/config`. */
  version?: string;
  /** How long a session lookup is reused before the store is asked again (default 2000 ms). */
  sessionCacheMs?: number;
  /** How often signing keys are re-read from the store (default 10 s; 0: never, tests call keys.reload()). */
  keyReloadMs?: number;
  /** First retry delay of a failed notification (default 1000 ms, doubling). */
  notifyBackoffMs?: number;
  /** The per-source limit on requests that fail authentication (default DEFAULT_AUTH_FAILURE_LIMIT). */
  authFailureLimit?: AuthFailureLimitOptions;
  /** Request bytes held in memory at once (default DEFAULT_BODY_BUDGET: 64 MiB overall, 8 MiB per session). */
  bodyBudget?: BodyBudgetLimits;
}

/** A listening gateway. */
export interface RunningGateway {
  /** The address it listens on, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The public URL in session tokens and `server` fields (config.publicUrl, or `url`). */
  publicUrl: string;
  server: http.Server | https.Server;
  /** Where `/metrics` is served when `metrics.listen` is set. */
  metricsUrl?: string;
  /** `/readyz` conditions (add more with readiness.add). */
  readiness: Readiness;
  /** Request body bytes held in memory now (budget tests). */
  heldBodies(): { total: number; sessions: number };
  /** Requests in flight (drain tests). */
  inFlight(): { short: number; long: number };
  /** SIGTERM: unready, no new requests, short ones finish within `graceMs`, long streams closed; then call close(). */
  drain(graceMs?: number): Promise<void>;
  /** Stops accepting, cuts every live stream and upstream connection; the store stays open (the caller owns it). */
  close(): Promise<void>;
}

/** Starts a gateway on `config.listen`; resolves once it listens. */
export async function createGateway(o: CreateGatewayOptions): Promise<RunningGateway> {
  const now = o.now ?? Date.now;
  const log = o.logger ?? (() => undefined);
  const ops = o.config.operations ?? DEFAULT_OPERATIONS;
  let streamsRef: LiveStreams | undefined;
  const metrics = createGatewayMetrics({
    connections: o.config.connections.map((c) => c.name),
    openStreams: () => streamsRef?.count() ?? 0,
    activeSessions: async () => (await o.store.listSessions({ activeAt: new Date(now()).toISOString() })).length,
    pendingApprovals: async () => (await o.store.listAccessRequests({ status: ['pending'] })).length,
  });
  const store = instrumentStore(o.store, metrics, log);
  // Masked values carry digests under the gateway's key, so a changed Secret value shows as changed.
  const config = withMaskDigest(o.config, await loadMaskDigestKey(store, { now }));
  const auditHealth = createAuditHealth(now);
  const maxTokenLifetimeSeconds = Math.max(config.sessions.maxTtlSeconds, ...config.connections.map((c) => c.maxTtlSeconds));
  const keys = await loadSigningKeys(store, {
    now,
    log,
    maxTokenLifetimeSeconds,
    ...(ops.signingKeys.rotateEverySeconds === undefined ? {} : { rotateEverySeconds: ops.signingKeys.rotateEverySeconds }),
    ...(o.keyReloadMs === undefined ? {} : { reloadIntervalMs: o.keyReloadMs }),
  });
  const server =
    config.tls === undefined ? http.createServer(SERVER_LIMITS) : https.createServer({ ...SERVER_LIMITS, cert: config.tls.certPem, key: config.tls.keyPem });
  applyServerLimits(server);
  const drain = createDrain(server);
  const readiness = createReadiness();
  readiness.add('draining', () => (drain.draining ? 'the gateway is shutting down' : undefined));
  readiness.add('audit', () => auditHealth.problem());
  readiness.add('store', async () => {
    try {
      await store.getSigningKeys();
      return undefined;
    } catch {
      return 'unreachable';
    }
  });
  const metricsOnMain = ops.metrics.enabled && ops.metrics.listen === undefined;

  let gw: GatewayContext | undefined;
  let proxy: KubeProxy | undefined;
  const fail = (e: unknown): void => log(`unhandled gateway error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics' && metricsOnMain) {
      serveMetrics(metrics, res);
      return;
    }
    if (path !== '/healthz' && path !== '/readyz' && !drain.admitRequest(req, res)) {
      refuseDraining(res);
      return;
    }
    const run = async (): Promise<void> => {
      if ((req.url ?? '').startsWith(KUBE_PREFIX)) return proxy!.handleRequest(req, res);
      if (!(await handleGatewayRoute(gw!, req, res, o.version ?? '0.0.0'))) {
        sendJson(res, 404, { code: 'not_found', message: `no endpoint ${req.method ?? ''} ${new URL(req.url ?? '/', 'http://x').pathname}` });
      }
    };
    run().catch((e: unknown) => {
      fail(e);
      res.destroy();
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    if (!drain.admitUpgrade(req, socket)) {
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(DRAINING_BODY)}\r\n\r\n${DRAINING_BODY}`,
      );
      return;
    }
    if (!(req.url ?? '').startsWith(KUBE_PREFIX)) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    proxy!.handleUpgrade(req, socket, head).catch((e: unknown) => {
      fail(e);
      socket.destroy();
    });
  });

  let metricsServer: http.Server | undefined;
  try {
    await listenOn(server, config.listen, 'listen', config.file);
    if (ops.metrics.enabled && ops.metrics.listen !== undefined) {
      metricsServer = http.createServer(SERVER_LIMITS, (req, res) => {
        if ((req.url ?? '/').split('?')[0] === '/metrics') serveMetrics(metrics, res);
        else res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('only /metrics here\n');
      });
      applyServerLimits(metricsServer);
      await listenOn(metricsServer, ops.metrics.listen, 'metrics.listen', config.file);
    }
  } catch (e) {
    keys.close();
    server.close();
    throw e;
  }
  const addr = server.address() as AddressInfo;
  const url = `${config.tls === undefined ? 'http' : 'https'}://${urlHost(addr.address)}:${addr.port}`;
  const publicUrl = config.publicUrl ?? url;
  let sessionIssuer: string;
  try {
    sessionIssuer = await claimSessionIssuer(store, publicUrl, config.publicUrl !== undefined, log);
  } catch (e) {
    keys.close();
    metricsServer?.close();
    await new Promise<void>((r) => server.close(() => r()));
    throw e;
  }

  const streams = createLiveStreams(now);
  streamsRef = streams;
  // Credential plugins are other people's programs: they get the environment minus the gateway's own secrets.
  const secrets = new Set([config.store.postgres?.url, ...config.notifications.map((n) => n.url)].filter((v) => v !== undefined));
  const pluginEnv = Object.fromEntries(Object.entries(o.env ?? process.env).filter(([, v]) => v === undefined || !secrets.has(v)));
  const upstreams = createUpstreamPools(config.connections, now, { log, env: pluginEnv });
  const notifier = createNotifier({
    log,
    onFailure: (t, final) => metrics.notificationFailure(t, final),
    ...(o.notifyBackoffMs === undefined ? {} : { backoffMs: o.notifyBackoffMs }),
  });
  const requests = createAccessRequests({ store, config, publicUrl, now, log, notifier });
  gw = {
    config,
    store,
    publicUrl,
    sessionIssuer,
    now,
    log,
    keys,
    metrics,
    readiness,
    streams,
    upstreams,
    requests,
    auditHealth,
    auditChain: createAuditChainStatus({ rows: (after, limit) => store.listAuditRows(after, limit), highWater: () => store.auditHighWater() }),
    bodies: createBodyBudget(o.bodyBudget),
    idTokens: createIdTokenVerifier(config.oidc.issuers, { now, ...(o.fetch === undefined ? {} : { fetch: o.fetch }) }),
    sessionTokens: createSessionTokens({ keys, store, issuer: sessionIssuer, now, ...(o.sessionCacheMs === undefined ? {} : { cacheMs: o.sessionCacheMs }) }),
  };
  proxy = createKubeProxy(gw, o.authFailureLimit);
  // A session ended elsewhere (another replica on the same PostgreSQL) is refused and cut here at once,
  // not only when the session cache next asks the store.
  const sessionTokens = gw.sessionTokens;
  const stopEndedFeed = store.onSessionEnded?.((id) => {
    sessionTokens.markEnded(id);
    const n = streams.closeSession(id, 'session ended');
    if (n > 0) log(`session ${id} ended (store notice): ${n} open stream(s) closed`);
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    publicUrl,
    server,
    readiness,
    inFlight: () => drain.inFlight(),
    heldBodies: () => gw.bodies.held(),
    ...(metricsServer === undefined
      ? {}
      : { metricsUrl: `http://${urlHost((metricsServer.address() as AddressInfo).address)}:${(metricsServer.address() as AddressInfo).port}` }),
    async drain(graceMs = ops.shutdown.gracePeriodSeconds * 1000) {
      const r = await drain.drain({
        graceMs,
        unreadyDelayMs: ops.shutdown.unreadyDelaySeconds * 1000,
        closeLong: () => streams.closeAll('the gateway is shutting down; reconnect to reach another replica'),
      });
      log(
        `drained: ${r.closedLong} long stream(s) closed${r.cutShort > 0 ? `, ${r.cutShort} request(s) still running at the end of the grace period were cut` : ''}`,
      );
    },
    close() {
      closing ??= (async () => {
        stopEndedFeed?.();
        keys.close();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        streams.closeAll('gateway stopping');
        requests.close();
        notifier.close();
        server.closeAllConnections();
        metricsServer?.close();
        metricsServer?.closeAllConnections();
        await stopped;
        await upstreams.close();
        // The store stays open: refused requests still only counted get their audit event now.
        await proxy?.close();
      })();
      return closing;
    },
  };
}
