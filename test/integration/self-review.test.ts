// The gateway's own answers to the self reviews, on real sockets (embedded IdP, simulated kube-apiserver
// over TLS, SQLite): what goes upstream, what an unreachable upstream changes, refusals, and the audit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CreateSessionResponse } from '../../src/api/wire.js';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { openUpgrade, send, startHarness, type Harness } from './gateway-harness.js';

let h: Harness;
let base: string;
before(async () => {
  h = await startHarness();
  base = h.gateway.url;
});
after(async () => {
  await h?.close();
});

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const SSAR = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
const json = { 'content-type': 'application/json', accept: 'application/json' };

async function openSession(body: Record<string, unknown>): Promise<CreateSessionResponse> {
  const r = await send(base, 'POST', '/v1/sessions', { ...bearer(h.idTokens.alice), 'content-type': 'application/json' }, JSON.stringify(body));
  assert.equal(r.status, 201, r.body);
  return r.json as CreateSessionResponse;
}

const canI = (token: string, connection: string, attributes: Record<string, string>) =>
  send(
    base,
    'POST',
    `/k8s/${connection}${SSAR}`,
    { ...bearer(token), ...json },
    JSON.stringify({ kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { resourceAttributes: attributes } }),
  );

// kubectl 1.32's own protobuf body for `auth can-i delete namespaces` (fixture 111, seq 5055).
function recordedProtobuf(seq: number): Buffer {
  const file = resolve(import.meta.dirname, '../fixtures/kube-apiserver-1.32/scenarios/111-auth-can-i-admin.json');
  const e = (JSON.parse(readFileSync(file, 'utf8')) as { exchanges: { seq: number; request: { body: { base64: string } } }[] }).exchanges.find(
    (x) => x.seq === seq,
  )!;
  return Buffer.from(e.request.body.base64, 'base64');
}

