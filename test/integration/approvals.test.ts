// Access requests on real sockets: session elevation (202 → votes → claim), single-command review
// (refused naming the review, then allowed once, exec's WebSocket→SPDY retry counted as one),
// notifications to a real local receiver that fails at first, and revoke cutting live streams.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessRequestView, CreateSessionResponse } from '../../src/api/wire.js';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { idTokenFor, openUpgrade, POLICY, send, startHarness, type Answer, type Harness } from './gateway-harness.js';
import { waitUntil } from '../support/wait-until.js';

/** A notification receiver that answers 503 to the first `failFirst` posts, and logs every body. */
interface Receiver {
  url: string;
  bodies: unknown[];
  attempts: number;
  close(): Promise<void>;
}
async function startReceiver(failFirst: number, path: string): Promise<Receiver> {
  const r: Receiver = { url: '', bodies: [], attempts: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.attempts += 1;
      if (r.attempts <= failFirst) {
        res.writeHead(503).end('try later');
        return;
      }
      r.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}

const SLACK_SECRET_PATH = '/services/T000/B000/very-secret-token';
const policy = {
  roles: [
    ...POLICY.roles,
    { name: 'cm-admin', rules: [{ verbs: ['get', 'list', 'create', 'delete'], apiGroups: [''], resources: ['configmaps', 'pods/log'], namespaces: ['*'] }] },
  ],
  bindings: [
    ...POLICY.bindings,
    { groups: ['dev'], connections: ['prod'], roles: ['cm-admin'] },
    { groups: ['dev'], connections: ['echo'], roles: ['edit'], approval: true, approvers: ['sre'], minApprovals: 2 },
  ],
  guardrails: [
    ...POLICY.guardrails,
    {
      name: 'configmap-changes-reviewed',
      connections: ['prod'],
      match: { verbs: ['create', 'delete'], resources: ['configmaps'] },
      effect: 'approval',
      approvers: ['sre'],
      message: 'a second person checks configmap changes',
    },
    { name: 'exec-reviewed', connections: ['echo'], match: { resources: ['pods/exec'] }, effect: 'approval', approvers: ['sre'] },
  ],
};

let h: Harness;
let base: string;
let webhook: Receiver;
let slack: Receiver;
const logs: string[] = [];
const tokens: Record<string, string> = {};

before(async () => {
  webhook = await startReceiver(2, '/hook');
  slack = await startReceiver(1, SLACK_SECRET_PATH);
  h = await startHarness({
    config: {
      policy,
      approvals: { requestTtl: '2m', approvedWindow: '1m' },
      notifications: [
        { type: 'webhook', url: webhook.url },
        { type: 'slack', url: slack.url },
      ],
    },
    notifyBackoffMs: 50,
    logger: (l) => logs.push(l),
  });
  base = h.gateway.url;
  Object.assign(tokens, h.idTokens);
  for (const u of ['sam', 'sue']) tokens[u] = await idTokenFor(h.idp, u);
});
after(async () => {
  await h?.close();
  await webhook?.close();
  await slack?.close();
});

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const json = (t: string): Record<string, string> => ({ ...bearer(t), 'content-type': 'application/json' });
const post = (who: string, path: string, body: unknown = {}): Promise<Answer> => send(base, 'POST', path, json(tokens[who]!), JSON.stringify(body));
const vote = (who: string, id: string, decision: 'approve' | 'deny', comment?: string): Promise<Answer> =>
  post(who, `/v1/requests/${id}/${decision}`, comment === undefined ? {} : { comment });
const getRequest = async (who: string, id: string): Promise<AccessRequestView> =>
  (await send(base, 'GET', `/v1/requests/${id}`, bearer(tokens[who]!))).json.request;

async function session(who: string, body: Record<string, unknown>): Promise<CreateSessionResponse> {
  const r = await post(who, '/v1/sessions', body);
  assert.equal(r.status, 201, r.body);
  return r.json as CreateSessionResponse;
}

async function askFor(who: string, body: Record<string, unknown>): Promise<AccessRequestView> {
  const r = await post(who, '/v1/sessions', body);
  assert.equal(r.status, 202, r.body);
  return r.json.request as AccessRequestView;
}

describe('session elevation (JIT)', () => {
  test("202 with the request; approvers only from the binding's groups, never the requester; long-poll wakes on approval; one session per approval", async () => {
    const noReason = await post('alice', '/v1/sessions', { connection: 'prod', role: 'edit' });
    assert.equal(noReason.status, 400);
    assert.match(noReason.json.hint, /--reason/);

    const t0 = Date.now();
    const req = await askFor('alice', { connection: 'prod', role: 'edit', reason: 'INC-123', ttlSeconds: 300, namespace: 'default' });
    assert.ok(Date.now() - t0 < 1000, 'a failing webhook must not hold up the request');
    assert.match(req.id, /^[0-9a-f]{12}$/);
    assert.deepEqual([req.status, req.kind, req.approvers, req.minApprovals, req.reason, req.ttlSeconds], ['pending', 'session', ['sre'], 1, 'INC-123', 300]);
    assert.ok(Date.parse(req.expiresAt) > Date.now() + 60_000);

    assert.equal((await vote('alice', req.id, 'approve')).status, 403, "no approving one's own request");
    assert.equal((await vote('bob', req.id, 'approve')).status, 404, 'bob is no approver and cannot even see it');
    const sueSession = await session('sue', { connection: 'prod' });
    const viaSession = await send(base, 'POST', `/v1/requests/${req.id}/approve`, json(sueSession.token), '{}');
    assert.equal(viaSession.status, 403, 'a session credential cannot approve');
    const early = await post('alice', '/v1/sessions', { connection: 'prod', requestId: req.id });
    assert.deepEqual([early.status, early.json.code], [403, 'approval_pending']);

    const listed = (await send(base, 'GET', '/v1/requests', bearer(tokens.sam!))).json.items as AccessRequestView[];
    assert.ok(listed.some((r) => r.id === req.id && r.canApprove));
    const polling = send(base, 'GET', `/v1/requests/${req.id}?wait=10`, bearer(tokens.alice!));
    // Approve only once the gateway holds the poll: an approval first would answer it at once and test nothing.
    await waitUntil('the gateway holds the long-poll', () => h.gateway.inFlight().short === 1);
    const tApprove = Date.now();
    const approved = await vote('sam', req.id, 'approve', 'go ahead');
    assert.equal(approved.status, 200, approved.body);
    const woke = await polling;
    assert.ok(Date.now() - tApprove < 1000, 'the long-poll answers at the approval');
    assert.equal(woke.json.request.status, 'approved');
    assert.deepEqual(
      woke.json.request.approvals.map((a: { by: string; comment?: string }) => [a.by, a.comment]),
      [['sam@example.com', 'go ahead']],
    );

    const s = await session('alice', { connection: 'prod', requestId: req.id });
    assert.deepEqual([s.role, s.namespace], ['edit', 'default']);
    assert.ok(Math.abs((Date.parse(s.expiresAt) - Date.now()) / 1000 - 300) <= 2, 'the approved TTL');
    const secrets = await send(base, 'GET', '/k8s/prod/api/v1/namespaces/default/secrets', bearer(s.token));
    assert.equal(secrets.status, 200, 'the elevated role works');
    const again = await post('alice', '/v1/sessions', { connection: 'prod', requestId: req.id });
    assert.equal(again.status, 403);
    assert.match(again.json.message, /already used/);
    assert.equal((await getRequest('alice', req.id)).sessionId, s.sessionId);

    const audit = (await send(base, 'GET', `/v1/audit?user=sam@example.com`, bearer(tokens.root!))).json.items as AuditEvent[];
    assert.ok(audit.some((e) => e.stage === 'AccessRequest' && e.verb === 'approved' && e.message!.includes(req.id)));
  });

  test('minApprovals 2 needs two different approvers; one denial denies; withdraw; expiry', async () => {
    const two = await askFor('alice', { connection: 'echo', role: 'edit', reason: 'needs two' });
    assert.equal((await vote('sam', two.id, 'approve')).json.request.status, 'pending');
    assert.equal((await vote('sam', two.id, 'approve')).status, 400, 'one vote per approver');
    assert.equal((await vote('sue', two.id, 'approve')).json.request.status, 'approved');

    const denied = await askFor('alice', { connection: 'prod', role: 'edit', reason: 'deny me' });
    const d = await vote('sue', denied.id, 'deny', 'not now');
    assert.equal(d.json.request.status, 'denied');
    assert.equal((await vote('sam', denied.id, 'approve')).status, 400, 'decided requests take no votes');
    assert.equal((await post('alice', '/v1/sessions', { connection: 'prod', requestId: denied.id })).status, 403);

    const withdrawn = await askFor('alice', { connection: 'prod', role: 'edit', reason: 'never mind' });
    assert.equal((await send(base, 'DELETE', `/v1/requests/${withdrawn.id}`, bearer(tokens.sam!))).status, 403, 'only the requester withdraws');
    assert.equal((await send(base, 'DELETE', `/v1/requests/${withdrawn.id}`, bearer(tokens.alice!))).json.request.status, 'withdrawn');
    assert.equal((await vote('sam', withdrawn.id, 'approve')).status, 400);

    const late = await askFor('alice', { connection: 'prod', role: 'edit', reason: 'slow approvers' });
    h.clock.skewMs = 121_000;
    try {
      assert.equal((await getRequest('alice', late.id)).status, 'expired');
      assert.equal((await vote('sam', late.id, 'approve')).status, 400);
    } finally {
      h.clock.skewMs = 0;
    }
  });
});

describe('single-command review', () => {
  test('a held create is refused naming the review; after approval the same request passes once, with its body', async () => {
    const s = await session('alice', { connection: 'prod' });
    const other = await session('alice', { connection: 'prod' });
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'reviewed-cm', namespace: 'default' }, data: { color: 'blue' } });
    const create = (tok: string, b = body): Promise<Answer> => send(base, 'POST', '/k8s/prod/api/v1/namespaces/default/configmaps', json(tok), b);
    const seen = h.kube.requests.length;
    const first = await create(s.token);
    assert.equal(first.status, 403);
    const id = /review ([0-9a-f]{12}) waits for 1 approval from sre: hoopctl approve \1/.exec(first.json.message)?.[1];
    assert.ok(id, first.json.message);
    assert.match(first.json.message, /^configmaps is forbidden: User "alice@example.com" cannot create resource "configmaps".*configmap-changes-reviewed/);
    assert.match((await create(s.token)).json.message, new RegExp(`review ${id} `), 'the same request finds the same review');
    assert.equal(h.kube.requests.length, seen, 'nothing reached upstream');
    const r = await getRequest('sam', id);
    assert.deepEqual(
      [r.kind, r.verb, r.requestURI, r.summary, r.sessionId],
      ['command', 'create', '/api/v1/namespaces/default/configmaps', 'create configmaps -n default', s.sessionId],
    );

    assert.equal((await vote('sam', id, 'approve')).json.request.status, 'approved');
    const changed = await create(s.token, body.replace('blue', 'red'));
    assert.equal(changed.status, 403, 'another body is another request');
    assert.notEqual(/review ([0-9a-f]{12})/.exec(changed.json.message)?.[1], id);
    assert.equal((await create(other.token)).status, 403, 'another session is another request');
    const ok = await create(s.token);
    assert.equal(ok.status, 201, ok.body);
    assert.deepEqual((h.kube.get({ kind: 'configmaps', namespace: 'default', name: 'reviewed-cm' }) as { data?: unknown })?.data, { color: 'blue' });
    h.kube.remove({ kind: 'configmaps', namespace: 'default', name: 'reviewed-cm' });
    const twice = await create(s.token);
    assert.equal(twice.status, 403, 'an approval is used once');
    assert.notEqual(/review ([0-9a-f]{12})/.exec(twice.json.message)?.[1], id);
    assert.equal((await getRequest('alice', id)).status, 'used');
    const events = (await send(base, 'GET', `/v1/audit?session=${s.sessionId}`, bearer(tokens.alice!))).json.items as AuditEvent[];
    assert.ok(events.some((e) => e.decision === 'allow' && e.responseStatus === 201 && e.rule!.includes(`review ${id}`)));
  });

  test('two held reviews of one URI with different bodies: each shows its own body, masked, to approvers and in the audit', async () => {
    const s = await session('alice', { connection: 'prod' });
    const uri = '/k8s/prod/api/v1/namespaces/default/configmaps';
    const password = 'Sentinel-' + 'review-pw-41';
    const token = 'ghp_' + 'R1e2v3i4e5w6B7o8d9y0S1e2n3t4i5n6e7l8';
    const benign = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data: { greeting: 'hello (typo fix)' } };
    const malicious = { ...benign, data: { greeting: 'MALICIOUS-CHANGE', 'db-password': password, 'app.conf': `backdoor=true\ntoken: ${token}\n` } };
    const ids: string[] = [];
    for (const body of [benign, malicious]) {
      const r = await send(base, 'POST', uri, json(s.token), JSON.stringify(body));
      assert.equal(r.status, 403, r.body);
      ids.push(/review ([0-9a-f]{12}) waits/.exec(r.json.message)![1]!);
    }
    const [a, b] = ids as [string, string];
    assert.notEqual(a, b);
    const ra = await send(base, 'GET', `/v1/requests/${a}`, bearer(tokens.sam!));
    const rb = await send(base, 'GET', `/v1/requests/${b}`, bearer(tokens.sam!));
    assert.equal(ra.json.request.requestURI, rb.json.request.requestURI, 'the same URI');
    assert.deepEqual(ra.json.request.requestObject.data, { greeting: 'hello (typo fix)' });
    const shown = rb.json.request.requestObject as { data: Record<string, string> };
    assert.equal(shown.data.greeting, 'MALICIOUS-CHANGE', 'the second review shows its own body, not the first one');
    assert.match(shown.data['app.conf']!, /^backdoor=true\ntoken: \*\*hoopctl-masked\*\*/);
    assert.match(shown.data['db-password']!, /hoopctl-masked/);
    for (const clear of [password, token]) assert.ok(!rb.body.includes(clear), `the request view keeps ${clear.slice(0, 8)}… in clear`);
    // The audit: the held request's own event carries its masked body and names its review.
    const events = (await send(base, 'GET', `/v1/audit?session=${s.sessionId}`, bearer(tokens.alice!))).json.items as AuditEvent[];
    const held = events.filter((e) => e.stage !== 'AccessRequest' && e.decision === 'approval');
    assert.deepEqual(
      held.map((e) => e.annotations?.['approval.hoopctl.dev/review']),
      [a, b],
    );
    assert.deepEqual((held[1]!.requestObject as typeof shown).data.greeting, 'MALICIOUS-CHANGE');
    for (const clear of [password, token]) assert.ok(!JSON.stringify(events).includes(clear), 'the audit keeps no secret in clear');
    for (const id of ids) assert.equal((await vote('sam', id, 'deny')).status, 200);
  });

  test('exec: the WebSocket GET and the SPDY POST retry are one request; approved, it passes once per transport', async () => {
    const s = await session('alice', { connection: 'echo' });
    const path = '/k8s/echo/api/v1/namespaces/default/pods/web/exec?command=sh&stdin=true&stdout=true';
    const ws = (): ReturnType<typeof openUpgrade> =>
      openUpgrade(base, path, { ...bearer(s.token), upgrade: 'websocket', 'sec-websocket-protocol': 'v5.channel.k8s.io' });
    const spdy = (): ReturnType<typeof openUpgrade> => openUpgrade(base, path, { ...bearer(s.token), upgrade: 'SPDY/3.1', 'content-length': '0' }, 'POST');
    const idOf = (u: Awaited<ReturnType<typeof openUpgrade>>): string | undefined =>
      u.kind === 'refused' ? /review ([0-9a-f]{12})/.exec(u.answer.json.message)?.[1] : undefined;
    const a = await ws();
    const b = await spdy();
    assert.equal(a.kind, 'refused');
    assert.equal(b.kind, 'refused');
    assert.ok(idOf(a) !== undefined && idOf(a) === idOf(b), 'one review for the WebSocket attempt and its SPDY fallback');
    assert.equal((await vote('sue', idOf(a)!, 'approve')).json.request.status, 'approved');
    const upgraded = await ws();
    assert.equal(upgraded.kind, 'upgraded');
    if (upgraded.kind === 'upgraded') upgraded.socket.destroy();
    const fallback = await spdy();
    assert.equal(fallback.kind, 'upgraded', 'the other transport once, right after');
    if (fallback.kind === 'upgraded') fallback.socket.destroy();
    const third = await ws();
    assert.equal(third.kind, 'refused');
    assert.notEqual(idOf(third), idOf(a));
  });
});

