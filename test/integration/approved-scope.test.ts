// An approval grants exactly what was approved, and a session's namespace is a scope: claims that
// ask for another namespace, role or a longer TTL are refused; requests outside the session's
// namespace get a 403 Status naming the scope; a reviewed request is bound to its body's content
// type; reviews are stored and announced with the URI masked and are rate-limited per session.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessRequestView, CreateSessionResponse } from '../../src/api/wire.js';
import { idTokenFor, POLICY, send, startHarness, type Answer, type Harness } from './gateway-harness.js';
import { waitUntil } from '../support/wait-until.js';

const GITHUB_TOKEN = `ghp_${'Q'.repeat(36)}`;
const policy = {
  roles: [
    ...POLICY.roles,
    {
      name: 'cm-admin',
      rules: [{ verbs: ['get', 'list', 'patch', 'delete', 'deletecollection'], apiGroups: [''], resources: ['configmaps'], namespaces: ['*'] }],
    },
  ],
  bindings: [
    ...POLICY.bindings,
    { groups: ['dev'], connections: ['prod'], roles: ['cm-admin'] },
    // bob (ops) holds no role on prod but one granted with approval.
    { groups: ['ops'], connections: ['prod'], roles: ['edit'], approval: true, approvers: ['sre'] },
  ],
  guardrails: [
    ...POLICY.guardrails,
    {
      name: 'configmap-changes-reviewed',
      connections: ['prod'],
      match: { verbs: ['patch', 'delete', 'deletecollection'], resources: ['configmaps'] },
      effect: 'approval',
      approvers: ['sre'],
    },
  ],
};

let h: Harness;
let base: string;
const tokens: Record<string, string> = {};
const hookBodies: unknown[] = [];
let hook: http.Server;

