// Gateway masking on real sockets against a programmable upstream: every answer format (JSON, gzip,
// lists of 10,000 Secrets, watch event by event, logs -f), fail-closed refusals (protobuf, unknown
// encodings, broken JSON), request bodies in the audit log, write-back refusals, exceptions, and the
// benchmark switch that turns masking off.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { stringify } from 'yaml';
import { createEmbeddedIdp, type EmbeddedIdp } from '../../src/quickstart/embedded-idp.js';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import { createGateway, type RunningGateway } from '../../src/gateway/create-gateway.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { carriesMaskedValue, isMaskedBase64, isMaskMarker, MASK_MARKER, MASKED_BASE64 } from '../../src/mask/marker.js';
import { decodeSummaryHeader, summarizeJsonDocument } from '../../src/mask/json-summary.js';
import { idTokenFor, USERS } from './gateway-harness.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
let handler: Handler = (_q, res) => res.writeHead(404).end();

const SECRET = (name: string, value: string) => ({
  kind: 'Secret',
  apiVersion: 'v1',
  metadata: { name, namespace: 'demo' },
  data: { password: Buffer.from(value).toString('base64') },
  type: 'Opaque',
});
const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}): void => {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
};

interface Stack {
  dir: string;
  idp: EmbeddedIdp;
  upstream: http.Server;
  gateways: { gw: RunningGateway; store: Store }[];
  tokens: Record<string, string>;
}
let s: Stack;

async function gateway(dir: string, name: string, masking: Record<string, unknown>): Promise<{ gw: RunningGateway; store: Store }> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(
    file,
    stringify({
      listen: '127.0.0.1:0',
      store: { sqlite: `./${name}.db` },
      oidc: { issuers: [{ issuer: s.idp.issuer, clientId: s.idp.clientId }] },
      connections: [{ name: 'fake', server: `http://127.0.0.1:${(s.upstream.address() as AddressInfo).port}`, credential: { tokenFile: './token' } }],
      policy: {
        roles: [
          { name: 'edit', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] },
          { name: 'break-glass', rules: [{ verbs: ['get', 'list'], resources: ['secrets'] }] },
        ],
        bindings: [
          { groups: ['dev'], connections: ['*'], roles: ['edit'] },
          { groups: ['ops'], connections: ['*'], roles: ['break-glass'] },
        ],
        masking,
      },
    }),
  );
  const config = await loadGatewayConfig(file, { readFile: (p) => readFile(p, 'utf8'), env: {} });
  const store = await openSqliteStore(config.store.sqlite);
  const gw = await createGateway({ config, store });
  s.gateways.push({ gw, store });
  return { gw, store };
}

let main: { gw: RunningGateway; store: Store };
let off: { gw: RunningGateway; store: Store };
const sessions = new Map<string, string>();

