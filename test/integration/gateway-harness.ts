// Real pieces for the gateway integration tests: the embedded IdP (device flow), the simulated
// kube-apiserver over TLS, an exec-style upgrade upstream, a real SQLite file, and raw HTTP helpers.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { stringify } from 'yaml';
import { createEmbeddedIdp, type EmbeddedIdp } from '../../src/quickstart/embedded-idp.js';
import { approveDeviceCode } from '../../src/quickstart/device-approver.js';
import { discoverIssuer, initiateDeviceAuthorization, pollDeviceAuthorizationGrant } from '../../src/oidc/device-authorization.js';
import { createKubeApiServer, writeKubeconfig, type KubeApiServer } from '../../src/simulated-cluster/index.js';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import { createGateway, type RunningGateway } from '../../src/gateway/create-gateway.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { readFile } from 'node:fs/promises';

export const USERS = [
  { username: 'alice', password: 'pw-alice', email: 'alice@example.com', groups: ['dev'] },
  { username: 'bob', password: 'pw-bob', email: 'bob@example.com', groups: ['ops'] },
  { username: 'root', password: 'pw-root', email: 'root@example.com', groups: ['platform-admins'] },
  // Approvers (sre) for the approval tests, and an IdP account claiming a Kubernetes system group.
  { username: 'sam', password: 'pw-sam', email: 'sam@example.com', groups: ['sre'] },
  { username: 'sue', password: 'pw-sue', email: 'sue@example.com', groups: ['sre', 'dev'] },
  { username: 'mallory', password: 'pw-mallory', email: 'mallory@example.com', groups: ['dev', 'system:masters'] },
];

export const POLICY = {
  roles: [
    { name: 'view', rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['configmaps', 'pods', 'namespaces'], namespaces: ['*'] }] },
    { name: 'edit', rules: [{ verbs: ['*'], apiGroups: [''], resources: ['*'], namespaces: ['*'] }] },
    { name: 'shell', rules: [{ verbs: ['create', 'get'], apiGroups: [''], resources: ['pods', 'pods/exec'], namespaces: ['*'] }] },
  ],
  bindings: [
    { groups: ['dev'], connections: ['prod', 'down'], roles: ['view'] },
    { groups: ['dev'], connections: ['prod'], roles: ['edit'], approval: true, approvers: ['sre'] },
    { groups: ['dev'], connections: ['echo'], roles: ['shell'], maxTtl: '2m' },
  ],
  guardrails: [
    {
      name: 'no-namespace-deletion',
      connections: ['*'],
      match: { verbs: ['delete'], resources: ['namespaces'] },
      effect: 'deny',
      message: 'namespaces are never deleted through hoopctl',
    },
  ],
};

/** An upstream that answers HTTP/1.1 upgrades with 101 and echoes bytes, like a kubelet exec stream. */
export interface EchoUpstream {
  url: string;
  upgrades: IncomingHttpHeaders[];
  /** Method and URL of every plain (non-upgrade) request. */
  requests: string[];
  openSockets(): number;
  close(): Promise<void>;
}

async function startEchoUpstream(): Promise<EchoUpstream> {
  const upgrades: IncomingHttpHeaders[] = [];
  const sockets = new Set<Duplex>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(404).end();
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    upgrades.push(req.headers);
    if ((req.url ?? '').includes('/pods/nohost/')) {
      const body = JSON.stringify({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'pod nohost does not have a host assigned',
        reason: 'BadRequest',
        code: 400,
      });
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const proto = req.headers.upgrade === 'websocket' ? 'Upgrade: websocket\r\nSec-WebSocket-Protocol: v5.channel.k8s.io' : 'Upgrade: SPDY/3.1';
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n${proto}\r\n\r\n`);
    socket.pipe(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    upgrades,
    requests,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** An ID token from the embedded IdP through the real device flow. */
export async function idTokenFor(idp: EmbeddedIdp, username: string): Promise<string> {
  const user = USERS.find((u) => u.username === username)!;
  const cfg = await discoverIssuer(idp.issuer, idp.clientId);
  const handle = await initiateDeviceAuthorization(cfg, ['openid', 'email', 'profile', 'groups']);
  await approveDeviceCode({ verificationUri: handle.verification_uri, userCode: handle.user_code, username, password: user.password });
  const tokens = await pollDeviceAuthorizationGrant(cfg, handle);
  if (tokens.id_token === undefined) throw new Error('the IdP returned no ID token');
  return tokens.id_token;
}

/** Writes the gateway config used by the tests into `dir`; returns its path. */
export async function writeGatewayConfig(
  dir: string,
  idp: EmbeddedIdp,
  kube: KubeApiServer,
  echo: EchoUpstream,
  extra: Record<string, unknown> = {},
): Promise<string> {
  await writeKubeconfig(kube, join(dir, 'prod.kubeconfig'), { name: 'admin@prod' });
  await writeFile(join(dir, 'echo.token'), 'echo-token\n', { mode: 0o600 });
  const file = join(dir, 'gateway.yaml');
  await writeFile(
    file,
    stringify({
      listen: '127.0.0.1:0',
      store: { sqlite: './state/gw.db' },
      oidc: { issuers: [{ issuer: idp.issuer, clientId: idp.clientId }] },
      admins: { groups: ['platform-admins'] },
      sessions: { defaultTtl: '15m', maxTtl: '1h' },
      connections: [
        { name: 'prod', description: 'simulated cluster', credential: { kubeconfig: './prod.kubeconfig', context: 'admin@prod' }, maxTtl: '10m' },
        { name: 'echo', server: echo.url, credential: { tokenFile: './echo.token' } },
        { name: 'down', server: `https://127.0.0.1:${await closedPort()}`, certificateAuthorityData: kube.caPem, credential: { tokenFile: './echo.token' } },
      ],
      policy: POLICY,
      ...extra,
    }),
  );
  return file;
}

