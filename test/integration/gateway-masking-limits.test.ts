// The masking limits through a real gateway: a request body nested too deep is a 400 Status naming
// the limit (never a 500, never forwarded); an answer nested too deep is a 502 "cannot mask"
// Status; an unauthenticated request with a 15 KB URI of `+` after `password=` is answered 401 and
// audited with the URI cut, its length and hash; a 60 KB ConfigMap value of spaces after a keyword
// is read masked. Nothing here measures time: the bench does (bench/README.md, masking).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createEmbeddedIdp, type EmbeddedIdp } from '../../src/quickstart/embedded-idp.js';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import { createGateway, type RunningGateway } from '../../src/gateway/create-gateway.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { MASK_MARKER } from '../../src/mask/marker.js';
import { idTokenFor, USERS } from './gateway-harness.js';
import { waitUntil } from '../support/wait-until.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
let handler: Handler = (_q, res) => res.writeHead(404).end();
let upstreamRequests = 0;
let dir: string;
let idp: EmbeddedIdp;
let upstream: http.Server;
let gw: RunningGateway;
let store: Store;
let token: string;

interface Answer {
  status: number;
  text: string;
}
function request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(gw.url);
    const req = http.request({ host: u.hostname, port: Number(u.port), method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const kube = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
  request(method, `/k8s/fake${path}`, { authorization: `Bearer ${token}`, ...headers }, body);
const BUDGET = 256 << 10;
const lastAudit = async () => (await store.listAudit({ limit: 1 }))[0]!;
const nested = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hoop-mask-limits-'));
  await writeFile(join(dir, 'token'), 'upstream-token\n', { mode: 0o600 });
  upstream = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      upstreamRequests++;
      handler(req, res);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  idp = await createEmbeddedIdp({ users: USERS });
  const file = join(dir, 'gw.yaml');
  await writeFile(
    file,
    stringify({
      listen: '127.0.0.1:0',
      store: { sqlite: './gw.db' },
      oidc: { issuers: [{ issuer: idp.issuer, clientId: idp.clientId }] },
      connections: [{ name: 'fake', server: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, credential: { tokenFile: './token' } }],
      policy: {
        roles: [{ name: 'edit', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] }],
        bindings: [{ groups: ['dev'], connections: ['*'], roles: ['edit'] }],
      },
    }),
  );
  const config = await loadGatewayConfig(file, { readFile: (p) => readFile(p, 'utf8'), env: {} });
  store = await openSqliteStore(config.store.sqlite);
  // Small enough that a few held bodies of one session reach it (the bodies of the other tests stay far below).
  gw = await createGateway({ config, store, bodyBudget: { totalBytes: 1 << 20, perSessionBytes: BUDGET } });
  const idToken = await idTokenFor(idp, 'alice');
  const r = await request(
    'POST',
    '/v1/sessions',
    { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' },
    JSON.stringify({ connection: 'fake' }),
  );
  assert.equal(r.status, 201, r.text);
  token = JSON.parse(r.text).token;
});
after(async () => {
  await gw?.close();
  await store?.close();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => (upstream ? upstream.close(() => r()) : r()));
  await idp?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

test('a request body nested deeper than 512 levels: 400 BadRequest Status naming the limit, not forwarded, audited', async () => {
  const before = upstreamRequests;
  const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"spec":${nested(20_000)}}`;
  const r = await kube('POST', '/api/v1/namespaces/demo/configmaps', { 'content-type': 'application/json' }, body);
  assert.equal(r.status, 400, r.text);
  const status = JSON.parse(r.text);
  assert.deepEqual([status.kind, status.reason, status.code], ['Status', 'BadRequest', 400]);
  assert.match(status.message, /deeper than 512 levels/);
  assert.equal(upstreamRequests, before, 'never reaches upstream');
  const a = await lastAudit();
  assert.deepEqual([a.verb, a.responseStatus, a.message], ['create', 400, 'refused: the request body nests too deep to be masked']);
});

test('an answer nested deeper than 512 levels: 502 "cannot mask" Status, not a 500', async () => {
  handler = (_q, res) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(`{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"deep"},"spec":${nested(20_000)}}`);
  const r = await kube('GET', '/api/v1/namespaces/demo/configmaps/deep');
  assert.equal(r.status, 502, r.text);
  assert.match(JSON.parse(r.text).message, /cannot mask this answer .*deeper than 512 levels/);
});

test('an unauthenticated 15 KB URI of "+" after password=: 401, audited cut with its length and hash', async () => {
  const path = `/k8s/fake/api/v1/pods?labelSelector=password%3Dhunter2&x=${'+'.repeat(15_000)}S3NT1NEL`;
  const r = await request('GET', path, {});
  assert.equal(r.status, 401, r.text);
  const a = await lastAudit();
  assert.equal(a.responseStatus, 401);
  assert.match(
    a.requestURI,
    new RegExp(
      `^/api/v1/pods\\?labelSelector=password=\\*\\*hoopctl-masked\\*\\*\\[cut: ${path.length - '/k8s/fake'.length} characters, sha256:[0-9a-f]{16}\\]$`,
    ),
  );
  assert.doesNotMatch(JSON.stringify(a), /hunter2|S3NT1NEL/);
});

test('a 60 KB ConfigMap value of spaces after a keyword is read masked', async () => {
  const value = `password=${' '.repeat(60_000)}x\ntoken: s3cr3t-value`;
  handler = (_q, res) =>
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'spaces' }, data: { conf: value } }));
  const r = await kube('GET', '/api/v1/namespaces/demo/configmaps/spaces');
  assert.equal(r.status, 200, r.text);
  assert.equal(JSON.parse(r.text).data.conf, `password=${' '.repeat(60_000)}${MASK_MARKER}\ntoken: ${MASK_MARKER}`);
});

const yamlKeys = (bytes: number): string => {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    lines.push(`k${i}: 1`);
    size += `k${i}: 1\n`.length;
  }
  return lines.join('\n');
};

test("a get / list / watch with a body (the attacker's 1 MiB of YAML keys): 400 Status, refused unread, never forwarded; /healthz answers (attack finding 2)", async () => {
  const before = upstreamRequests;
  for (const path of ['/api/v1/namespaces/demo/pods', '/api/v1/namespaces/demo/pods/p1', '/api/v1/namespaces/demo/pods?watch=true']) {
    const body = yamlKeys(1 << 20);
    // Framed explicitly: node's client sends a GET body unframed.
    const r = await kube('GET', path, { 'content-type': 'application/yaml', 'content-length': String(Buffer.byteLength(body)) }, body);
    assert.equal(r.status, 400, r.text);
    const status = JSON.parse(r.text);
    assert.deepEqual([status.kind, status.reason], ['Status', 'BadRequest']);
    assert.match(status.message, /carries no body in Kubernetes/);
  }
  assert.equal(upstreamRequests, before, 'never reaches upstream');
  const events = await store.listAudit({ limit: 10 });
  assert.deepEqual(
    events.filter((e) => /^refused: a body on /.test(e.message ?? '')).map((e) => [e.verb, e.responseStatus]),
    [
      ['list', 400],
      ['get', 400],
      ['watch', 400],
    ],
  );
  assert.equal((await request('GET', '/healthz', {})).status, 200);
});

test('a YAML body above 32 KiB: 413 Status that names the limit and suggests JSON, not parsed, not forwarded; the same object as JSON passes (attack finding 2)', async () => {
  handler = (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"big"}}');
  const before = upstreamRequests;
  const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n${yamlKeys(64 << 10).replace(/^/gm, '  ')}`;
  const r = await kube('PUT', '/api/v1/namespaces/demo/configmaps/big', { 'content-type': 'application/yaml' }, yaml);
  assert.equal(r.status, 413, r.text);
  const status = JSON.parse(r.text);
  assert.deepEqual([status.kind, status.reason], ['Status', 'RequestEntityTooLarge']);
  assert.match(status.message, /YAML request body may be at most 32768 bytes .*send it as JSON/);
  assert.equal(upstreamRequests, before, 'never reaches upstream');
  const data = Object.fromEntries(
    yamlKeys(64 << 10)
      .split('\n')
      .map((l) => [l.split(':')[0]!, '1']),
  );
  const json = await kube(
    'PUT',
    '/api/v1/namespaces/demo/configmaps/big',
    { 'content-type': 'application/yaml' },
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data }),
  );
  assert.equal(json.status, 200, json.text);
  assert.ok(upstreamRequests > before, 'the JSON body was forwarded');
});