async function sessionToken(g: RunningGateway, who: 'alice' | 'bob'): Promise<string> {
  const key = `${g.url} ${who}`;
  if (!sessions.has(key)) {
    const r = await request(
      g.url,
      'POST',
      '/v1/sessions',
      { authorization: `Bearer ${s.tokens[who]}`, 'content-type': 'application/json' },
      Buffer.from(JSON.stringify({ connection: 'fake' })),
    );
    assert.equal(r.status, 201, r.text);
    sessions.set(key, JSON.parse(r.text).token);
  }
  return sessions.get(key)!;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  reads: { at: number; text: string }[];
}
function request(base: string, method: string, path: string, headers: Record<string, string>, body?: Buffer, onRead?: (text: string) => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(base);
    const req = http.request({ host: u.hostname, port: Number(u.port), method, path, headers, agent: false }, (res) => {
      const reads: Answer['reads'] = [];
      res.on('data', (c: Buffer) => {
        reads.push({ at: Date.now(), text: c.toString('utf8') });
        onRead?.(c.toString('utf8'));
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: reads.map((r) => r.text).join(''), reads }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
async function kube(
  who: 'alice' | 'bob',
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer,
  g = main.gw,
  onRead?: (t: string) => void,
): Promise<Answer> {
  return request(g.url, method, `/k8s/fake${path}`, { authorization: `Bearer ${await sessionToken(g, who)}`, ...headers }, body, onRead);
}
const lastAudit = async (store = main.store) => (await store.listAudit({ limit: 1 }))[0]!;

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hoop-mask-'));
  await writeFile(join(dir, 'token'), 'upstream-token\n', { mode: 0o600 });
  const upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const idp = await createEmbeddedIdp({ users: USERS });
  s = { dir, idp, upstream, gateways: [], tokens: {} };
  s.tokens.alice = await idTokenFor(idp, 'alice');
  s.tokens.bob = await idTokenFor(idp, 'bob');
  main = await gateway(dir, 'main', { exceptions: [{ roles: ['break-glass'], resources: ['secrets'], names: ['db-creds'] }] });
  off = await gateway(dir, 'off', { enabled: false });
});
after(async () => {
  for (const { gw, store } of s?.gateways ?? []) {
    await gw.close();
    await store.close();
  }
  s?.upstream.closeAllConnections();
  await new Promise<void>((r) => (s ? s.upstream.close(() => r()) : r()));
  await s?.idp.close();
  if (s) await rm(s.dir, { recursive: true, force: true });
});

describe('answers', () => {
  test('a gzip JSON Secret: decoded, masked, sent as identity with its own Content-Length and the rule-set header', async () => {
    handler = (_q, res) => {
      const gz = gzipSync(JSON.stringify(SECRET('s', 'hunter2')));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': gz.length }).end(gz);
    };
    const r = await kube('alice', 'GET', '/api/v1/namespaces/demo/secrets/s', {
      accept: 'application/vnd.kubernetes.protobuf,application/json',
      'accept-encoding': 'gzip, zstd',
    });
    assert.equal(r.status, 200);
    // A whole value of a known object carries its digest (marker.ts), still valid base64.
    assert.match(Buffer.from(JSON.parse(r.text).data.password, 'base64').toString(), /^\*\*hoopctl-masked:[0-9a-f]{16}\*\*$/);
    assert.equal(r.headers['content-encoding'], undefined);
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.text));
    assert.match(String(r.headers['x-hoopctl-masked']), /^1\.[0-9a-f]{8}$/);
    const up = seen[seen.length - 1]!;
    assert.equal(up.headers.accept, 'application/json', 'protobuf is never asked for');
    assert.equal(up.headers['accept-encoding'], 'gzip', 'only codings the gateway can decode');
    const a = await lastAudit();
    assert.deepEqual([a.maskedCount, a.bytes], [1, Buffer.byteLength(r.text)]);
  });

  test("a held JSON answer carries the transcript summary of what the client gets; an upstream's own summary header is dropped", async () => {
    const forged = Buffer.from(JSON.stringify({ kind: 'Forged' })).toString('base64url');
    handler = (_q, res) => {
      const body = JSON.stringify({ kind: 'SecretList', apiVersion: 'v1', metadata: {}, items: [SECRET('a', 'hunter2'), SECRET('b', 'hunter3')] });
      res.writeHead(200, { 'content-type': 'application/json', 'x-hoopctl-summary': forged }).end(body);
    };
    const r = await kube('alice', 'GET', '/api/v1/namespaces/demo/secrets');
    assert.equal(r.status, 200);
    const summary = decodeSummaryHeader(r.headers['x-hoopctl-summary']);
    assert.deepEqual(summary, { kind: 'SecretList', items: 2, names: ['a', 'b'] });
    assert.deepEqual(summary, summarizeJsonDocument(JSON.parse(r.text)));
    handler = (_q, res) => {
      res.writeHead(422, { 'content-type': 'application/json', 'x-hoopctl-summary': forged }).end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Invalid',
          code: 422,
          message: 'data[dsn]: Invalid value: "postgres://app:hunter2@db/app"',
        }),
      );
    };
    const s = await kube('alice', 'GET', '/api/v1/namespaces/demo/configmaps/x');
    const status = decodeSummaryHeader(s.headers['x-hoopctl-summary']);
    assert.equal(status?.reason, 'Invalid');
    assert.doesNotMatch(String(status?.message), /hunter2/);
    assert.deepEqual(status, summarizeJsonDocument(JSON.parse(s.text)));
  });

  test('Table Accept keeps its as=Table parameters; */* becomes JSON', async () => {
    handler = (_q, res) => json(res, { kind: 'Table', apiVersion: 'meta.k8s.io/v1', rows: [] });
    await kube('alice', 'GET', '/api/v1/namespaces/demo/secrets', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/vnd.kubernetes.protobuf,application/json',
    });
    assert.equal(seen[seen.length - 1]!.headers.accept, 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json');
    await kube('alice', 'GET', '/api/v1/namespaces/demo/pods', { accept: 'application/cbor, */*' });
    assert.equal(seen[seen.length - 1]!.headers.accept, 'application/json');
  });

  test('a 10,000-Secret list is streamed masked (chunked), every value counted', async () => {
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"kind":"SecretList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[');
      for (let i = 0; i < 10_000; i++) res.write(`${i === 0 ? '' : ','}${JSON.stringify(SECRET(`s-${i}`, `value-${i}`))}`);
      res.end(']}\n');
    };
    const r = await kube('alice', 'GET', '/api/v1/secrets');
    const list = JSON.parse(r.text);
    assert.equal(list.items.length, 10_000);
    assert.ok(list.items.every((i: any) => isMaskedBase64(i.data.password)));
    assert.equal(new Set(list.items.map((i: any) => i.data.password)).size, 10_000, 'different values, different markers');
    assert.equal(r.headers['content-length'], undefined);
    assert.equal(r.headers['transfer-encoding'], 'chunked');
    assert.equal((await lastAudit()).maskedCount, 10_000);
  });

  test('a watch is masked event by event: each event reaches the client before the next one is sent', async () => {
    let release!: () => void;
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const ev = JSON.stringify({ type: 'ADDED', object: SECRET('w1', 'first') });
      res.write(ev.slice(0, 40));
      setTimeout(() => res.write(`${ev.slice(40)}\n`), 50);
      release = () => res.end(`${JSON.stringify({ type: 'DELETED', object: SECRET('w1', 'first') })}\n`);
    };
    const r = await kube('alice', 'GET', '/api/v1/namespaces/demo/secrets?watch=true', {}, undefined, main.gw, (text) => {
      if (text.includes('ADDED')) release();
    });
    const lines = r.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.type),
      ['ADDED', 'DELETED'],
    );
    assert.ok(isMaskedBase64(lines[0].object.data.password) && lines[0].object.data.password !== MASKED_BASE64);
    assert.equal(lines[1].object.data.password, lines[0].object.data.password, 'the same value reads the same in both events');
    assert.ok(r.reads.length >= 2, 'events arrive separately');
  });

  test('logs (also -f): masked line by line as they arrive', async () => {
    handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('starting\nconnecting to postgres://app:hunter2@db/app\npartial pass');
      setTimeout(() => res.end('word=x\n'), 30);
    };
    const r = await kube('alice', 'GET', '/api/v1/namespaces/demo/pods/p/log?follow=true');
    assert.equal(r.text, `starting\nconnecting to postgres://app:${MASK_MARKER}@db/app\npartial password=${MASK_MARKER}\n`);
    assert.equal(seen[seen.length - 1]!.headers.accept, undefined, 'logs keep the client Accept');
  });

  for (const [label, reply] of [
    ['protobuf', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/vnd.kubernetes.protobuf' }).end(Buffer.from('6b387300', 'hex'))],
    ['CBOR', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/cbor' }).end(Buffer.from([0xd9, 0xd9, 0xf7]))],
    ['zstd', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'zstd' }).end('x')],
    ['broken JSON', (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"password":"aHVudGVyMg=="')],
  ] as const) {
    test(`fail closed: ${label} is refused with a Status, never passed`, async () => {
      handler = (_q, res) => reply(res);
      const r = await kube('alice', 'GET', '/api/v1/namespaces/demo/secrets/s');
      assert.equal(r.status, 502, r.text);
      assert.equal(JSON.parse(r.text).kind, 'Status');
      assert.match(JSON.parse(r.text).message, /cannot mask .*refused rather than passed unmasked/);
      assert.doesNotMatch(r.text, /aHVudGVyMg|hunter2/);
      assert.match((await lastAudit()).message ?? '', /^refused: the gateway cannot mask/);
    });
  }

  test('discovery in protobuf passes (API schema, not cluster data)', async () => {
    handler = (_q, res) => res.writeHead(200, { 'content-type': 'application/vnd.kubernetes.protobuf' }).end(Buffer.from('6b387300', 'hex'));
    assert.equal((await kube('alice', 'GET', '/apis')).status, 200);
  });
});

