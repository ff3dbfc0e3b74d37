/**
 * HTTP/1.1 upgrades (exec, attach, port-forward over WebSocket or SPDY/3.1) as raw socket pipes.
 * node:http(s).request is used instead of undici's upgrade(): it lets us pass the client's own
 * Connection/Upgrade headers and relays a refusal (non-101) with its body, which kubectl 1.30+
 * needs to decide on the SPDY retry and to print the Status.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { buildClientResponseHeaders, type HeaderMap } from './forward-headers.js';
import { buildStatus } from '../kube/status.js';
import { createSpdyStreamEndTracker, spdyExecProtocol } from '../kube/spdy-stream-end.js';
import { createWebSocketFrameTracker, execEndFrames, isExecChannelProtocol } from '../kube/stream-end-status.js';
import type { KubeStatus } from '../kube/types.js';
import { rawStatusResponse } from './status-response.js';

/** A relayed stream the proxy can end with a Status the client prints (see kube/stream-end-status.ts). */
export interface EndableStream {
  /** Writes the final Status (where the protocol allows it) and ends the client side; resolves once flushed or destroyed. */
  end(status: KubeStatus): Promise<void>;
}

/** Where and how to send one upgrade request upstream. */
export interface UpgradeTarget {
  url: URL;
  method: string;
  headers: HeaderMap;
  ca?: string;
  /** Called with every upstream socket so the proxy can destroy it on close. */
  track(socket: Duplex): void;
  /** Called once with the status the client got (101, the upstream's refusal, or 502). */
  onStatus(status: number): void;
  /** Registers an exec/attach (WebSocket or SPDY) that can be ended with a Status; returns the unregister function. */
  register?(stream: EndableStream): () => void;
  /** Asked when upstream cut a stream the client still holds: the Status to end it with, if the session ended. */
  whyCut?(): Promise<KubeStatus | undefined>;
}

function headerBlock(statusLine: string, rawHeaders: readonly string[]): string {
  let out = `${statusLine}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) out += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return `${out}\r\n`;
}

/** Follows a relayed exec/attach so a final Status can be added between two frames (kube/stream-end-status.ts, kube/spdy-stream-end.ts). */
interface EndFollower {
  fromClient?(chunk: Buffer): void;
  fromUpstream(chunk: Buffer): void;
  atBoundary(): boolean;
  closed(): boolean;
  endBytes(status: KubeStatus): Buffer | undefined;
}

// Only remote commands (exec, attach) have an error channel or stream for a final Status; port-forward is just closed.
function endFollower(res: IncomingMessage): EndFollower | undefined {
  const ws = res.headers['sec-websocket-protocol'];
  if (isExecChannelProtocol(ws)) {
    const t = createWebSocketFrameTracker();
    return { fromUpstream: t.observe, atBoundary: t.atBoundary, closed: t.closed, endBytes: (status) => execEndFrames(ws, status) };
  }
  const header = res.headers['x-stream-protocol-version'];
  const spdy = spdyExecProtocol(res.headers.upgrade, Array.isArray(header) ? header[0] : header);
  if (spdy === undefined) return undefined;
  const t = createSpdyStreamEndTracker(spdy);
  return { fromClient: t.fromClient, fromUpstream: t.fromServer, atBoundary: t.atBoundary, closed: t.closed, endBytes: t.endFrames };
}

function relayRefusal(res: IncomingMessage, client: Duplex): void {
  const headers = buildClientResponseHeaders(res.headers);
  // The socket is closed after the body, so the body is delimited by the close (RFC 9112 §6.3).
  delete headers['content-length'];
  const raw: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) raw.push(name, v);
  }
  raw.push('connection', 'close');
  client.write(headerBlock(`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}`, raw));
  res.pipe(client);
}

/** Forwards an upgrade request and, on 101, pipes the two sockets both ways until either side closes. */
export function pipeUpgrade(client: Duplex, head: Buffer, target: UpgradeTarget): void {
  const { url } = target;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send({
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    method: target.method,
    headers: target.headers,
    agent: false,
    ...(target.ca === undefined ? {} : { ca: target.ca }),
  });
  let answered = false;
  const answer = (status: number): void => {
    if (answered) return;
    answered = true;
    target.onStatus(status);
  };

  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());

  upstream.on('upgrade', (res, upSocket, upHead) => {
    target.track(upSocket);
    answer(res.statusCode ?? 101);
    if (client.destroyed) {
      upSocket.destroy();
      return;
    }
    client.write(headerBlock(`HTTP/1.1 ${res.statusCode ?? 101} ${res.statusMessage ?? 'Switching Protocols'}`, res.rawHeaders));
    const frames = endFollower(res);
    if (upHead.length > 0) {
      frames?.fromUpstream(upHead);
      client.write(upHead);
    }
    if (head.length > 0) {
      frames?.fromClient?.(head);
      upSocket.write(head);
    }
    let ending: Promise<void> | undefined;
    const endWith = (status: KubeStatus): Promise<void> => {
      ending ??= new Promise<void>((resolve) => {
        // Bytes go in only between two frames, and never after the upstream's own end of the exec.
        const bytes = frames === undefined || frames.closed() || !frames.atBoundary() ? undefined : frames.endBytes(status);
        upSocket.unpipe(client);
        upSocket.destroy();
        if (client.destroyed) {
          resolve();
          return;
        }
        client.once('close', () => resolve());
        if (bytes === undefined) {
          client.destroy();
          return;
        }
        client.end(bytes);
      });
      return ending;
    };
    const unregister = frames === undefined ? undefined : target.register?.({ end: endWith });
    if (frames !== undefined) upSocket.on('data', (c: Buffer) => frames.fromUpstream(c));
    if (frames?.fromClient !== undefined) client.on('data', (c: Buffer) => frames.fromClient!(c));
    upSocket.on('error', () => {
      if (ending === undefined) client.destroy();
    });
    client.on('error', () => upSocket.destroy());
    upSocket.on('close', () => {
      if (ending !== undefined || client.destroyed) return;
      // The upstream's own end went by: let the client read everything relayed so far.
      if (frames?.closed() === true) {
        client.end();
        return;
      }
      if (frames === undefined || !frames.atBoundary() || target.whyCut === undefined) {
        client.destroy();
        return;
      }
      // Cut upstream (revoke at the gateway): ask why before closing, so kubectl prints it.
      target.whyCut().then(
        (status) => {
          if (status === undefined) client.destroy();
          else void endWith(status);
        },
        () => client.destroy(),
      );
    });
    client.on('close', () => {
      upSocket.destroy();
      unregister?.();
    });
    // With an error channel or stream the client side is ended here (close handler above), not by the pipe.
    upSocket.pipe(client, { end: frames === undefined });
    client.pipe(upSocket);
  });

  upstream.on('response', (res) => {
    answer(res.statusCode ?? 502);
    relayRefusal(res, client);
  });

  upstream.on('error', (err: NodeJS.ErrnoException) => {
    if (answered || client.destroyed) {
      client.destroy();
      return;
    }
    answer(502);
    const status = buildStatus(502, 'BadGateway', `hoopctl local proxy: cannot reach the gateway at ${url.origin} (${err.code ?? err.message})`);
    client.end(rawStatusResponse('Bad Gateway', status));
  });

  upstream.end();
}
