// The loopback proxy on real sockets, in front of a fake gateway `/k8s/<conn>`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { WebSocket } from 'ws';
import { createLocalProxy, type LocalProxy, type RequestLogLine } from '../../src/local-proxy/create-local-proxy.js';
import { createSessionCertificate, type SessionCertificate } from '../../src/local-proxy/session-certificate.js';
import { startFakeSessionGateway, type FakeSessionGateway } from '../support/fake-session-gateway.js';

const LOCAL = 'local-secret-token';

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function call(
  proxy: LocalProxy,
  cert: SessionCertificate,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${proxy.url}${path}`, { method: init.method ?? 'GET', headers: init.headers ?? {}, ca: cert.certPem }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const auth = { authorization: `Bearer ${LOCAL}` };

describe('local proxy', () => {
  let gw: FakeSessionGateway;
  let cert: SessionCertificate;
  let jwt: string;
  const lines: RequestLogLine[] = [];
  const proxies: LocalProxy[] = [];

  const start = async (upstreamUrl = `${gw.url}/k8s/prod`): Promise<LocalProxy> => {
    const p = await createLocalProxy({
      upstreamUrl,
      upstreamToken: jwt,
      localToken: LOCAL,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      onRequest: (l) => lines.push(l),
    });
    proxies.push(p);
    return p;
  };

  before(async () => {
    gw = await startFakeSessionGateway();
    cert = await createSessionCertificate({ now: new Date(), validForSeconds: 600 });
    const res = await fetch(`${gw.url}/v1/sessions`, {
      method: 'POST',
      headers: { authorization: 'Bearer id-token-ok' },
      body: JSON.stringify({ connection: 'prod' }),
    });
    jwt = ((await res.json()) as { token: string }).token;
  });
  after(async () => {
    await Promise.all(proxies.map((p) => p.close()));
    await gw.close();
  });

  test('refuses a missing or wrong token with a 401 Status and forwards nothing', async () => {
    const proxy = await start();
    const before = gw.requests.length;
    for (const headers of <Record<string, string>[]>[
      {},
      { authorization: 'Bearer nope' },
      { authorization: `Basic ${LOCAL}` },
      { authorization: `Bearer ${LOCAL}x` },
    ]) {
      const res = await call(proxy, cert, '/version', { headers });
      assert.equal(res.status, 401);
      const body = JSON.parse(res.body) as { kind: string; code: number; reason: string };
      assert.deepEqual([body.kind, body.code, body.reason], ['Status', 401, 'Unauthorized']);
    }
    assert.equal(gw.requests.length, before);
  });

  test('forwards with the session JWT and strips credential, identity and hop-by-hop headers', async () => {
    const proxy = await start();
    const res = await call(proxy, cert, '/echo?labelSelector=a%3Db', {
      method: 'POST',
      headers: {
        ...auth,
        'Impersonate-User': 'admin',
        'impersonate-group': 'system:masters',
        'IMPERSONATE-UID': '1',
        'Impersonate-Extra-scopes': 'x',
        'X-Remote-User': 'root',
        'x-remote-group': 'g',
        'Proxy-Authorization': 'Basic x',
        Connection: 'keep-alive, X-Drop-Me',
        'X-Drop-Me': '1',
        'Keep-Alive': 'timeout=5',
        'Audit-ID': 'a-1',
        'User-Agent': 'kubectl.1.32/v1.32.5',
        'content-type': 'application/json',
      },
      body: '{"kind":"ConfigMap"}',
    });
    assert.equal(res.status, 200);
    const seen = JSON.parse(res.body) as { method: string; url: string; headers: Record<string, string>; body: string };
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/k8s/prod/echo?labelSelector=a%3Db');
    assert.equal(seen.body, '{"kind":"ConfigMap"}');
    assert.equal(seen.headers.authorization, `Bearer ${jwt}`);
    const names = Object.keys(seen.headers);
    assert.deepEqual(
      names.filter((n) => /^(impersonate-|x-remote-|proxy-|keep-alive|x-drop-me)/.test(n)),
      [],
    );
    assert.equal(seen.headers['audit-id'], 'a-1');
    assert.equal(seen.headers['user-agent'], 'kubectl.1.32/v1.32.5');
    assert.equal(seen.headers.host, new URL(gw.url).host);
    assert.ok(!JSON.stringify(seen.headers).includes(LOCAL), 'the local token never reaches the gateway');
    assert.ok(lines.some((l) => l.method === 'POST' && l.path === '/echo' && l.status === 200));
  });

  test('streams a watch event by event, and close() cuts the open stream within a second', async () => {
    const proxy = await start();
    const chunks: string[] = [];
    let ended: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => {
      ended = resolve;
    });
    const firstEvent = new Promise<void>((resolve, reject) => {
      const req = request(`${proxy.url}/watch?watch=true`, { headers: auth, ca: cert.certPem }, (res) => {
        assert.equal(res.statusCode, 200);
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          chunks.push(c);
          resolve();
        });
        res.on('error', () => ended());
        res.on('close', () => ended());
      });
      req.on('error', (e) => {
        reject(e);
        ended();
      });
      req.end();
    });
    await firstEvent;
    assert.match(chunks.join(''), /"ADDED"/);
    gw.pushWatchEvent('{"type":"MODIFIED","object":{"n":1}}');
    while (!chunks.join('').includes('MODIFIED')) await new Promise((r) => setTimeout(r, 10));
    assert.equal(gw.openWatches(), 1, 'upstream stream still open: events flowed before it ended');
    assert.ok(proxy.openConnections() >= 1);
    const t0 = Date.now();
    await proxy.close();
    await closed;
    assert.ok(Date.now() - t0 < 1000, `closed in ${Date.now() - t0} ms`);
    assert.equal(proxy.openConnections(), 0);
    while (gw.openWatches() > 0) await new Promise((r) => setTimeout(r, 10));
  });

  test('a quiet watch gets its status line before any event', { timeout: 3000 }, async () => {
    const proxy = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${proxy.url}/watch?watch=true&quiet=1`, { headers: auth, ca: cert.certPem }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 200);
    await proxy.close();
  });

  test('pipes a WebSocket upgrade both ways; the bearer subprotocol authenticates and is stripped', async () => {
    const proxy = await start();
    const bearer = `base64url.bearer.authorization.k8s.io.${Buffer.from(LOCAL).toString('base64url')}`;
    const ws = new WebSocket(`${proxy.url.replace('https', 'wss')}/api/v1/namespaces/demo/pods/p/exec?command=sh`, [bearer, 'v5.channel.k8s.io'], {
      ca: cert.certPem,
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    assert.equal(ws.protocol, 'v5.channel.k8s.io');
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
    ws.send('hello');
    assert.equal(await reply, 'echo:hello');
    const seen = gw.requests.filter((r) => r.url.includes('/exec?command=sh')).at(-1);
    assert.equal(seen?.headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
    assert.equal(seen?.headers.authorization, `Bearer ${jwt}`);
    assert.equal(seen?.url, '/k8s/prod/api/v1/namespaces/demo/pods/p/exec?command=sh');
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    const t0 = Date.now();
    await proxy.close();
    await closed;
    assert.ok(Date.now() - t0 < 1000);
  });

  test('pipes a SPDY-style POST upgrade as raw bytes, and relays a refused upgrade with its Status', async () => {
    const proxy = await start();
    const raw = (path: string, method: string, upgrade: string, token = LOCAL): Promise<{ socket: ReturnType<typeof tlsConnect>; head: Promise<string> }> =>
      new Promise((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: proxy.port, ca: cert.certPem, servername: 'localhost' }, () => {
          socket.write(
            `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nConnection: Upgrade\r\nUpgrade: ${upgrade}\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n`,
          );
          let buf = '';
          const head = new Promise<string>((res) => {
            const onData = (d: Buffer): void => {
              buf += d.toString('utf8');
              if (buf.includes('\r\n\r\n')) {
                socket.off('data', onData);
                res(buf);
              }
            };
            socket.on('data', onData);
          });
          resolve({ socket, head });
        });
        socket.on('error', reject);
      });

    const spdy = await raw('/api/v1/namespaces/demo/pods/p/exec?command=ls', 'POST', 'SPDY/3.1');
    assert.match(await spdy.head, /^HTTP\/1\.1 101 /);
    const echoed = new Promise<string>((resolve) => spdy.socket.once('data', (d: Buffer) => resolve(d.toString('utf8'))));
    spdy.socket.write('frames');
    assert.equal(await echoed, 'FRAMES');
    spdy.socket.destroy();

    const denied = await raw('/api/v1/namespaces/demo/pods/denied/exec', 'GET', 'websocket');
    let all = await denied.head;
    await new Promise<void>((resolve) => {
      denied.socket.on('data', (d: Buffer) => {
        all += d.toString('utf8');
      });
      denied.socket.on('close', () => resolve());
    });
    assert.match(all, /^HTTP\/1\.1 403 /);
    assert.match(all, /exec is denied by rule no-exec/);

    // Only exec, attach and portforward switch protocols: a read carrying Upgrade is relayed as the plain read it is.
    const upgradesBefore = gw.requests.filter((q) => q.headers.upgrade !== undefined).length;
    for (const upgrade of ['foo', 'h2c', 'websocket']) {
      const plain = await raw('/api/v1/namespaces/demo/pods/p', 'GET', upgrade);
      let text = await plain.head;
      await new Promise<void>((resolve) => {
        plain.socket.on('data', (d: Buffer) => {
          text += d.toString('utf8');
        });
        plain.socket.on('close', () => resolve());
      });
      assert.match(text, /^HTTP\/1\.1 200 /, upgrade);
      assert.match(text, /"kind":"Pod"/, upgrade);
    }
    assert.equal(gw.requests.filter((q) => q.headers.upgrade !== undefined).length, upgradesBefore, 'no upgrade reached the gateway');
    const wsWatch = await raw('/api/v1/namespaces/demo/pods?watch=true', 'GET', 'websocket');
    assert.match(await wsWatch.head, /^HTTP\/1\.1 400 /);
    wsWatch.socket.destroy();

    const wrong = await raw('/api/v1/namespaces/demo/pods/p/exec', 'POST', 'SPDY/3.1', 'wrong');
    assert.match(await wrong.head, /^HTTP\/1\.1 401 /);
    wrong.socket.destroy();
  });

  test('answers 502 Status when the gateway is unreachable', async () => {
    const proxy = await start('http://127.0.0.1:1/k8s/prod');
    const res = await call(proxy, cert, '/version', { headers: auth });
    assert.equal(res.status, 502);
    assert.equal((JSON.parse(res.body) as { reason: string }).reason, 'BadGateway');
  });
});