describe('request bodies', () => {
  test('a JSON write is audited masked; a protobuf write is forwarded byte for byte and audited by size and hash', async () => {
    handler = (_q, res, body) => json(res, { ...SECRET('n', 'v'), echo: body.length });
    const manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'n' }, stringData: { password: 'hunter2' } };
    await kube('alice', 'POST', '/api/v1/namespaces/demo/secrets', { 'content-type': 'application/json' }, Buffer.from(JSON.stringify(manifest)));
    const a = await lastAudit();
    assert.ok(isMaskMarker((a.requestObject as any).stringData.password), JSON.stringify(a.requestObject));
    assert.ok(a.maskedCount >= 2, 'request and answer values are counted');
    const pb = Buffer.concat([Buffer.from('6b387300', 'hex'), Buffer.from('\x0a\x0cSecret hunter2-raw', 'latin1')]);
    await kube('alice', 'POST', '/api/v1/namespaces/demo/secrets', { 'content-type': 'application/vnd.kubernetes.protobuf' }, pb);
    assert.deepEqual(seen[seen.length - 1]!.body, pb);
    const b = await lastAudit();
    assert.deepEqual(Object.keys(b.requestObject as object), ['contentType', 'bytes', 'sha256']);
    assert.doesNotMatch(JSON.stringify(b), /hunter2/);
  });

  test('writing a masked value back (JSON, YAML or protobuf) is refused with 422 and never reaches upstream', async () => {
    const before = seen.length;
    for (const [type, body] of [
      ['application/json', JSON.stringify({ kind: 'Secret', metadata: { name: 'db' }, data: { password: MASKED_BASE64 } })],
      ['application/apply-patch+yaml', `kind: ConfigMap\ndata:\n  password: "${MASK_MARKER}"\n`],
      ['application/vnd.kubernetes.protobuf', `k8s\u0000${MASK_MARKER}`],
    ] as const) {
      const r = await kube(
        'alice',
        type.includes('apply') ? 'PATCH' : 'PUT',
        '/api/v1/namespaces/demo/secrets/db',
        { 'content-type': type },
        Buffer.from(body, 'latin1'),
      );
      assert.equal(r.status, 422, r.text);
      const st = JSON.parse(r.text);
      // kube's NewInvalid shape: kubectl prints `The Secret "db" is invalid: <field>: <message>` from details.
      assert.equal(st.reason, 'Invalid');
      assert.deepEqual([st.details.kind, st.details.name, st.details.group], ['Secret', 'db', undefined]);
      assert.equal(st.details.causes[0].field, type.includes('protobuf') ? '<request body>' : 'data.password');
      assert.match(
        st.details.causes[0].message,
        /a value masked by hoopctl cannot be written back .*kubectl (create secret generic db -n demo|patch secret db -n demo)/,
      );
    }
    assert.equal(seen.length, before);
  });

  test('an apply patch carrying exactly the masked live last-applied annotation goes up with the live value; any other masked value is refused', async () => {
    const manifest = `${JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'demo' }, stringData: { password: 'hunter2' } })}\n`;
    const live = {
      ...SECRET('db', 'hunter2'),
      metadata: { name: 'db', namespace: 'demo', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': manifest } },
    };
    handler = (_q, res) => json(res, live);
    const read = JSON.parse((await kube('alice', 'GET', '/api/v1/namespaces/demo/secrets/db')).text);
    const masked = read.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] as string;
    assert.ok(carriesMaskedValue(masked) && !masked.includes('hunter2'));
    // kubectl apply --server-side, PATCH (b) of fixture 121: only the annotation, as kubectl read it.
    const patch = (value: string): Buffer =>
      Buffer.from(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'db', namespace: 'demo', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': value } },
        }),
      );
    const before = seen.length;
    const ok = await kube(
      'alice',
      'PATCH',
      '/api/v1/namespaces/demo/secrets/db?fieldManager=kubectl-last-applied&fieldValidation=Strict',
      { 'content-type': 'application/apply-patch+yaml' },
      patch(masked),
    );
    assert.equal(ok.status, 200, ok.text);
    const sent = seen.slice(before);
    assert.deepEqual(
      sent.map((q) => q.method),
      ['GET', 'PATCH'],
    );
    assert.equal(JSON.parse(sent[1]!.body.toString()).metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], manifest);
    assert.equal(Number(sent[1]!.headers['content-length']), sent[1]!.body.length);
    assert.equal(sent[1]!.headers['impersonate-user'], sent[0]!.headers['impersonate-user'], 'the live object is read as the caller');
    assert.doesNotMatch(JSON.stringify(await lastAudit()), /hunter2/);
    // A masked annotation that is not the live one's masked form (changed, or another object's) is refused.
    const other = masked.replace(/hoopctl-masked:[0-9a-f]{4}/, 'hoopctl-masked:0000');
    assert.notEqual(other, masked);
    const mark = seen.length;
    const refused = await kube(
      'alice',
      'PATCH',
      '/api/v1/namespaces/demo/secrets/db?fieldManager=kubectl-last-applied',
      { 'content-type': 'application/apply-patch+yaml' },
      patch(other),
    );
    assert.equal(refused.status, 422, refused.text);
    assert.deepEqual(
      seen.slice(mark).map((q) => q.method),
      ['GET'],
    );
    // With a masked value next to it, nothing is restored.
    const both = JSON.parse(patch(masked).toString());
    both.data = { password: read.data.password };
    const mixed = await kube(
      'alice',
      'PATCH',
      '/api/v1/namespaces/demo/secrets/db',
      { 'content-type': 'application/merge-patch+json' },
      Buffer.from(JSON.stringify(both)),
    );
    assert.equal(mixed.status, 422);
    assert.deepEqual(
      JSON.parse(mixed.text).details.causes.map((c: any) => c.field),
      ['metadata.annotations.kubectl.kubernetes.io/last-applied-configuration', 'data.password'],
    );
  });

  test('a secret in the query is masked in the audit log', async () => {
    handler = (_q, res) => json(res, { kind: 'ConfigMapList', apiVersion: 'v1', items: [] });
    await kube('alice', 'GET', '/api/v1/namespaces/demo/configmaps?labelSelector=token%3Dhunter2');
    const a = await lastAudit();
    assert.equal(a.requestURI, `/api/v1/namespaces/demo/configmaps?labelSelector=token=${MASK_MARKER}`);
  });
});