before(async () => {
  hook = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hookBodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  h = await startHarness({
    config: {
      policy,
      approvals: { reviewsPerSession: { max: 3, per: '2m' } },
      notifications: [{ type: 'webhook', url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` }],
    },
  });
  base = h.gateway.url;
  Object.assign(tokens, h.idTokens);
  for (const u of ['sam', 'sue']) tokens[u] = await idTokenFor(h.idp, u);
});
after(async () => {
  await h?.close();
  await new Promise<void>((r) => (hook ? hook.close(() => r()) : r()));
});

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const json = (t: string): Record<string, string> => ({ ...bearer(t), 'content-type': 'application/json' });
const post = (who: string, path: string, body: unknown = {}): Promise<Answer> => send(base, 'POST', path, json(tokens[who]!), JSON.stringify(body));

async function approvedRequest(body: Record<string, unknown>): Promise<AccessRequestView> {
  const asked = await post('alice', '/v1/sessions', { connection: 'prod', role: 'edit', reason: 'INC-9', ...body });
  assert.equal(asked.status, 202, asked.body);
  const r = asked.json.request as AccessRequestView;
  assert.equal((await post('sam', `/v1/requests/${r.id}/approve`)).json.request.status, 'approved');
  return r;
}

describe('an approved elevation opens exactly the approved session', () => {
  test('a claim for another namespace, another role or a longer TTL is refused and leaves the approval usable', async () => {
    const r = await approvedRequest({ namespace: 'default', ttlSeconds: 300 });
    assert.equal(r.summary, 'role edit for 5m (namespace default)');
    const claim = (extra: Record<string, unknown>): Promise<Answer> => post('alice', '/v1/sessions', { connection: 'prod', requestId: r.id, ...extra });

    const otherNs = await claim({ namespace: 'kube-system' });
    assert.equal(otherNs.status, 403, otherNs.body);
    assert.match(otherNs.json.message, new RegExp(`request ${r.id} approved role edit for 5m \\(namespace default\\), not namespace "kube-system"`));
    assert.match(otherNs.json.hint, new RegExp(`hoopctl connect prod --request ${r.id} --namespace default`));
    const otherRole = await claim({ role: 'view' });
    assert.equal(otherRole.status, 403);
    assert.match(otherRole.json.message, /not role "view"/);
    const longer = await claim({ ttlSeconds: 3000 });
    assert.equal(longer.status, 403);
    assert.match(longer.json.message, /not 3000s/);
    assert.equal((await send(base, 'GET', `/v1/requests/${r.id}`, bearer(tokens.alice!))).json.request.status, 'approved', 'a refused claim uses nothing');

    const ok = await claim({ namespace: 'default', ttlSeconds: 120 });
    assert.equal(ok.status, 201, ok.body);
    const s = ok.json as CreateSessionResponse;
    assert.deepEqual([s.role, s.namespace], ['edit', 'default']);
    assert.ok(Math.abs((Date.parse(s.expiresAt) - Date.now()) / 1000 - 120) <= 2, 'a claim may shorten the approved TTL');
  });

  test('every request of the approved session stays in the approved namespace: other namespaces, all namespaces and cluster scope get a 403 Status naming the scope', async () => {
    const r = await approvedRequest({ namespace: 'default' });
    const claimed = await post('alice', '/v1/sessions', { connection: 'prod', requestId: r.id });
    assert.equal(claimed.status, 201, claimed.body);
    const s = claimed.json as CreateSessionResponse;
    assert.equal(s.namespace, 'default');
    const get = (path: string): Promise<Answer> => send(base, 'GET', `/k8s/prod${path}`, bearer(s.token));

    assert.equal((await get('/api/v1/namespaces/default/secrets')).status, 200, 'edit works inside the approved namespace');
    assert.equal((await get('/api/v1/namespaces/default')).status, 200, 'a Namespace object counts as inside itself');
    assert.equal((await get('/api')).status, 200, 'discovery is not namespaced');
    const seen = h.kube.requests.length;
    const elsewhere = await get('/api/v1/namespaces/kube-system/secrets');
    assert.equal(elsewhere.status, 403, elsewhere.body);
    assert.equal(elsewhere.json.kind, 'Status');
    assert.match(
      elsewhere.json.message,
      /^secrets is forbidden: User "alice@example.com" cannot list resource "secrets" in API group "" in the namespace "kube-system": this session is limited to namespace "default", not namespace "kube-system" \(hoopctl rule session\.namespaces\); hint: hoopctl connect prod --role edit --namespace kube-system --reason "…"$/,
    );
    const everywhere = await get('/api/v1/secrets');
    assert.equal(everywhere.status, 403);
    assert.match(
      everywhere.json.message,
      /limited to namespace "default", and a request across all namespaces \(or on cluster-scoped resources\) is outside it/,
    );
    const cluster = await send(
      base,
      'POST',
      '/k8s/prod/api/v1/namespaces',
      json(s.token),
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sneaky' } }),
    );
    assert.equal(cluster.status, 403);
    assert.match(cluster.json.message, /a request on cluster-scoped resources is outside it/);
    assert.equal(h.kube.requests.length, seen, 'nothing outside the scope reached upstream');
  });

  test('someone who holds only the approved role opens the approved session, listed with its role', async () => {
    const asked = await post('bob', '/v1/sessions', { connection: 'prod', role: 'edit', reason: 'INC-10' });
    assert.equal(asked.status, 202, asked.body);
    const id = (asked.json.request as AccessRequestView).id;
    assert.equal((await post('sam', `/v1/requests/${id}/approve`)).status, 200);
    const claimed = await post('bob', '/v1/sessions', { connection: 'prod', requestId: id });
    assert.equal(claimed.status, 201, claimed.body);
    const listed = (await send(base, 'GET', '/v1/sessions?active=true', bearer(tokens.bob!))).json.items as { id: string; role: string | null }[];
    assert.equal(listed.find((x) => x.id === claimed.json.sessionId)?.role, 'edit');
  });

  test('a session opened with --namespace (no approval) is scoped the same way', async () => {
    const opened = await post('alice', '/v1/sessions', { connection: 'prod', namespace: 'default' });
    assert.equal(opened.status, 201, opened.body);
    const s = opened.json as CreateSessionResponse;
    assert.equal((await send(base, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(s.token))).status, 200);
    const other = await send(base, 'GET', '/k8s/prod/api/v1/namespaces/kube-system/configmaps', bearer(s.token));
    assert.equal(other.status, 403);
    assert.match(other.json.message, /this session is limited to namespace "default"/);
    const unscoped = (await post('alice', '/v1/sessions', { connection: 'prod' })).json as CreateSessionResponse;
    assert.equal(
      (await send(base, 'GET', '/k8s/prod/api/v1/namespaces/kube-system/configmaps', bearer(unscoped.token))).status,
      200,
      'without --namespace the role alone decides',
    );
  });
});

describe('single-command review', () => {
  test('an approved JSON merge patch cannot be replayed as another patch type: that needs a new review', async () => {
    h.kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'patched', namespace: 'default' }, data: { a: '1' } });
    const s = (await post('alice', '/v1/sessions', { connection: 'prod' })).json as CreateSessionResponse;
    const body = JSON.stringify({ data: { a: '2' } });
    const patch = (type: string): Promise<Answer> =>
      send(base, 'PATCH', '/k8s/prod/api/v1/namespaces/default/configmaps/patched', { ...bearer(s.token), 'content-type': type }, body);
    const first = await patch('application/merge-patch+json');
    assert.equal(first.status, 403, first.body);
    const id = /review ([0-9a-f]{12})/.exec(first.json.message)?.[1];
    assert.ok(id, first.json.message);
    assert.equal((await post('sam', `/v1/requests/${id}/approve`)).json.request.status, 'approved');
    const replayed = await patch('application/strategic-merge-patch+json');
    assert.equal(replayed.status, 403, 'another content type is another request');
    const other = /review ([0-9a-f]{12})/.exec(replayed.json.message)?.[1];
    assert.ok(other !== undefined && other !== id, replayed.json.message);
    const ok = await patch('Application/Merge-Patch+JSON');
    assert.equal(ok.status, 200, `the approved type (in any case) passes: ${ok.body}`);
  });

  test('the review record and its webhook carry the request URI masked, as the audit does', async () => {
    const s = (await post('alice', '/v1/sessions', { connection: 'prod' })).json as CreateSessionResponse;
    const path = `/api/v1/namespaces/default/configmaps?labelSelector=token%3D${GITHUB_TOKEN}`;
    const refused = await send(base, 'DELETE', `/k8s/prod${path}`, bearer(s.token));
    assert.equal(refused.status, 403, refused.body);
    const id = /review ([0-9a-f]{12})/.exec(refused.json.message)?.[1] ?? assert.fail(`no review id in ${refused.json.message}`);
    const r = (await send(base, 'GET', `/v1/requests/${id}`, bearer(tokens.sam!))).json.request as AccessRequestView;
    assert.ok(r.requestURI !== undefined && r.requestURI.startsWith('/api/v1/namespaces/default/configmaps?labelSelector=token='), r.requestURI);
    assert.ok(!r.requestURI.includes(GITHUB_TOKEN), r.requestURI);
    for (let i = 0; i < 100 && !hookBodies.some((b) => JSON.stringify(b).includes(id)); i++) await new Promise((res) => setTimeout(res, 20));
    const announced = hookBodies.filter((b) => JSON.stringify(b).includes(id));
    assert.ok(announced.length > 0, 'the webhook was told');
    assert.ok(
      announced.every((b) => !JSON.stringify(b).includes(GITHUB_TOKEN)),
      JSON.stringify(announced),
    );
  });

  test('a session opens at most reviewsPerSession reviews: then a 429 Status with Retry-After; a known review and other sessions are not held', async () => {
    const s = (await post('alice', '/v1/sessions', { connection: 'prod' })).json as CreateSessionResponse;
    const del = (name: string): Promise<Answer> => send(base, 'DELETE', `/k8s/prod/api/v1/namespaces/default/configmaps/${name}`, bearer(s.token));
    for (const name of ['limit-1', 'limit-2', 'limit-3']) assert.equal((await del(name)).status, 403, name);
    const notified = hookBodies.length;
    const over = await del('limit-4');
    assert.equal(over.status, 429, over.body);
    assert.equal(over.json.kind, 'Status');
    assert.equal(over.json.reason, 'TooManyRequests');
    assert.match(over.json.message, /approvals\.reviewsPerSession/);
    const wait = Number(over.headers['retry-after']);
    assert.ok(wait > 0 && wait <= 120, `Retry-After: ${over.headers['retry-after']}`);
    assert.equal(over.json.details.retryAfterSeconds, wait);
    assert.equal((await del('limit-1')).status, 403, 'the same request finds its review again, not a 429');
    const other = (await post('alice', '/v1/sessions', { connection: 'prod' })).json as CreateSessionResponse;
    assert.equal(
      (await send(base, 'DELETE', '/k8s/prod/api/v1/namespaces/default/configmaps/limit-4', bearer(other.token))).status,
      403,
      'another session has its own budget',
    );
    h.clock.skewMs = (wait + 1) * 1000;
    try {
      assert.equal((await del('limit-5')).status, 403, 'once the window moved on, a new review is opened');
    } finally {
      h.clock.skewMs = 0;
    }
    // limit-5's review was announced after the refused one would have been (each notification is sent when its review
    // opens): once limit-5's webhook has arrived, a notification of the refused review would have too.
    const about = (b: unknown, name: string): boolean => JSON.stringify(b).includes(name) && JSON.stringify(b).includes(s.sessionId);
    await waitUntil("limit-5's webhook", () => hookBodies.some((b) => about(b, 'limit-5')));
    assert.equal(hookBodies.filter((b, i) => i >= notified && about(b, 'limit-4')).length, 0, 'the refused review notified no one');
  });
});
