/**
 * The hot path of the local proxy: a client request relayed to the gateway and the answer relayed back through
 * undici's dispatch handler interface — per request one handler object, no AbortController, no body stream, no
 * header objects — with the answer's bytes written to the client as they come and backpressure both ways. A small
 * answer whose one chunk completes its Content-Length leaves with the headers in one write (one TLS record).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { classifyRequest } from '../kube/request-info.js';
import { isJsonWatch } from '../kube/stream-end-status.js';
import { createAnswerSummarizer, type AnswerSummarizer } from './answer-summary.js';
import { forwardRequestHeaders, relayedResponseHeaders, type RelayedHeaders } from './forward-headers.js';
import type { AnswerFacts, Hop } from './hop.js';
import { relayWatch } from './relay-watch.js';
import { BAD_PATH, badGateway, sendStatus, UNAUTHORIZED } from './send-status.js';

// Read as kube-apiserver reads it (python3-kubernetes sends `watch=True`), so the transcript summarises a stream as one.
function isWatch(method: string, target: string): boolean {
  if (!target.includes('watch')) return false;
  const info = classifyRequest(method, target);
  return !('refused' in info) && info.verb === 'watch';
}

/** Relays one answer from the gateway to the client: undici's handler for one dispatched request. */
class AnswerRelay implements Dispatcher.DispatchHandler {
  private abortUpstream: ((err?: Error) => void) | undefined;
  private resumeUpstream: (() => void) | undefined;
  private clientGone = false;
  /** Set once the answer is decided here (the 401 of an ended session): upstream's abort error is expected. */
  private settled = false;
  /** The answer's body as a stream, for a JSON watch (relayWatch ends it with an ERROR event). */
  private watchBody: Readable | undefined;
  /** Chunks that arrived while the headers waited (the ended-session check of a 401). */
  private held: Buffer[] | undefined;
  private contentLength = -1;
  private bytes = 0;
  private summarizer: AnswerSummarizer | undefined;
  facts: AnswerFacts | undefined;

  constructor(
    private readonly hop: Hop,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly target: string,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.clientGone) abort();
  }

  /** The client went away before its answer finished: stop the upstream request. */
  clientClosed(): void {
    this.clientGone = true;
    this.abortUpstream?.();
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void): boolean {
    this.resumeUpstream = resume;
    const h = relayedResponseHeaders(raw);
    const sessionEnded = this.hop.options.sessionEnded;
    // The gateway refuses a session that ended there (revoke) with 401: the session finds out and ends here
    // too, and this answer says so in the words every other cut stream and new command uses.
    if (statusCode === 401 && sessionEnded !== undefined) {
      this.held = [];
      sessionEnded()
        .catch(() => undefined)
        .then(
          (ended) => {
            if (ended !== undefined) {
              this.settled = true;
              this.abortUpstream?.();
              sendStatus(this.res, ended);
              return;
            }
            const held = this.held ?? [];
            this.held = undefined;
            if (!this.start(statusCode, h)) return;
            for (const c of held) this.onData(c);
            resume();
          },
          () => undefined,
        );
      return false;
    }
    return this.start(statusCode, h);
  }

  private start(statusCode: number, h: RelayedHeaders): boolean {
    const { res } = this;
    if (res.destroyed) {
      this.settled = true;
      this.abortUpstream?.();
      return false;
    }
    res.writeHead(statusCode, h.headers);
    // A watch's first event may come much later, and kubectl waits for headers: without a Content-Length
    // (watch, follow) send the status line now; otherwise it leaves with the body.
    if (h.contentLength === undefined) res.flushHeaders();
    else this.contentLength = Number(h.contentLength);
    if (statusCode === 200 && isJsonWatch(this.target, h.contentType)) {
      this.watchBody = new Readable({
        read: () => this.resumeUpstream?.(),
        destroy: (err, done) => {
          if (!this.settled) this.abortUpstream?.();
          done(err);
        },
      });
      const { sessionEnded } = this.hop.options;
      relayWatch(this.watchBody, res, { register: (s) => this.hop.register(s), ...(sessionEnded === undefined ? {} : { sessionEnded }) });
    }
    if (this.hop.transcribing) this.collectFacts(h);
    return true;
  }

  private collectFacts(h: RelayedHeaders): void {
    const summarizer = createAnswerSummarizer({
      contentType: h.contentType,
      contentEncoding: h.contentEncoding,
      gatewayMasked: h.masked !== undefined,
      watch: isWatch(this.req.method ?? 'GET', this.target),
      gatewaySummary: h.summary,
    });
    this.summarizer = summarizer;
    this.facts = () => ({
      bytes: this.bytes,
      ...(h.contentType === undefined ? {} : { contentType: h.contentType }),
      masking: h.masked === undefined ? 'local' : `gateway ${h.masked}`,
      summary: summarizer.finish(),
    });
  }

  onData(chunk: Buffer): boolean {
    if (this.held !== undefined) {
      this.held.push(chunk);
      return false;
    }
    this.bytes += chunk.length;
    this.summarizer?.push(chunk);
    if (this.watchBody !== undefined) return this.watchBody.push(chunk);
    const { res } = this;
    if (res.destroyed) return false;
    if (this.bytes === this.contentLength) {
      res.end(chunk);
      return true;
    }
    if (res.write(chunk)) return true;
    res.once('drain', () => this.resumeUpstream?.());
    return false;
  }

  onComplete(): void {
    if (this.watchBody !== undefined) {
      this.watchBody.push(null);
      return;
    }
    if (!this.res.writableEnded) this.res.end();
  }

  onError(err: Error): void {
    if (this.watchBody !== undefined) {
      this.watchBody.destroy(err);
      return;
    }
    const { res } = this;
    if (this.settled || this.clientGone || res.destroyed) return;
    // Before the answer started the client gets a Status it prints; after, a cut connection.
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendStatus(res, badGateway(this.hop.origin, err));
  }
}

/** Serves one (non-upgrade) client request: checks the local token, forwards it with the session credential. */
export function forwardRequest(hop: Hop, req: IncomingMessage, res: ServerResponse): void {
  const started = hop.nowMs();
  let relay: AnswerRelay | undefined;
  res.once('close', () => {
    if (relay !== undefined && !res.writableFinished) relay.clientClosed();
    hop.log(req, res.statusCode, started, relay?.facts?.());
  });
  if (!hop.authorized(req.headers)) {
    sendStatus(res, UNAUTHORIZED);
    return;
  }
  const ended = hop.ended();
  if (ended !== undefined) {
    sendStatus(res, ended);
    return;
  }
  const target = req.url ?? '';
  if (!target.startsWith('/')) {
    sendStatus(res, BAD_PATH);
    return;
  }
  relay = new AnswerRelay(hop, req, res, target);
  const h = req.headers;
  const hasBody = h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
  hop.pool.dispatch(
    {
      path: `${hop.prefix}${target}`,
      method: req.method ?? 'GET',
      headers: forwardRequestHeaders(req.rawHeaders, hop.options.upstreamToken),
      body: hasBody ? req : null,
    },
    relay,
  );
}
