/**
 * The loopback proxy of a session: kubectl talks HTTPS to 127.0.0.1 with a per-session secret,
 * the proxy forwards to the gateway with the session credential, which never leaves this process.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import { Pool, type Dispatcher } from 'undici';
import type { KubeStatus } from '../kube/types.js';
import { buildClientResponseHeaders, buildUpstreamHeaders, clientBearerToken } from './forward-headers.js';
import { pipeUpgrade, type EndableStream } from './pipe-upgrade.js';
import { isJsonWatch } from '../kube/stream-end-status.js';
import { relayWatch } from './relay-watch.js';
import { buildStatus } from '../kube/status.js';
import { classifyRequest, isNonCanonical } from '../kube/request-info.js';
import { decideUpgrade } from '../kube/upgrade-rule.js';
import { declaresBody, upgradeResponse } from '../platform/upgrade-response.js';
import { answerClientErrorsWithStatus } from '../platform/client-error.js';
import { maskRequestUri } from '../mask/line-masker.js';
import { createMaskContext } from '../mask/mask-object.js';
import { DEFAULT_MASK_RULES } from '../mask/mask-rules.js';
import { createAnswerSummarizer } from './answer-summary.js';
import { createTranscript, type TranscriptEntry } from './transcript.js';

/** One line per finished request, for `--verbose`; the path carries no query string. */
export interface RequestLogLine {
  method: string;
  path: string;
  status: number;
  ms: number;
}

/** Options of createLocalProxy. */
export interface LocalProxyOptions {
  /** Gateway URL prefix of the connection (`CreateSessionResponse.server`), e.g. `https://gw/k8s/prod`. */
  upstreamUrl: string;
  /** The session JWT; held in memory only. */
  upstreamToken: string;
  /** Extra CA (PEM) for a gateway with a private CA. */
  upstreamCaPem?: string;
  /** The random per-session secret written into the kubeconfig. */
  localToken: string;
  certPem: string;
  keyPem: string;
  host?: string;
  port?: number;
  onRequest?(line: RequestLogLine): void;
  /** Session transcript (JSON lines, 0600, appended): requests and masked answer summaries. */
  transcriptFile?: string;
  /** Wall-clock milliseconds for the latency in log lines; injectable for tests. */
  nowMs?: () => number;
  /**
   * Asks whether the session ended at the gateway (revoke, expiry); called when upstream cuts a watch or an
   * exec the client still holds, and on a 401 from upstream. Resolves with the Status to end cut streams with.
   */
  sessionEnded?(): Promise<KubeStatus | undefined>;
}

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

const CLOSE_DEADLINE_MS = 1000;
// Part of the close deadline left for final Status bytes to reach the clients before sockets are destroyed.
const FINAL_STATUS_MS = 500;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

// Read as kube-apiserver reads it (python3-kubernetes sends `watch=True`), so the transcript summarises a stream as one.
function isWatch(method: string, target: string): boolean {
  const info = classifyRequest(method, target);
  return !('refused' in info) && info.verb === 'watch';
}