describe('policy', () => {
  test('a masking exception leaves exactly the named Secret in clear for that role, and the audit says so', async () => {
    handler = (_q, res) => json(res, { kind: 'SecretList', apiVersion: 'v1', items: [SECRET('db-creds', 'glass'), SECRET('other', 'x')] });
    const r = await kube('bob', 'GET', '/api/v1/namespaces/demo/secrets');
    const items = JSON.parse(r.text).items;
    assert.equal(Buffer.from(items[0].data.password, 'base64').toString(), 'glass');
    assert.ok(isMaskedBase64(items[1].data.password));
    assert.deepEqual((await lastAudit()).annotations, { 'mask.hoopctl.dev/exempted': 'objects left in clear by policy.masking.exceptions[0]' });
    const alice = JSON.parse((await kube('alice', 'GET', '/api/v1/namespaces/demo/secrets')).text);
    assert.ok(isMaskedBase64(alice.items[0].data.password), 'other roles still see it masked');
  });

  test('masking.enabled: false (benchmarks only) passes answers through unchanged and untagged', async () => {
    handler = (_q, res) => json(res, SECRET('s', 'clear'));
    const r = await kube(
      'alice',
      'GET',
      '/api/v1/namespaces/demo/secrets/s',
      { accept: 'application/vnd.kubernetes.protobuf,application/json' },
      undefined,
      off.gw,
    );
    assert.equal(Buffer.from(JSON.parse(r.text).data.password, 'base64').toString(), 'clear');
    assert.equal(r.headers['x-hoopctl-masked'], undefined);
    assert.equal(seen[seen.length - 1]!.headers.accept, 'application/vnd.kubernetes.protobuf,application/json');
  });
});
