/**
 * A minimal stand-in for the gateway's session API and `/k8s/<connection>` proxy, on real
 * sockets, for the local-proxy and connect/exec tests: it records what reached it so tests can
 * check which headers the local proxy let through.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { CreateSessionResponse } from '../../src/api/wire.js';

/** A request as the fake gateway saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The running fake gateway. */
export interface FakeSessionGateway {
  url: string;
  requests: SeenRequest[];
  /** Session ids a DELETE /v1/sessions/:id arrived for. */
  ended: string[];
  /** Session tokens the fake issued (the `/k8s/` side accepts only these). */
  tokens: Set<string>;
  /** Writes one more event on every open `/watch` stream. */
  pushWatchEvent(line: string): void;
  openWatches(): number;
  close(): Promise<void>;
}

/** Options of startFakeSessionGateway. */
export interface FakeSessionGatewayOptions {
  idToken?: string;
  ttlSeconds?: number;
  /** Clock for expiresAt; defaults to the wall clock. */
  now?: () => Date;
}

const POD = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: { name: 'p', namespace: 'demo', uid: 'u-1' },
  spec: { containers: [{ name: 'main', image: 'busybox' }] },
  status: { phase: 'Running' },
};
const API_V1 = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'watch'], shortNames: ['po'] },
    { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
  ],
};
const VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.6', platform: 'linux/amd64' };

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

/** Starts the fake on 127.0.0.1:0. */
export async function startFakeSessionGateway(options: FakeSessionGatewayOptions = {}): Promise<FakeSessionGateway> {
  const idToken = options.idToken ?? 'id-token-ok';
  const now = options.now ?? (() => new Date());
  const requests: SeenRequest[] = [];
  const ended: string[] = [];
  const tokens = new Set<string>();
  const watches = new Set<ServerResponse>();
  const sockets = new Set<Socket | Duplex>();
  let counter = 0;
  let url = '';
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => [...protocols][0] ?? false });
  wss.on('connection', (ws, req: { url?: string }) => {
    // `kubectl exec p -- hoop-hi`: answer like the API server over v5.channel.k8s.io (channel byte first:
    // 1 stdout, 3 error/status), then close normally; anything else is an echo server.
    if ((req.url ?? '').includes('command=hoop-hi')) {
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from('hi from exec\n')]));
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from('{"metadata":{},"status":"Success"}')]), () => ws.close(1000));
      return;
    }
    ws.on('message', (data, binary) => ws.send(binary ? data : `echo:${String(data)}`));
  });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      const path = (req.url ?? '').split('?')[0] ?? '';
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (req.method === 'POST' && path === '/v1/sessions') {
        if (bearer !== idToken) return status(res, 401, 'Unauthorized', 'bad id token');
        const body = JSON.parse(seen.body) as { connection: string; namespace?: string; ttlSeconds?: number };
        counter += 1;
        const ttl = body.ttlSeconds ?? options.ttlSeconds ?? 900;
        const answer: CreateSessionResponse = {
          sessionId: `sess-${counter}-${Date.now().toString(36)}`,
          connection: body.connection,
          token: `session-jwt-${counter}-${Math.random().toString(36).slice(2)}`,
          server: `${url}/k8s/${body.connection}`,
          expiresAt: new Date(now().getTime() + ttl * 1000).toISOString(),
          user: 'alice',
          groups: ['dev'],
          ...(body.namespace === undefined ? {} : { namespace: body.namespace }),
        };
        tokens.add(answer.token);
        res.writeHead(201, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(answer));
      }
      const del = /^\/v1\/sessions\/([^/]+)$/.exec(path);
      if (req.method === 'DELETE' && del !== null) {
        ended.push(decodeURIComponent(del[1] ?? ''));
        res.writeHead(204);
        return res.end();
      }
      const k8s = /^\/k8s\/[^/]+(\/.*)$/.exec(path);
      if (k8s === null) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        return res.end('404 page not found\n');
      }
      if (bearer === undefined || !tokens.has(bearer)) return status(res, 401, 'Unauthorized', 'Unauthorized');
      const rest = k8s[1];
      if (rest === '/version') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(VERSION));
      }
      // Legacy discovery, just enough for kubectl's RESTMapper (it ignores aggregated discovery when not offered).
      if (rest === '/api')
        return json(res, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] });
      if (rest === '/apis') return json(res, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
      if (rest === '/api/v1') return json(res, API_V1);
      if (rest === '/api/v1/namespaces/demo/pods/p') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(POD));
      }
      if (rest === '/echo') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(seen));
      }
      if (rest === '/watch') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        // `?quiet` sends the status line only, like a watch on a collection where nothing happens yet.
        if ((req.url ?? '').includes('quiet')) res.flushHeaders();
        else res.write(`${JSON.stringify({ type: 'ADDED', object: { n: 0 } })}\n`);
        watches.add(res);
        res.on('close', () => watches.delete(res));
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found\n');
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: '' });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (bearer === undefined || !tokens.has(bearer) || path.includes('/pods/denied/')) {
      const body = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'exec is denied by rule no-exec',
        reason: 'Forbidden',
        code: 403,
      });
      socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    if ((req.headers.upgrade ?? '').toLowerCase() === 'websocket') {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      return;
    }
    // SPDY/3.1 stand-in: a raw byte echo that upper-cases, enough to prove both directions flow.
    socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n');
    socket.on('data', (d: Buffer) => socket.write(d.toString('utf8').toUpperCase()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    ended,
    tokens,
    pushWatchEvent: (line) => {
      for (const w of watches) w.write(`${line}\n`);
    },
    openWatches: () => watches.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
