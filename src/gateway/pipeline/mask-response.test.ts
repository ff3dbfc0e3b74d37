import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { GatewayContext } from '../gateway-context.js';
import { inMemoryExchange, inMemoryGateway, withSession, type CapturedAnswer } from '../../../test/support/pipeline-exchange.js';
import { deliverAnswer } from './answer-gate.js';
import { createClassify } from './classify.js';
import { isRefusal } from './exchange.js';
import { MASKED_HEADER } from './mask-response.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const now = (): number => NOW;
const POLICY = { roles: [{ name: 'view', rules: [{ verbs: ['get'], resources: ['pods'], namespaces: ['*'] }] }], bindings: [] };

const SENTINEL = 'S3NT1NEL-pipetests-7';
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const secret = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'demo' },
  type: 'Opaque',
  data: { password: b64(SENTINEL), user: b64(`${SENTINEL}-user`) },
});
const secretJson = JSON.stringify(secret('db'));
const secretList = JSON.stringify({ apiVersion: 'v1', kind: 'SecretList', metadata: {}, items: [secret('a'), secret('b')] });
const configMap = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'demo' }, data: { color: 'blue' } });
const watchEvents = [secret('a'), secret('b')].map((o) => `${JSON.stringify({ type: 'ADDED', object: o })}\n`).join('');
const protobuf = Buffer.concat([Buffer.from('k8s\0'), Buffer.from(SENTINEL)]);
const AWS_KEY_ID = 'AKIAABCDEFGHIJKLMNOP';
const LOG = `started\nusing key ${AWS_KEY_ID} for s3\ndone\n`;
const MARKER = /^\*\*hoopctl-masked(?::[0-9a-f]{16})?\*\*$/;

