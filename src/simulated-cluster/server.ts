// A simulated kube-apiserver 1.32 for tests, the quickstart's demo cluster and benchmarks.
// It is a test double of the upstream (never shipped as a real cluster) and says so in /version
// and on its demo objects.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, ServerResponse, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { effectiveUser, readImpersonation, bearerToken, type Impersonation } from './authentication.js';
import { startControllers } from './controllers.js';
import { startDemoLogTicker } from './demo-logs.js';
import { handleDiscovery } from './discovery-handler.js';
import type { RequestContext, ServerState } from './handler-context.js';
import { handleHealth, writeVersion } from './health-handlers.js';
import { writePageNotFound, writeStatus } from './http-io.js';
import { createLogBook } from './log-book.js';
import { createObjectStore, type KubeObject } from './object-store.js';
import { handleOpenApi } from './openapi.js';
import { parseApiPath } from './request-path.js';
import { isRoutable, routeResource } from './resource-router.js';
import { createSimClock, loadSeed, type SeedName } from './seed.js';
import type { AccessDenial } from './reviews.js';
import { ApiError, internalError, unauthorized } from './status.js';
import { appendPodLog, applyObject, getObject, removeObject, type ObjectRef } from './test-controls.js';
import { createServingCertificate } from './tls.js';

/** Options of createKubeApiServer. */
export interface KubeApiServerOptions {
  /** Serve HTTPS with a fresh self-signed EC P-256 certificate for 127.0.0.1 (default true). */
  tls?: boolean;
  /** Accepted bearer tokens (default: one random token). */
  tokens?: string[];
  seed?: SeedName;
  host?: string;
  port?: number;
  /** Demo seed only: a new log line per followed container every this many ms (default 2000; 0 = never). */
  logFollowIntervalMs?: number;
  /** How many received requests `requests` keeps (default 5000, the newest). */
  maxRecordedRequests?: number;
  /** Period of BOOKMARK events on watches that allow them (default 60000, like kube-apiserver). */
  bookmarkIntervalMs?: number;
}

/** One request as received, for assertions on what a proxy or gateway sent. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Header lines in arrival order, repeats kept (`Impersonate-Group` once per group). */
  rawHeaders: [string, string][];
}

/** Live numbers, e.g. to assert that a proxy closed every watch after teardown. */
export interface ServerCounts {
  requests: number;
  openWatches: number;
  openLogStreams: number;
  openConnections: number;
  objects: number;
}

/** A running simulated API server. */
export interface KubeApiServer {
  url: string;
  port: number;
  /** PEM of the self-signed serving certificate (also its own CA), when TLS is on. */
  caPem?: string;
  /** The first accepted bearer token. */
  token: string;
  tokens: readonly string[];
  /** Received requests, oldest first (bounded by maxRecordedRequests). */
  readonly requests: RecordedRequest[];
  /** Impersonation headers of the most recent authenticated request (null when it had none). */
  readonly lastImpersonation: Impersonation | null;
  /** Creates or replaces an object as another client would; watchers see ADDED/MODIFIED. */
  apply(object: Record<string, unknown>): KubeObject;
  /** Deletes an object; watchers see DELETED. */
  remove(ref: ObjectRef): KubeObject | undefined;
  get(ref: ObjectRef): KubeObject | undefined;
  /** Appends a log line (split on newlines) to a pod's container; `logs -f` followers get it at once. */
  appendLog(namespace: string, pod: string, line: string, container?: string): void;
  counts(): ServerCounts;
  /** Makes SelfSubjectAccessReview answer "no" for these attributes to this user (only the review: requests still pass). */
  denyAccess(denial: AccessDenial): void;
  /** Resolves when the simulated controllers have reacted to every change so far. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a simulated kube-apiserver on 127.0.0.1 (port 0 unless given). */
export async function createKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const host = options.host ?? '127.0.0.1';
  const tokens = options.tokens && options.tokens.length > 0 ? [...options.tokens] : [randomBytes(24).toString('base64url')];
  const tokenSet = new Set(tokens);
  const maxRecorded = options.maxRecordedRequests ?? 5000;
  const clock = createSimClock();
  const cert = options.tls === false ? undefined : await createServingCertificate(host);
  const state: ServerState = {
    store: createObjectStore({ now: clock.now }),
    logs: createLogBook(),
    now: clock.now,
    streams: new Set(),
    counters: { watches: 0, logStreams: 0 },
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
  };
  const controllers = startControllers(state.store, { logs: state.logs, caPem: cert?.cert ?? '', now: clock.now });
  const requests: RecordedRequest[] = [];
  let totalRequests = 0;
  let lastImpersonation: Impersonation | null = null;
  let serverAddress = '';