function pathOnly(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Starts the HTTPS loopback proxy; resolves once it listens. */
export async function createLocalProxy(options: LocalProxyOptions): Promise<LocalProxy> {
  const upstream = new URL(options.upstreamUrl);
  const prefix = upstream.pathname.replace(/\/+$/, '');
  const expected = digest(options.localToken);
  const nowMs = options.nowMs ?? Date.now;
  const transcript = options.transcriptFile === undefined ? undefined : createTranscript(options.transcriptFile);
  // Watches and `logs -f` stay silent for minutes, and a request may wait at the gateway for an
  // approval: no undici timeouts. The session's expiry bounds everything by closing the proxy.
  const pool = new Pool(upstream.origin, {
    bodyTimeout: 0,
    headersTimeout: 0,
    ...(options.upstreamCaPem === undefined ? {} : { connect: { ca: options.upstreamCaPem } }),
  });
  const clientSockets = new Set<Socket>();
  const otherSockets = new Set<Duplex>();
  const endable = new Set<EndableStream>();
  let closing: Promise<void> | undefined;
  // Set once the session ended: what every request gets while the proxy lingers.
  let endedStatus: KubeStatus | undefined;
  let stopped: Promise<void> | undefined;
  const register = (stream: EndableStream): (() => void) => {
    endable.add(stream);
    return () => endable.delete(stream);
  };

  const track = (s: Duplex): void => {
    otherSockets.add(s);
    s.once('close', () => otherSockets.delete(s));
  };

  // Hashing both sides gives equal lengths, so the comparison time says nothing about the token.
  const authorized = (req: IncomingMessage): boolean => {
    const presented = clientBearerToken(req.headers);
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
  const unauthorized = buildStatus(401, 'Unauthorized',
    'hoopctl local proxy: the token in this kubeconfig does not belong to this session (ended or replaced?)');
  const badPath = buildStatus(400, 'BadRequest', 'hoopctl local proxy: request target must be an origin-form path');

  const log = (req: IncomingMessage, status: number, started: number, answer: Partial<TranscriptEntry> = {}): void => {
    const ms = nowMs() - started;
    options.onRequest?.({ method: req.method ?? 'GET', path: pathOnly(req.url ?? '/'), status, ms });
    // The query may carry a secret (`?labelSelector=token%3D…`): the transcript keeps it masked.
    // Nothing is recorded once the session ended: the transcript is closed and removed with the session.
    if (endedStatus === undefined) transcript?.record({
      time: new Date(started).toISOString(), method: req.method ?? 'GET', uri: maskRequestUri(req.url ?? '/', createMaskContext(DEFAULT_MASK_RULES)),
      status, ms, bytes: 0, masking: 'local', ...answer,
    });
  };

  const sendStatus = (res: ServerResponse, status: KubeStatus): void => {
    if (res.headersSent) { res.destroy(); return; }
    const body = JSON.stringify(status);
    res.writeHead(status.code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = nowMs();
    let relayed: (() => Partial<TranscriptEntry>) | undefined;
    res.once('close', () => log(req, res.statusCode, started, relayed?.()));
    if (!authorized(req)) return sendStatus(res, unauthorized);
    if (endedStatus !== undefined) return sendStatus(res, endedStatus);
    const target = req.url ?? '';
    if (!target.startsWith('/')) return sendStatus(res, badPath);
    const abort = new AbortController();
    res.once('close', () => { if (!res.writableFinished) abort.abort(); });
    const hasBody = req.headers['transfer-encoding'] !== undefined
      || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    try {
      const answer = await pool.request({
        path: `${prefix}${target}`,
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: buildUpstreamHeaders(req.rawHeaders, { bearer: options.upstreamToken }),
        body: hasBody ? req : null,
        signal: abort.signal,
      });
      // undici's body emits an AbortError when destroyed: with no listener it would crash the process.
      const discard = (): void => { answer.body.on('error', () => undefined); answer.body.destroy(); };
      if (res.destroyed) { discard(); return; }
      // The gateway refuses a session that ended there (revoke) with 401: the session finds out and ends here
      // too, and this answer says so in the words every other cut stream and new command uses.
      if (answer.statusCode === 401 && options.sessionEnded !== undefined) {
        const ended = await options.sessionEnded().catch(() => undefined);
        if (ended !== undefined) {
          discard();
          return sendStatus(res, ended);
        }
      }
      res.writeHead(answer.statusCode, buildClientResponseHeaders(answer.headers));
      // A watch's first event may come much later, and kubectl waits for headers: without a Content-Length
      // (watch, follow) send the status line now; otherwise it leaves with the body, in one TLS record.
      if (answer.headers['content-length'] === undefined) res.flushHeaders();
      const contentTypeOf = answer.headers['content-type'];
      if (answer.statusCode === 200 && isJsonWatch(target, Array.isArray(contentTypeOf) ? contentTypeOf[0] : contentTypeOf)) {
        relayWatch(answer.body, res, { register, ...(options.sessionEnded === undefined ? {} : { sessionEnded: options.sessionEnded }) });
      } else {
        // pipeline destroys the upstream body when the client goes away, and the client when upstream fails.
        pipeline(answer.body, res, () => undefined);
      }
      if (transcript !== undefined) {
        const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);
        const masked = one(answer.headers['x-hoopctl-masked']);
        const contentType = one(answer.headers['content-type']);
        const summarizer = createAnswerSummarizer({
          contentType, contentEncoding: one(answer.headers['content-encoding']), gatewayMasked: masked !== undefined,
          watch: isWatch(req.method ?? 'GET', target),
        });
        let bytes = 0;
        // Added after pipeline so no chunk flows before the client's pipe is attached.
        answer.body.on('data', (c: Buffer) => { bytes += c.length; summarizer.push(c); });
        relayed = () => ({ bytes, ...(contentType === undefined ? {} : { contentType }), masking: masked === undefined ? 'local' : `gateway ${masked}`, summary: summarizer.finish() });
      }
    } catch (err) {
      if (abort.signal.aborted || res.destroyed) return;
      const code = (err as { code?: string }).code ?? (err as Error).message;
      sendStatus(res, buildStatus(502, 'BadGateway', `hoopctl local proxy: cannot reach the gateway at ${upstream.origin} (${code})`));
    }
  };

  const server: Server = createServer({ cert: options.certPem, key: options.keyPem, requestTimeout: 0 }, (req, res) => {
    void handle(req, res);
  });
  server.on('connection', (socket: Socket) => {
    clientSockets.add(socket);
    socket.once('close', () => clientSockets.delete(socket));
  });
  server.on('secureConnection', track);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const started = nowMs();
    socket.on('error', () => socket.destroy());
    // Every answer but a protocol switch goes through an ordinary response on the socket (HEAD gets no body).
    const { res, takeSocket } = upgradeResponse(req, socket);
    const refuse = (status: KubeStatus): void => {
      log(req, status.code, started);
      sendStatus(res, status);
    };
    if (!authorized(req)) { refuse(unauthorized); return; }
    if (endedStatus !== undefined) { refuse(endedStatus); return; }
    const target = req.url ?? '';
    if (!target.startsWith('/')) { refuse(badPath); return; }
    // The gateway's rule, applied here too (DESIGN.md invariant 1): only exec, attach and portforward switch
    // protocols; anything else is relayed as the plain request it is, through the ordinary (transcribed) path.
    const classified = classifyRequest(req.method ?? 'GET', target);
    const decision = decideUpgrade(isNonCanonical(classified) ? undefined : classified, req.headers.upgrade, declaresBody(req));
    if (decision.kind === 'refuse') { refuse(buildStatus(400, 'BadRequest', decision.message)); return; }
    if (decision.kind === 'plain') {
      for (const h of ['connection', 'upgrade']) delete req.headers[h];
      void handle(req, res);
      return;
    }
    takeSocket();
    pipeUpgrade(socket, head, {
      url: new URL(`${prefix}${target}`, upstream.origin),
      method: req.method ?? 'GET',
      headers: buildUpstreamHeaders(req.rawHeaders, { bearer: options.upstreamToken, upgrade: req.headers.upgrade ?? 'websocket' }),
      ...(options.upstreamCaPem === undefined ? {} : { ca: options.upstreamCaPem }),
      track,
      onStatus: (status) => log(req, status, started, { upgrade: true }),
      register,
      ...(options.sessionEnded === undefined ? {} : { whyCut: options.sessionEnded }),
    });
  });
  server.on('tlsClientError', () => undefined);
  answerClientErrorsWithStatus(server);

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `https://${urlHost}:${port}`,
    port,
    openConnections: () => clientSockets.size,
    close: (status, lingerMs = 0) => {
      if (closing !== undefined) return closing;
      endedStatus = status;
      const lingering = status === undefined || lingerMs <= 0 ? undefined : new Promise<void>((done) => {
        setTimeout(() => {
          server.close();
          for (const s of [...otherSockets, ...clientSockets]) s.destroy();
          done();
        }, lingerMs);
      });
      const teardown = new Promise<void>((resolve) => {
        // Not unref'd: a socket that never reports 'close' must not let the process exit before teardown finished.
        const deadline = setTimeout(resolve, CLOSE_DEADLINE_MS);
        if (lingering === undefined) server.close();
        void (async () => {
          if (status !== undefined && endable.size > 0) {
            let grace: NodeJS.Timeout | undefined;
            await Promise.race([
              Promise.all([...endable].map((s) => s.end(status).catch(() => undefined))),
              new Promise<void>((r) => { grace = setTimeout(r, FINAL_STATUS_MS); }),
            ]);
            clearTimeout(grace);
          }
          const all: Duplex[] = [...otherSockets, ...clientSockets];
          const closed = all.map((s) => new Promise<void>((r) => { if (s.closed) r(); else s.once('close', () => r()); }));
          for (const s of all) s.destroy();
          pool.destroy().catch(() => undefined);
          await Promise.all(closed);
          await transcript?.close();
          clearTimeout(deadline);
          resolve();
        })();
      });
      stopped = lingering ?? teardown;
      closing = teardown;
      return closing;
    },
    whenStopped: () => stopped ?? Promise.resolve(),
  };
}