describe('notifications', () => {
  test('webhook and Slack get new requests and decisions with the commands, after failed attempts; failures are logged without the URL', async () => {
    const req = await askFor('alice', { connection: 'prod', role: 'edit', reason: 'notify me' });
    await vote('sam', req.id, 'deny', 'no');
    for (let i = 0; i < 100; i++) {
      const has = (list: unknown[], event: string): boolean => list.some((b) => JSON.stringify(b).includes(req.id) && JSON.stringify(b).includes(event));
      if (has(webhook.bodies, 'request.denied') && has(slack.bodies, 'was denied')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const created = webhook.bodies.find(
      (b) => (b as { event: string; request: { id: string } }).event === 'request.created' && (b as { request: { id: string } }).request.id === req.id,
    ) as { request: AccessRequestView; commands: { approve: string; deny: string }; actor: string };
    assert.ok(created, JSON.stringify(webhook.bodies));
    assert.deepEqual(created.commands, { approve: `hoopctl approve ${req.id}`, deny: `hoopctl deny ${req.id}`, wait: `hoopctl wait ${req.id}` });
    assert.equal(created.request.reason, 'notify me');
    assert.ok(
      webhook.bodies.some(
        (b) => (b as { event: string; request: { id: string } }).event === 'request.denied' && (b as { request: { id: string } }).request.id === req.id,
      ),
    );
    const text = slack.bodies.map((b) => (b as { text: string }).text).find((t) => t.includes(req.id) && t.includes('asks for'))!;
    assert.match(text, new RegExp(`hoopctl approve ${req.id}`));
    assert.ok(webhook.attempts > webhook.bodies.length, 'the first attempts failed and were retried');
    assert.ok(
      logs.some((l) => /notification \(webhook\) to http:\/\/127\.0\.0\.1:\d+ failed \(attempt 1\/6: HTTP 503\)/.test(l)),
      logs.join('\n'),
    );
    assert.ok(
      logs.every((l) => !l.includes('very-secret-token') && !l.includes('/hook')),
      'no webhook path in the log',
    );
  });
});

describe('revoke', () => {
  test('an admin revoke cuts a watch and logs -f within a second, refuses the token, and is audited as a revoke', async () => {
    h.kube.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'logger', namespace: 'default' },
      spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox' }] },
    });
    const s = await session('alice', { connection: 'prod' });
    const open = (path: string): Promise<{ res: http.IncomingMessage; closed: Promise<number> }> =>
      new Promise((resolve, reject) => {
        const req = http.get(`${base}/k8s/prod${path}`, { headers: bearer(s.token), agent: false }, (res) => {
          res.on('data', () => undefined);
          res.on('error', () => undefined);
          resolve({ res, closed: new Promise((done) => res.on('close', () => done(Date.now()))) });
        });
        req.on('error', reject);
      });
    const watch = await open('/api/v1/namespaces/default/configmaps?watch=1');
    const logsF = await open('/api/v1/namespaces/default/pods/logger/log?follow=true');
    assert.deepEqual([watch.res.statusCode, logsF.res.statusCode], [200, 200]);
    const t0 = Date.now();
    assert.equal((await send(base, 'DELETE', `/v1/sessions/${s.sessionId}`, bearer(tokens.root!))).status, 204);
    const [w, l] = await Promise.all([watch.closed, logsF.closed]);
    assert.ok(w - t0 < 1000 && l - t0 < 1000, `cut after ${w - t0} / ${l - t0} ms`);
    assert.equal((await send(base, 'GET', '/k8s/prod/api/v1/namespaces', bearer(s.token))).status, 401);
    const ended = ((await send(base, 'GET', `/v1/audit?session=${s.sessionId}`, bearer(tokens.root!))).json.items as AuditEvent[]).find(
      (e) => e.stage === 'SessionEnded',
    )!;
    assert.match(ended.message!, /^revoked by root@example\.com; 2 open stream\(s\) closed/);
    const listed = (await send(base, 'GET', '/v1/sessions', bearer(tokens.alice!))).json.items as { id: string; endReason: string }[];
    assert.equal(listed.find((x) => x.id === s.sessionId)?.endReason, 'revoked by root@example.com');
  });
});
