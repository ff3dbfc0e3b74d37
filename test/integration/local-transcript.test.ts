// The local proxy's session transcript: one 0600 JSON line per request, answer summaries masked
// locally unless the gateway says (X-Hoopctl-Masked) it already masked them, queries always masked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { request } from 'node:https';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalProxy, type LocalProxy } from '../../src/local-proxy/create-local-proxy.js';
import { createSessionCertificate, type SessionCertificate } from '../../src/local-proxy/session-certificate.js';
import type { TranscriptEntry } from '../../src/local-proxy/transcript.js';
import { MASK_MARKER } from '../../src/mask/marker.js';

const LOCAL = 'local-token';
let dir: string;
let gateway: http.Server;
let proxy: LocalProxy;
let cert: SessionCertificate;

// A stand-in gateway: the first two answers say they were masked, the others do not.
const answers: Record<string, { headers: Record<string, string>; body: string }> = {
  '/k8s/c/api/v1/namespaces/demo/secrets': {
    headers: { 'content-type': 'application/json', 'x-hoopctl-masked': '1.abcdef01' },
    body: JSON.stringify({ kind: 'SecretList', items: [{ metadata: { name: 'db' } }] }),
  },
  '/k8s/c/api/v1/namespaces/demo/pods/p/log': { headers: { 'content-type': 'text/plain', 'x-hoopctl-masked': '1.abcdef01' }, body: 'already masked\n' },
  '/k8s/c/api/v1/namespaces/demo/configmaps/x': {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'Status', reason: 'Invalid', message: 'data[dsn]: Invalid value: "postgres://app:hunter2@db/app"', code: 422 }),
  },
  '/k8s/c/api/v1/namespaces/demo/pods/q/log': { headers: { 'content-type': 'text/plain' }, body: 'boot\nusing token=hunter2\n' },
  // `logs --tail` that cut a key's BEGIN line off: its body lines are base64 only.
  '/k8s/c/api/v1/namespaces/demo/pods/k/log': {
    headers: { 'content-type': 'text/plain' },
    body: `${'hunter2'.padEnd(64, 'Q')}\nAbCd==\n-----END PRIVATE KEY-----\nnext\n`,
  },
  // The gateway's summary of what it masked is taken as is (the body says otherwise, so a parse would show).
  '/k8s/c/api/v1/namespaces/demo/pods': {
    headers: {
      'content-type': 'application/json',
      'x-hoopctl-masked': '1.abcdef01',
      'x-hoopctl-summary': summaryHeader({ kind: 'PodList', items: 2, names: ['a', 'b'] }),
    },
    body: '{"kind":"PodList","items":[]}',
  },
  // A summary header that is no summary, or one without the masking header, is not trusted: the body is summarised.
  '/k8s/c/api/v1/namespaces/demo/services': {
    headers: { 'content-type': 'application/json', 'x-hoopctl-masked': '1.abcdef01', 'x-hoopctl-summary': summaryHeader({ kind: 7 }) },
    body: '{"kind":"ServiceList","items":[{"metadata":{"name":"s"}}]}',
  },
  '/k8s/c/api/v1/namespaces/demo/endpoints': {
    headers: { 'content-type': 'application/json', 'x-hoopctl-summary': summaryHeader({ kind: 'Forged', message: 'token=hunter2' }) },
    body: '{"kind":"EndpointsList","items":[]}',
  },
  '/k8s/c/api/v1/namespaces/demo/configmaps': {
    headers: { 'content-type': 'application/json' },
    body: '{"type":"ADDED","object":{"kind":"ConfigMap","metadata":{"name":"w"}}}\n',
  },
};

function summaryHeader(s: unknown): string {
  return Buffer.from(JSON.stringify(s)).toString('base64url');
}

function get(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${proxy.url}${path}`, { headers: { authorization: `Bearer ${LOCAL}` }, ca: cert.certPem }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hoop-transcript-'));
  gateway = http.createServer((req, res) => {
    const a = answers[(req.url ?? '').split('?')[0]!];
    if (a === undefined) res.writeHead(404).end();
    else res.writeHead(200, a.headers).end(a.body);
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  cert = await createSessionCertificate({ now: new Date(), validForSeconds: 600 });
  proxy = await createLocalProxy({
    upstreamUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/k8s/c`,
    upstreamToken: 'jwt',
    localToken: LOCAL,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    transcriptFile: join(dir, 'sub', 'transcript.jsonl'),
  });
});
after(async () => {
  await proxy?.close();
  gateway?.closeAllConnections();
  await new Promise<void>((r) => gateway.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

test("transcript: masked summaries, masked queries, 0600; the gateway header prevents double masking; the gateway's summary is used only with it", async () => {
  await get('/api/v1/namespaces/demo/secrets?labelSelector=token%3Dhunter2');
  await get('/api/v1/namespaces/demo/pods/p/log');
  await get('/api/v1/namespaces/demo/configmaps/x');
  await get('/api/v1/namespaces/demo/pods/q/log?follow=true');
  await get('/api/v1/namespaces/demo/configmaps?watch=true');
  await get('/api/v1/namespaces/demo/pods/k/log?tailLines=4');
  await get('/api/v1/namespaces/demo/pods');
  await get('/api/v1/namespaces/demo/services');
  await get('/api/v1/namespaces/demo/endpoints');
  await proxy.close();
  const file = join(dir, 'sub', 'transcript.jsonl');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const text = await readFile(file, 'utf8');
  assert.doesNotMatch(text, /hunter2/);
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TranscriptEntry);
  assert.equal(lines.length, 9);
  const [list, masked, status, log, watch, key, pods, services, endpoints] = lines as TranscriptEntry[] as [
    TranscriptEntry,
    TranscriptEntry,
    TranscriptEntry,
    TranscriptEntry,
    TranscriptEntry,
    TranscriptEntry,
    TranscriptEntry,
    TranscriptEntry,
    TranscriptEntry,
  ];
  assert.deepEqual(pods.summary, { kind: 'PodList', items: 2, names: ['a', 'b'] });
  assert.deepEqual(services.summary, { kind: 'ServiceList', items: 1, names: ['s'] });
  assert.deepEqual([endpoints.masking, endpoints.summary], ['local', { kind: 'EndpointsList', items: 0 }]);
  assert.deepEqual(key.summary, { lines: 4, head: [MASK_MARKER, MASK_MARKER, MASK_MARKER, 'next'], maskedLocally: 1 });
  assert.equal(list.uri, `/api/v1/namespaces/demo/secrets?labelSelector=token=${MASK_MARKER}`);
  assert.deepEqual([list.masking, list.summary], ['gateway 1.abcdef01', { kind: 'SecretList', items: 1, names: ['db'] }]);
  assert.deepEqual(masked.summary, { lines: 1, head: ['already masked'] });
  assert.equal(status.masking, 'local');
  assert.deepEqual(status.summary, {
    kind: 'Status',
    reason: 'Invalid',
    message: `data[dsn]: Invalid value: "postgres://app:${MASK_MARKER}@db/app"`,
    maskedLocally: 1,
  });
  assert.deepEqual(log.summary, { lines: 2, head: ['boot', `using token=${MASK_MARKER}`], maskedLocally: 1 });
  assert.deepEqual(watch.summary, { events: { ADDED: 1 }, names: ['w'] });
  assert.equal(list.status, 200);
  assert.ok(list.bytes > 0);
});