  async function handle(req: IncomingMessage, res: ServerResponse, upgrade?: RequestContext['upgrade']): Promise<void> {
    totalRequests++;
    const rawHeaders: [string, string][] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) rawHeaders.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, rawHeaders });
    if (requests.length > maxRecorded * 2) requests.splice(0, requests.length - maxRecorded);
    const url = new URL(req.url ?? '/', 'https://kube-api-server.invalid');
    const token = bearerToken(req);
    if (!token || !tokenSet.has(token)) {
      // Authentication runs before priority and fairness, so a 401 has no X-Kubernetes-Pf-* headers.
      const body = Buffer.from(`${JSON.stringify(unauthorized())}\n`);
      res.writeHead(401, {
        'Audit-Id': randomUUID(),
        'Cache-Control': 'no-cache, private',
        'Content-Type': 'application/json',
        'Content-Length': String(body.length),
      });
      res.end(body);
      return;
    }
    const imp = readImpersonation(req);
    lastImpersonation = imp ?? null;
    const ctx: RequestContext = { req, res, url, user: effectiveUser(imp), state };
    if (upgrade) ctx.upgrade = upgrade;
    try {
      await route(ctx);
    } catch (e) {
      const err = e instanceof ApiError ? e : internalError(e instanceof Error ? e.message : String(e));
      if (res.headersSent) res.destroy();
      else writeStatus(req, res, url, err.status);
    }
  }

  async function route(ctx: RequestContext): Promise<void> {
    const path = ctx.url.pathname;
    if (path === '/version' || path === '/version/') return writeVersion(ctx.res);
    if (handleHealth(ctx.res, path, ctx.url)) return;
    if (path.startsWith('/openapi/')) return handleOpenApi(ctx);
    const api = parseApiPath(path);
    if (!api) return writePageNotFound(ctx.res);
    if (api.kind !== 'resource') return handleDiscovery(ctx, api, serverAddress);
    if (!isRoutable(api)) return writePageNotFound(ctx.res);
    return routeResource(ctx, api);
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => void handle(req, res);
  const server: Server = cert ? createHttpsServer({ key: cert.key, cert: cert.cert }, listener) : createHttpServer(listener);
  // Upgrade requests (kubectl exec/attach/port-forward over WebSocket or SPDY) go through the same
  // routing with an ordinary response bound to their socket, so refusing them is a normal HTTP
  // answer and a streaming handler can answer 101 and take the socket over instead.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    res.on('finish', () => {
      res.detachSocket(socket as Socket);
      socket.end();
    });
    void handle(req, res, { socket, head });
  });
  let openConnections = 0;
  server.on('connection', (socket) => {
    openConnections++;
    socket.setNoDelay(true);
    socket.on('close', () => openConnections--);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  serverAddress = `${host}:${port}`;
  await loadSeed(options.seed ?? 'empty', { store: state.store, logs: state.logs, controllers, clock });

  const interval = options.logFollowIntervalMs ?? 2000;
  const stopTicker = options.seed === 'demo' && interval > 0 ? startDemoLogTicker(state.store, state.logs, interval, clock.now) : undefined;

  const urlHost = host.includes(':') ? `[${host}]` : host;
  const result: KubeApiServer = {
    url: `${cert ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    token: tokens[0]!,
    tokens,
    requests,
    get lastImpersonation() {
      return lastImpersonation;
    },
    apply: (object) => applyObject(state.store, object),
    remove: (ref) => removeObject(state.store, state.logs, ref),
    get: (ref) => getObject(state.store, ref),
    appendLog: (namespace, pod, line, container) => appendPodLog(state.store, state.logs, namespace, pod, line, container),
    counts: () => ({
      requests: totalRequests,
      openWatches: state.counters.watches,
      openLogStreams: state.counters.logStreams,
      openConnections,
      objects: state.store.count(),
    }),
    denyAccess: (denial) => {
      (state.accessDenials ??= []).push(denial);
    },
    settled: () => controllers.settled(),
    async close() {
      stopTicker?.();
      controllers.stop();
      for (const stop of [...state.streams]) stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  if (cert) result.caPem = cert.cert;
  return result;
}