/** Everything one test file needs, started once. */
export interface Harness {
  dir: string;
  idp: EmbeddedIdp;
  kube: KubeApiServer;
  echo: EchoUpstream;
  store: Store;
  gateway: RunningGateway;
  /** Added to the gateway's clock. */
  clock: { skewMs: number };
  /** When true the store refuses audit writes. */
  faults: { audit: boolean };
  /** Every line the gateway logged. */
  logs: string[];
  idTokens: Record<'alice' | 'bob' | 'root', string>;
  close(): Promise<void>;
}

/** Extra settings of one harness: config keys merged over the defaults (e.g. `policy`, `approvals`, `notifications`), gateway options. */
export interface HarnessOptions {
  /** A function sees the embedded IdP first (e.g. to list it among other issuers). */
  config?: Record<string, unknown> | ((idp: EmbeddedIdp) => Record<string, unknown>);
  notifyBackoffMs?: number;
  logger?: (line: string, fields?: Record<string, unknown>) => void;
  /** The gateway's clock instead of the real one plus `clock.skewMs`. */
  now?: () => number;
}

/** Starts IdP, upstreams, store and gateway. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'hoop-gw-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const idp = await createEmbeddedIdp({ users: USERS });
    cleanups.push(() => idp.close());
    const kube = await createKubeApiServer({ tls: true });
    cleanups.push(() => kube.close());
    const echo = await startEchoUpstream();
    cleanups.push(() => echo.close());
    const extra = typeof options.config === 'function' ? options.config(idp) : options.config;
    const config = await loadGatewayConfig(await writeGatewayConfig(dir, idp, kube, echo, extra), { readFile: (p) => readFile(p, 'utf8'), env: {} });
    const real = await openSqliteStore(config.store.sqlite);
    cleanups.push(() => real.close());
    const faults = { audit: false };
    const store: Store = {
      ...real,
      appendAudit: (e) => (faults.audit ? Promise.reject(new Error('disk full')) : real.appendAudit(e)),
    };
    const clock = { skewMs: 0 };
    const logs: string[] = [];
    const gateway = await createGateway({
      config,
      store,
      now: options.now ?? (() => Date.now() + clock.skewMs),
      sessionCacheMs: 60_000,
      ...(options.notifyBackoffMs === undefined ? {} : { notifyBackoffMs: options.notifyBackoffMs }),
      logger: (line, fields) => {
        logs.push(fields === undefined ? line : `${line} ${JSON.stringify(fields)}`);
        options.logger?.(line, fields);
      },
    });
    cleanups.push(() => gateway.close());
    const [alice, bob, root] = await Promise.all(['alice', 'bob', 'root'].map((u) => idTokenFor(idp, u)));
    return { dir, idp, kube, echo, store, gateway, clock, faults, logs, idTokens: { alice: alice!, bob: bob!, root: root! }, close: cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** A finished HTTP exchange. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
}

// A URL string would be parsed (and `..` resolved) by node; host, port and path keep the path as written.
function target(base: string, path: string): { host: string; port: number; path: string } {
  const u = new URL(base);
  return { host: u.hostname, port: Number(u.port), path };
}

/** Sends a request with the path exactly as given (fetch would normalise `..`). */
export function send(base: string, method: string, path: string, headers: Record<string, string | string[]> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...target(base, path), method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('aborted')));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens an upgrade (exec-style) request; resolves with the 101 socket or the refusal. */
export function openUpgrade(
  base: string,
  path: string,
  headers: Record<string, string | string[]>,
  method = 'GET',
): Promise<{ kind: 'upgraded'; res: http.IncomingMessage; socket: Socket } | { kind: 'refused'; answer: Answer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...target(base, path), method, headers: { connection: 'Upgrade', ...headers }, agent: false });
    req.on('upgrade', (res, socket) => resolve({ kind: 'upgraded', res, socket }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolve({ kind: 'refused', answer: { status: res.statusCode ?? 0, headers: res.headers, body, json: JSON.parse(body || 'null') } });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