describe('self reviews at the gateway', () => {
  test('a protobuf can-i from kubectl 1.32 gets a JSON answer naming the guardrail; nothing reaches upstream', async () => {
    const s = await openSession({ connection: 'prod' });
    const before = h.kube.requests.length;
    const r = await send(
      base,
      'POST',
      `/k8s/prod${SSAR}`,
      {
        ...bearer(s.token),
        'content-type': 'application/vnd.kubernetes.protobuf',
        accept: 'application/vnd.kubernetes.protobuf,application/json',
      },
      recordedProtobuf(5055).toString('latin1'),
    );
    assert.equal(r.status, 201, r.body);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.equal(r.json.kind, 'SelfSubjectAccessReview');
    assert.deepEqual(r.json.spec, { resourceAttributes: { namespace: 'default', verb: 'delete', resource: 'namespaces' } });
    assert.equal(r.json.status.allowed, false);
    assert.equal(r.json.status.denied, true);
    assert.match(r.json.status.reason, /denied by guardrail "no-namespace-deletion"/);
    assert.equal(h.kube.requests.length, before, 'a hoopctl "no" needs no upstream question');
  });

  test('what hoopctl allows is asked upstream as the impersonated person; the answer says what the cluster said', async () => {
    const s = await openSession({ connection: 'prod' });
    const yes = await canI(s.token, 'prod', { namespace: 'default', verb: 'list', resource: 'configmaps' });
    assert.equal(yes.json.status.allowed, true, yes.body);
    assert.match(yes.json.status.reason, /^allowed by role "view" .*; the cluster's RBAC allows it too for "oidc:alice@example.com"$/);
    const asked = h.kube.requests.at(-1)!;
    assert.equal(asked.url, SSAR);
    assert.equal(asked.headers['impersonate-user'], 'oidc:alice@example.com');
    h.kube.denyAccess({ user: 'oidc:alice@example.com', verb: 'watch', resource: 'pods' });
    const no = await canI(s.token, 'prod', { namespace: 'default', verb: 'watch', resource: 'pods' });
    assert.equal(no.json.status.allowed, false);
    assert.match(
      no.json.status.reason,
      /^hoopctl allows this \(allowed by role "view" .*\) but the cluster's RBAC does not allow it for "oidc:alice@example.com"$/,
    );
  });

  test("an unreachable upstream: the answer is hoopctl's alone and says so", async () => {
    const s = await openSession({ connection: 'down' });
    const r = await canI(s.token, 'down', { namespace: 'default', verb: 'get', resource: 'pods' });
    assert.equal(r.status, 201);
    assert.equal(r.json.status.allowed, true);
    assert.match(
      r.json.status.reason,
      /the cluster's RBAC could not be asked, so this answer is hoopctl's alone: the upstream could not be reached \(ECONNREFUSED\)/,
    );
    assert.match(r.json.status.evaluationError, /ECONNREFUSED/);
  });

  test('whoami and can-i --list answer without upstream; whoami carries the session in extra', async () => {
    const s = await openSession({ connection: 'prod', namespace: 'default' });
    const before = h.kube.requests.length;
    const who = await send(
      base,
      'POST',
      '/k8s/prod/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { ...bearer(s.token), ...json },
      '{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1"}',
    );
    assert.equal(who.status, 201, who.body);
    // The default impersonation prefixes (oidc:), as the upstream sees the person.
    assert.deepEqual(who.json.status.userInfo.groups, ['oidc:dev', 'system:authenticated']);
    assert.equal(who.json.status.userInfo.username, 'oidc:alice@example.com');
    assert.deepEqual(who.json.status.userInfo.extra['hoopctl.dev/user'], ['alice@example.com']);
    assert.deepEqual(who.json.status.userInfo.extra['hoopctl.dev/session'], [s.sessionId]);
    assert.deepEqual(who.json.status.userInfo.extra['hoopctl.dev/namespace'], ['default']);
    const list = await send(
      base,
      'POST',
      '/k8s/prod/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      { ...bearer(s.token), ...json },
      '{"spec":{"namespace":"default"}}',
    );
    assert.equal(list.status, 201, list.body);
    assert.deepEqual(list.json.spec, {});
    assert.ok(list.json.status.resourceRules.some((r: { resources: string[] }) => r.resources.includes('configmaps')));
    assert.equal(list.json.status.incomplete, true);
    assert.equal(h.kube.requests.length, before);
  });

  test('refusals: wrong method, media type, size, upgrade; no session still 401', async () => {
    const s = await openSession({ connection: 'prod' });
    const get = await send(base, 'GET', `/k8s/prod${SSAR}`, bearer(s.token));
    assert.deepEqual([get.status, get.json.reason], [405, 'MethodNotAllowed']);
    const yaml = await send(base, 'POST', `/k8s/prod${SSAR}`, { ...bearer(s.token), 'content-type': 'application/yaml' }, 'spec: {}');
    assert.deepEqual([yaml.status, yaml.json.reason], [415, 'UnsupportedMediaType']);
    const both = await send(base, 'POST', `/k8s/prod${SSAR}`, { ...bearer(s.token), ...json }, '{"spec":{}}');
    assert.deepEqual([both.status, both.json.reason], [422, 'Invalid']);
    const big = await send(
      base,
      'POST',
      `/k8s/prod${SSAR}`,
      { ...bearer(s.token), ...json },
      `{"spec":{"resourceAttributes":{"name":"${'x'.repeat(70_000)}"}}}`,
    );
    assert.deepEqual([big.status, big.json.reason], [413, 'RequestEntityTooLarge']);
    const up = await openUpgrade(base, `/k8s/prod${SSAR}`, { ...bearer(s.token), upgrade: 'websocket' }, 'POST');
    assert.equal(up.kind, 'refused');
    // Not a protocol switch: served as the plain (bodyless) request it is, which the review refuses as such.
    if (up.kind === 'refused') assert.deepEqual([up.answer.status, up.answer.json.kind], [415, 'Status']);
    const anon = await send(base, 'POST', `/k8s/prod${SSAR}`, json, '{}');
    assert.equal(anon.status, 401);
  });

  test('audited as allow / gateway:self-review with the question in the message; a failed audit write answers 503, never the review', async () => {
    const s = await openSession({ connection: 'prod' });
    await canI(s.token, 'prod', { namespace: 'default', verb: 'delete', resource: 'namespaces', name: 'default' });
    const r = await send(base, 'GET', `/v1/audit?session=${s.sessionId}`, bearer(h.idTokens.alice));
    const e = (r.json.items as AuditEvent[]).find((x) => x.resource === 'selfsubjectaccessreviews')!;
    assert.deepEqual([e.decision, e.rule, e.responseStatus, e.verb], ['allow', 'gateway:self-review', 201, 'create']);
    assert.match(String(e.message), /^can-i delete namespaces: no \(denied by guardrail "no-namespace-deletion"/);
    // A secret-looking value in the question is masked in the audit event like any request body.
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    await canI(s.token, 'prod', { namespace: 'default', verb: 'get', resource: 'configmaps', name: jwt });
    const again = await send(base, 'GET', `/v1/audit?session=${s.sessionId}`, bearer(h.idTokens.alice));
    const named = (again.json.items as AuditEvent[]).filter((x) => x.resource === 'selfsubjectaccessreviews').at(-1)!;
    assert.ok(named.maskedCount > 0);
    assert.ok(!JSON.stringify(named).includes(jwt), JSON.stringify(named));
    h.faults.audit = true;
    try {
      const unaudited = await canI(s.token, 'prod', { namespace: 'default', verb: 'get', resource: 'pods' });
      assert.equal(unaudited.status, 503, unaudited.body);
      assert.equal(unaudited.json.kind, 'Status');
    } finally {
      h.faults.audit = false;
    }
  });
});
