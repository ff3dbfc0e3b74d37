/**
 * The loopback proxy of a session: kubectl talks HTTPS to 127.0.0.1 with a per-session secret,
 * the proxy forwards to the gateway with the session credential, which never leaves this process.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Pool } from 'undici';
import type { KubeStatus } from '../kube/types.js';
import { answerClientErrorsWithStatus } from '../platform/client-error.js';
import { maskRequestUri } from '../mask/line-masker.js';
import { createMaskContext } from '../mask/mask-object.js';
import { DEFAULT_MASK_RULES } from '../mask/mask-rules.js';
import { linger, teardown, type Closable } from './close-proxy.js';
import { clientBearerToken } from './forward-headers.js';
import { forwardRequest } from './forward-request.js';
import { forwardUpgrade } from './forward-upgrade.js';
import type { Hop, LocalProxyOptions } from './hop.js';
import type { EndableStream } from './pipe-upgrade.js';
import { createTranscript, type Transcript, type TranscriptEntry } from './transcript.js';

export type { LocalProxyOptions, RequestLogLine } from './hop.js';

/** A running local proxy. */
export interface LocalProxy {
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting and closes every open connection (watch, logs -f, exec, port-forward); resolves within a
   * second. With `status`, JSON watches end with an ERROR event and WebSocket execs with an error-channel
   * message carrying it, so the client prints why. With `lingerMs` the proxy keeps listening that long and
   * answers every request with `status`: a kubectl that read the kubeconfig before the end (its discovery
   * just got the 401) prints why for its remaining requests instead of "connection refused".
   */
  close(status?: KubeStatus, lingerMs?: number): Promise<void>;
  /** Resolves once the proxy no longer listens: after close, and after its linger if it had one. */
  whenStopped(): Promise<void>;
  /** Client connections currently open. */
  openConnections(): number;
}

function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The check of the local token. The length is not secret (every session's token has the same), the bytes are
 * compared in constant time; no hash per request.
 */
function tokenCheck(localToken: string): (headers: IncomingHttpHeaders) => boolean {
  const expected = Buffer.from(localToken, 'utf8');
  return (headers) => {
    const presented = clientBearerToken(headers);
    if (presented === undefined || Buffer.byteLength(presented, 'utf8') !== expected.length) return false;
    return timingSafeEqual(Buffer.from(presented, 'utf8'), expected);
  };
}

/** The request log: `onRequest` and the transcript line (query masked), nothing once the session ended. */
function requestLog(options: LocalProxyOptions, transcript: Transcript | undefined, nowMs: () => number, ended: () => KubeStatus | undefined): Hop['log'] {
  const maskCtx = createMaskContext(DEFAULT_MASK_RULES);
  return (req, status, started, answer = {}) => {
    const ms = nowMs() - started;
    const method = req.method ?? 'GET';
    options.onRequest?.({ method, path: pathOnly(req.url ?? '/'), status, ms });
    // The query may carry a secret (`?labelSelector=token%3D…`): the transcript keeps it masked.
    // Nothing is recorded once the session ended: the transcript is closed and removed with the session.
    if (transcript === undefined || ended() !== undefined) return;
    const entry: TranscriptEntry = {
      time: new Date(started).toISOString(),
      method,
      uri: maskRequestUri(req.url ?? '/', maskCtx),
      status,
      ms,
      bytes: 0,
      masking: 'local',
      ...answer,
    };
    transcript.record(entry);
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The server with its request and upgrade paths; keeps every socket in `sockets` for the teardown. */
function createProxyServer(hop: Hop, sockets: { clients: Set<Socket>; others: Set<Duplex> }): Server {
  const { options } = hop;
  const server = createServer({ cert: options.certPem, key: options.keyPem, requestTimeout: 0 }, (req, res) => forwardRequest(hop, req, res));
  server.on('connection', (socket: Socket) => {
    sockets.clients.add(socket);
    socket.once('close', () => sockets.clients.delete(socket));
  });
  server.on('secureConnection', (s: Duplex) => hop.track(s));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => forwardUpgrade(hop, req, socket, head));
  server.on('tlsClientError', () => undefined);
  answerClientErrorsWithStatus(server);
  return server;
}

/** Starts the HTTPS loopback proxy; resolves once it listens. */
export async function createLocalProxy(options: LocalProxyOptions): Promise<LocalProxy> {
  const upstream = new URL(options.upstreamUrl);
  const nowMs = options.nowMs ?? Date.now;
  const transcript = options.transcriptFile === undefined ? undefined : createTranscript(options.transcriptFile);
  // Watches and `logs -f` stay silent for minutes, and a request may wait at the gateway for an
  // approval: no undici timeouts. The session's expiry bounds everything by closing the proxy.
  const pool = new Pool(upstream.origin, {
    bodyTimeout: 0,
    headersTimeout: 0,
    ...(options.upstreamCaPem === undefined ? {} : { connect: { ca: options.upstreamCaPem } }),
  });
  const sockets = { clients: new Set<Socket>(), others: new Set<Duplex>() };
  const endable = new Set<EndableStream>();
  // Set once the session ended: what every request gets while the proxy lingers.
  let endedStatus: KubeStatus | undefined;
  const ended = (): KubeStatus | undefined => endedStatus;
  const hop: Hop = {
    options,
    origin: upstream.origin,
    prefix: upstream.pathname.replace(/\/+$/, ''),
    pool,
    nowMs,
    ended,
    authorized: tokenCheck(options.localToken),
    register: (stream) => {
      endable.add(stream);
      return () => endable.delete(stream);
    },
    track: (s) => {
      sockets.others.add(s);
      s.once('close', () => sockets.others.delete(s));
    },
    log: requestLog(options, transcript, nowMs, ended),
    transcribing: transcript !== undefined,
  };
  const server = createProxyServer(hop, sockets);
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  const closable: Closable = { server, pool, endable, transcript, sockets: () => [...sockets.others, ...sockets.clients] };
  let closing: Promise<void> | undefined;
  let stopped: Promise<void> | undefined;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    openConnections: () => sockets.clients.size,
    close: (status, lingerMs = 0) => {
      if (closing !== undefined) return closing;
      endedStatus = status;
      const lingering = status === undefined || lingerMs <= 0 ? undefined : linger(closable, lingerMs);
      closing = teardown(closable, status, lingering !== undefined);
      stopped = lingering ?? closing;
      return closing;
    },
    whenStopped: () => stopped ?? Promise.resolve(),
  };
}