/** A PUT whose body is announced at `size` bytes and sent `first` bytes at once; the rest when `finish` is called. */
function heldPut(name: string, size: number, first: number): { answer: Promise<Answer & { retryAfter?: string }>; finish(): void; abort(): void } {
  const u = new URL(gw.url);
  let req!: http.ClientRequest;
  const answer = new Promise<Answer & { retryAfter?: string }>((resolve, reject) => {
    req = http.request(
      {
        host: u.hostname,
        port: Number(u.port),
        method: 'PUT',
        path: `/k8s/fake/api/v1/namespaces/demo/configmaps/${name}`,
        agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(size) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            ...(res.headers['retry-after'] === undefined ? {} : { retryAfter: res.headers['retry-after'] }),
          }),
        );
      },
    );
    req.on('error', reject);
  });
  const body = Buffer.from(`{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"${name}"},"data":{"pad":"${'x'.repeat(size)}`.slice(0, size - 3) + '"}}');
  req.write(body.subarray(0, first));
  return {
    answer,
    finish: () => req.end(body.subarray(first)),
    abort: () => {
      answer.catch(() => undefined);
      req.destroy();
    },
  };
}

test('request bodies held in memory have a budget: the body that would pass it is refused with 429 + Retry-After, the others proceed, aborted ones give their bytes back (attack finding 3)', async () => {
  handler = (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"held"}}');
  const chunk = 70 << 10;
  const held = [0, 1, 2].map((i) => heldPut(`held${i}`, chunk + (10 << 10), chunk));
  await waitUntil('three bodies are held', () => gw.heldBodies().total === 3 * chunk);
  const over = heldPut('over', chunk, chunk);
  const refused = await over.answer;
  assert.equal(refused.status, 429, refused.text);
  assert.equal(refused.retryAfter, '1');
  const status = JSON.parse(refused.text);
  assert.deepEqual([status.kind, status.reason, status.details?.retryAfterSeconds], ['Status', 'TooManyRequests', 1]);
  assert.match(status.message, /at most 0\.3 MiB of request bodies per session and 1 MiB in all/);
  for (const h of held) h.finish();
  for (const h of held) assert.equal((await h.answer).status, 200);
  await waitUntil('every body is given back after the answers', () => gw.heldBodies().total === 0);
  const aborted = [0, 1, 2].map((i) => heldPut(`gone${i}`, chunk + 1000, chunk));
  await waitUntil('the bodies to abort are held', () => gw.heldBodies().total === 3 * chunk);
  for (const a of aborted) a.abort();
  await waitUntil('aborted bodies give their bytes back', () => gw.heldBodies().total === 0 && gw.heldBodies().sessions === 0);
  const after = heldPut('after', chunk, chunk);
  assert.equal((await after.answer).status, 200);
});
