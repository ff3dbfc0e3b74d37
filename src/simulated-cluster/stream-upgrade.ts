// Taking over an upgrade request's socket, as kube-apiserver does for exec, attach and
// port-forward: WebSocket (RFC 6455) with the subprotocol the handler chose, or SPDY/3.1 with
// `X-Stream-Protocol-Version` (k8s.io/apimachinery httpstream.Handshake).
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RequestContext } from './handler-context.js';
import type { KubeObject } from './object-store.js';
import type { ResourceSpec } from './registry.js';
import { badRequest, notFound } from './status.js';

/** Which upgrade the client asked for. */
type UpgradeKind = 'websocket' | 'spdy';

/** The requested upgrade, or a 400 like kube-apiserver's for a plain request. */
function upgradeKind(ctx: RequestContext): UpgradeKind {
  const upgrade = (ctx.req.headers.upgrade ?? '').toLowerCase();
  if (ctx.upgrade === undefined || upgrade === '') throw badRequest('Upgrade request required');
  if (upgrade === 'websocket') return 'websocket';
  if (upgrade === 'spdy/3.1') return 'spdy';
  throw badRequest(`unable to upgrade: unsupported upgrade protocol ${JSON.stringify(ctx.req.headers.upgrade)}`);
}

/** WebSocket subprotocols offered by the client, in its order. */
function offeredWebSocketProtocols(ctx: RequestContext): string[] {
  return (ctx.req.headersDistinct['sec-websocket-protocol'] ?? [])
    .flatMap((v) => v.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** `X-Stream-Protocol-Version` values offered by a SPDY client (one header line each), in its order. */
function offeredStreamProtocols(ctx: RequestContext): string[] {
  return (ctx.req.headersDistinct['x-stream-protocol-version'] ?? [])
    .flatMap((v) => v.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** The first offered protocol the server supports (httpstream picks in the client's order), or a 400. */
function negotiateProtocol(offered: string[], supported: readonly string[]): string {
  const chosen = offered.find((p) => supported.includes(p));
  if (chosen === undefined)
    throw badRequest(
      `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server supports ${JSON.stringify(supported)}`,
    );
  return chosen;
}

/** Completes the WebSocket handshake with `protocol` and resolves with the socket. */
function acceptWebSocket(ctx: RequestContext, protocol: string): Promise<WebSocket> {
  // `ws` validates subprotocols as RFC 7230 tokens and so refuses `SPDY/3.1+portforward.k8s.io`;
  // Go's gorilla/websocket does not. Choose ourselves and add the header to ws's answer.
  const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  server.on('headers', (headers: string[]) => {
    headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  });
  // A view of the request without the header, so the recorded request keeps what the client sent.
  const { 'sec-websocket-protocol': _offered, ...headers } = ctx.req.headers;
  const req = Object.create(ctx.req, { headers: { value: headers } }) as typeof ctx.req;
  const { socket, head } = ctx.upgrade!;
  return new Promise((resolve) => server.handleUpgrade(req, socket, head, (ws) => resolve(ws)));
}

/** Answers 101 for SPDY/3.1 with the chosen stream protocol; the caller then owns the socket. */
function acceptSpdy(ctx: RequestContext, protocol: string): Duplex {
  const { socket, head } = ctx.upgrade!;
  socket.write(
    [
      'HTTP/1.1 101 Switching Protocols',
      'Connection: Upgrade',
      'Upgrade: SPDY/3.1',
      `X-Stream-Protocol-Version: ${protocol}`,
      `Date: ${ctx.state.now().toUTCString()}`,
      '',
      '',
    ].join('\r\n'),
  );
  if (head.length > 0) socket.unshift(head);
  return socket;
}

/** A taken-over stream request: a WebSocket, or the raw socket after the SPDY/3.1 101. */
export type AcceptedStream = { kind: 'websocket'; protocol: string; ws: WebSocket } | { kind: 'spdy'; protocol: string; socket: Duplex };

/** Negotiates a subprotocol of the client's upgrade (a 400 when none fits) and answers 101 with it. */
export async function acceptStream(ctx: RequestContext, supported: { websocket: readonly string[]; spdy: readonly string[] }): Promise<AcceptedStream> {
  if (upgradeKind(ctx) === 'websocket') {
    const protocol = negotiateProtocol(offeredWebSocketProtocols(ctx), supported.websocket);
    return { kind: 'websocket', protocol, ws: await acceptWebSocket(ctx, protocol) };
  }
  const protocol = negotiateProtocol(offeredStreamProtocols(ctx), supported.spdy);
  return { kind: 'spdy', protocol, socket: acceptSpdy(ctx, protocol) };
}

/** The pod an exec, attach or port-forward names: 404 when there is none, 400 when it has no node (kubelet to reach) yet. */
export function scheduledPod(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string): KubeObject {
  const pod = ctx.state.store.get(spec, namespace, name);
  if (!pod) throw notFound(spec, name);
  if (!(pod['spec'] as { nodeName?: string } | undefined)?.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  return pod;
}

/** Closes the socket when the server shuts down; returns the unregister function. */
export function trackUpgraded(ctx: RequestContext, close: () => void): () => void {
  ctx.state.streams.add(close);
  return () => {
    ctx.state.streams.delete(close);
  };
}