interface Upstream {
  status?: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

type Want =
  | { masked: 'document' | 'list' | 'watch'; framing: 'length' | 'stream' }
  | { passed: 'same' | 'empty' }
  /** Read as JSON by the masker, nothing to mask: the same document, marked masked for the local proxy. */
  | { scanned: true }
  /** Masked line by line (logs, text), streamed: `expect` is the body the client gets. */
  | { lines: string; count: number }
  | { code: 502; message: RegExp };

type Row = [name: string, method: string, kubePath: string, upstream: Upstream, want: Want];

const JSON_TYPE = { 'content-type': 'application/json' };
const rows: Row[] = [
  [
    'Secret JSON: data values masked',
    'GET',
    '/api/v1/namespaces/demo/secrets/db',
    { headers: JSON_TYPE, body: secretJson },
    { masked: 'document', framing: 'length' },
  ],
  [
    'Secret JSON with a Content-Length and charset',
    'GET',
    '/api/v1/namespaces/demo/secrets/db',
    { headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': String(secretJson.length) }, body: secretJson },
    { masked: 'document', framing: 'length' },
  ],
  ['Secret list', 'GET', '/api/v1/namespaces/demo/secrets', { headers: JSON_TYPE, body: secretList }, { masked: 'list', framing: 'length' }],
  [
    'gzip-encoded Secret: decoded, masked, sent without Content-Encoding',
    'GET',
    '/api/v1/namespaces/demo/secrets/db',
    { headers: { ...JSON_TYPE, 'content-encoding': 'gzip' }, body: gzipSync(secretJson) },
    { masked: 'document', framing: 'length' },
  ],
  [
    'watch of Secrets: each event masked, streamed',
    'GET',
    '/api/v1/namespaces/demo/secrets?watch=1',
    { headers: JSON_TYPE, body: watchEvents },
    { masked: 'watch', framing: 'stream' },
  ],
  [
    'a non-secret object: scanned, passes unchanged',
    'GET',
    '/api/v1/namespaces/demo/configmaps/app',
    { headers: JSON_TYPE, body: configMap },
    { scanned: true },
  ],
  [
    'HEAD: no body to mask',
    'HEAD',
    '/api/v1/namespaces/demo/secrets/db',
    { headers: { ...JSON_TYPE, 'content-length': String(secretJson.length) }, body: '' },
    { passed: 'empty' },
  ],
  ['204: no body to mask', 'DELETE', '/api/v1/namespaces/demo/secrets/db', { status: 204, headers: {}, body: '' }, { passed: 'empty' }],
  [
    'pod log as text: masked line by line, streamed',
    'GET',
    '/api/v1/namespaces/demo/pods/web/log',
    { headers: { 'content-type': 'text/plain' }, body: LOG },
    { lines: LOG.replace(AWS_KEY_ID, '**hoopctl-masked**'), count: 1 },
  ],
  [
    'pod log without a Content-Type: still masked as lines',
    'GET',
    '/api/v1/namespaces/demo/pods/web/log',
    { headers: {}, body: LOG },
    { lines: LOG.replace(AWS_KEY_ID, '**hoopctl-masked**'), count: 1 },
  ],
  [
    'protobuf Secret: refused, never passed',
    'GET',
    '/api/v1/namespaces/demo/secrets/db',
    { headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body: protobuf },
    {
      code: 502,
      message:
        /cannot mask an answer in application\/vnd\.kubernetes\.protobuf from the Kubernetes API of connection "prod"; refused rather than passed unmasked$/,
    },
  ],
  [
    'CBOR: refused',
    'GET',
    '/api/v1/namespaces/demo/configmaps/app',
    { headers: { 'content-type': 'application/cbor' }, body: protobuf },
    { code: 502, message: /cannot mask an answer in application\/cbor / },
  ],
  [
    'no Content-Type on a resource: refused',
    'GET',
    '/api/v1/namespaces/demo/secrets/db',
    { headers: {}, body: secretJson },
    { code: 502, message: /cannot mask an answer in an undeclared format / },
  ],
  [
    'an encoding the gateway cannot decode: refused',
    'GET',
    '/api/v1/namespaces/demo/secrets/db',
    { headers: { ...JSON_TYPE, 'content-encoding': 'zstd' }, body: secretJson },
    { code: 502, message: /cannot mask an answer with Content-Encoding zstd / },
  ],
  [
    'protobuf discovery document: passed (API schema, not cluster data)',
    'GET',
    '/apis/apps/v1',
    { headers: { 'content-type': 'application/vnd.kubernetes.protobuf' }, body: protobuf },
    { passed: 'same' },
  ],
  [
    'protobuf OpenAPI document: passed',
    'GET',
    '/openapi/v3/api/v1',
    { headers: { 'content-type': 'application/com.github.proto-openapi.spec.v3@v1.0+protobuf' }, body: protobuf },
    { passed: 'same' },
  ],
];

function secretsOf(answer: CapturedAnswer, masked: 'document' | 'list' | 'watch'): { data: Record<string, string> }[] {
  const text = answer.body.toString('utf8');
  if (masked === 'document') return [JSON.parse(text) as { data: Record<string, string> }];
  if (masked === 'list') return (JSON.parse(text) as { items: { data: Record<string, string> }[] }).items;
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { object: { data: Record<string, string> } }).object);
}

