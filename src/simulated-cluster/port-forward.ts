// `pods/portforward` as kube-apiserver + kubelet answer kubectl: SPDY/3.1 with
// `portforward.k8s.io`, either straight (POST + Upgrade: SPDY/3.1) or tunnelled inside WebSocket
// binary messages (kubectl 1.31+, subprotocol `SPDY/3.1+portforward.k8s.io`, KEP-4006). For each
// local connection kubectl opens an `error` and a `data` stream sharing `port` and `requestID`;
// every simulated container port is an echo service.
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { RequestContext } from './handler-context.js';
import type { ResourceSpec } from './registry.js';
import { createSpdySession, type SpdyStream } from './spdy-session.js';
import { acceptStream, scheduledPod, trackUpgraded } from './stream-upgrade.js';

const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
const TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

// gorilla/websocket messages in, SPDY bytes out: the tunnel is a byte stream split arbitrarily into binary messages.
function tunnelSocket(ws: WebSocket): Duplex {
  const duplex = new Duplex({
    read() {
      /* pushed from ws messages */
    },
    write(chunk: Buffer, _enc, cb) {
      if (ws.readyState !== ws.OPEN) {
        cb();
        return;
      }
      ws.send(chunk, { binary: true }, () => cb());
    },
    final(cb) {
      ws.close(1000);
      cb();
    },
    destroy(err, cb) {
      ws.terminate();
      cb(err);
    },
  });
  ws.on('message', (data: Buffer) => duplex.push(data));
  ws.on('close', () => {
    duplex.push(null);
    duplex.destroy();
  });
  ws.on('error', () => duplex.destroy());
  return duplex;
}

async function echo(data: SpdyStream, error: SpdyStream | undefined): Promise<void> {
  const port = Number(data.header('port'));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    await error?.write(Buffer.from(`invalid port ${JSON.stringify(data.header('port'))}`));
  } else {
    for await (const chunk of data) await data.write(chunk);
  }
  data.end();
  error?.end();
}

function servePortForward(socket: Duplex): Promise<void> {
  const pending = new Map<string, SpdyStream>();
  const session = createSpdySession(socket, (s) => {
    const id = s.header('requestid') ?? '';
    const type = s.header('streamtype');
    // kubectl opens the error stream first and the data stream right after.
    if (type === 'error') {
      pending.set(id, s);
      return;
    }
    if (type !== 'data') {
      s.end();
      return;
    }
    const error = pending.get(id);
    pending.delete(id);
    void echo(s, error);
  });
  return session.closed;
}

/** Serves `pods/portforward` upgrade requests. */
export async function handlePortForward(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string): Promise<void> {
  scheduledPod(ctx, spec, namespace, name);
  const accepted = await acceptStream(ctx, { websocket: [TUNNEL_PROTOCOL], spdy: [PORT_FORWARD_PROTOCOL] });
  const socket = accepted.kind === 'websocket' ? tunnelSocket(accepted.ws) : accepted.socket;
  const untrack = trackUpgraded(ctx, () => socket.destroy());
  await servePortForward(socket);
  untrack();
}