test('masking step: the upstream answer → masked, passed or refused per the mask plan, audited before the client sees it', async (t) => {
  const g = await inMemoryGateway(POLICY, now);
  t.after(() => g.close());
  const gw = g as unknown as GatewayContext;
  for (const [name, method, kubePath, up, want] of rows) {
    const { x: fresh, answer } = inMemoryExchange(gw, { method, kubePath });
    const x = await createClassify()(withSession(fresh, { sub: 'alice', exp: NOW / 1000 + 3600 }));
    if (isRefusal(x)) throw new Error(`${name}: ${x.message}`);
    const body = Buffer.from(up.body);
    await deliverAnswer(x, { statusCode: up.status ?? 200, headers: up.headers, body: Readable.from(body.length === 0 ? [] : [body]) });
    assert.ok(answer.ended, `${name}: answer ended`);
    assert.ok(x.audited, `${name}: audited`);
    assert.equal(answer.headers['audit-id'], x.auditID, name);
    // No audit, no answer: the request's last event is stored, with what the client got.
    const events = (await g.store.listAudit({ limit: 1000 })).filter((e) => e.auditID === x.auditID);
    // A streamed answer (no Content-Length on a body) starts only after its ResponseStarted event is stored.
    const streamed = !('passed' in want && want.passed === 'empty') && answer.headers['content-length'] === undefined;
    assert.deepEqual(
      events.map((e) => [e.stage, e.responseStatus, e.maskedCount]),
      [...(streamed ? [['ResponseStarted', answer.status, 0]] : []), ['ResponseComplete', answer.status, x.maskedCount ?? 0]],
      name,
    );
    const text = answer.body.toString('utf8');
    assert.ok(!text.includes(SENTINEL) || 'passed' in want, `${name}: the secret value reached the client`);
    assert.ok(!text.includes(AWS_KEY_ID), `${name}: the key reached the client`);
    if ('code' in want) {
      assert.equal(answer.status, 502, name);
      const status = JSON.parse(text) as { kind: string; code: number; reason: string; message: string };
      assert.deepEqual([status.kind, status.code, status.reason], ['Status', 502, 'InternalError'], name);
      assert.match(status.message, want.message, name);
      assert.equal(x.status, 502, name);
      continue;
    }
    assert.equal(answer.status, up.status ?? 200, name);
    if ('passed' in want) {
      assert.equal(answer.headers[MASKED_HEADER], undefined, `${name}: not marked masked`);
      assert.deepEqual(answer.body, want.passed === 'same' ? body : Buffer.alloc(0), name);
      assert.equal(x.maskedCount, undefined, name);
      continue;
    }
    assert.equal(answer.headers[MASKED_HEADER], g.config.policy.masking.rules.version, name);
    assert.equal(answer.headers['content-encoding'], undefined, name);
    if ('lines' in want) {
      assert.equal(text, want.lines, name);
      assert.equal(answer.headers['content-length'], undefined, name);
      assert.equal(x.maskedCount, want.count, name);
      continue;
    }
    if ('scanned' in want) {
      assert.deepEqual(JSON.parse(text), JSON.parse(body.toString('utf8')), name);
      assert.equal(answer.headers['content-length'], String(answer.body.length), name);
      assert.equal(x.maskedCount, 0, name);
      continue;
    }
    assert.equal(answer.headers['content-length'], want.framing === 'length' ? String(answer.body.length) : undefined, name);
    const objects = secretsOf(answer, want.masked);
    assert.equal(objects.length, want.masked === 'document' ? 1 : 2, name);
    for (const o of objects) {
      assert.deepEqual(Object.keys(o.data), ['password', 'user'], name);
      for (const v of Object.values(o.data)) assert.match(Buffer.from(v, 'base64').toString('utf8'), MARKER, name);
    }
    assert.equal(x.maskedCount, objects.length * 2, name);
  }
});

test('masking step: with masking off, a Secret passes as the upstream sent it (benchmarks only)', async (t) => {
  const g = await inMemoryGateway({ ...POLICY, masking: { enabled: false } }, now);
  t.after(() => g.close());
  const { x: fresh, answer } = inMemoryExchange(g as unknown as GatewayContext, { kubePath: '/api/v1/namespaces/demo/secrets/db' });
  const x = await createClassify()(withSession(fresh, { sub: 'alice' }));
  if (isRefusal(x)) throw new Error(x.message);
  await deliverAnswer(x, { statusCode: 200, headers: JSON_TYPE, body: Readable.from([Buffer.from(secretJson)]) });
  assert.equal(answer.status, 200);
  assert.equal(answer.body.toString('utf8'), secretJson);
  assert.equal(answer.headers[MASKED_HEADER], undefined);
});

test('masking step: an answer whose audit event cannot be stored is not sent; the client gets a 503 Status', async (t) => {
  const g = await inMemoryGateway(POLICY, now);
  t.after(() => g.close().catch(() => undefined));
  const { x: fresh, answer } = inMemoryExchange(g as unknown as GatewayContext, { kubePath: '/api/v1/namespaces/demo/secrets/db' });
  const x = await createClassify()(withSession(fresh, { sub: 'alice' }));
  if (isRefusal(x)) throw new Error(x.message);
  await g.store.close();
  await deliverAnswer(x, { statusCode: 200, headers: JSON_TYPE, body: Readable.from([Buffer.from(secretJson)]) });
  assert.equal(answer.status, 503);
  const status = JSON.parse(answer.body.toString('utf8')) as { reason: string; message: string };
  assert.equal(status.reason, 'ServiceUnavailable');
  assert.match(status.message, new RegExp(`cannot write its audit log right now, and answers nothing it has not audited \\(audit id ${x.auditID}\\)`));
  assert.ok(!answer.body.toString('utf8').includes('"data"'));
});
