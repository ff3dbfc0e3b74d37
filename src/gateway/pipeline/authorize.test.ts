import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionClaims } from '../../api/wire.js';
import { createCommandReviews } from '../approvals/command-review.js';
import type { GatewayContext } from '../gateway-context.js';
import { inMemoryExchange, inMemoryGateway, withSession } from '../../../test/support/pipeline-exchange.js';
import { createAuthorize } from './authorize.js';
import { isRefusal, type ClassifiedExchange } from './exchange.js';
import { createClassify } from './classify.js';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const now = (): number => NOW;

const POLICY = {
  roles: [
    { name: 'view', rules: [{ verbs: ['get', 'list', 'watch'], resources: ['pods', 'pods/log', 'configmaps'], namespaces: ['*'] }] },
    { name: 'edit', rules: [{ verbs: ['*'], resources: ['pods', 'pods/*', 'secrets', 'namespaces'], namespaces: ['*'] }] },
  ],
  bindings: [
    { groups: ['dev'], connections: ['prod'], roles: ['view'] },
    { groups: ['sre'], connections: ['prod'], roles: ['edit'] },
  ],
  guardrails: [
    {
      name: 'no-namespace-deletion',
      match: { verbs: ['delete', 'deletecollection'], resources: ['namespaces'] },
      effect: 'deny',
      message: 'namespaces are never deleted through hoopctl',
    },
    { name: 'prod-exec-review', connections: ['prod'], match: { resources: ['pods/exec'] }, effect: 'approval', approvers: ['sre'] },
  ],
  defaults: { discovery: true },
};

const VIEW = 'bindings[0] → roles[0] (view).rules[0]';
const EDIT = 'bindings[1] → roles[1] (edit).rules[0]';

type Want = { effect: 'allow'; rule: string; reason: RegExp } | { code: 403; rule: string; effect: 'deny' | 'approval'; message: RegExp };
type Row = [name: string, claims: Partial<SessionClaims> & Pick<SessionClaims, 'sub'>, method: string, kubePath: string, want: Want];

const dev = { sub: 'alice', groups: ['dev'] };
const sre = { sub: 'sam', groups: ['sre'] };

const rows: Row[] = [
  ['allowed by a bound role', dev, 'GET', '/api/v1/namespaces/demo/pods', { effect: 'allow', rule: VIEW, reason: /^allowed by role "view"$/ }],
  ['watch from the query, same role', dev, 'GET', '/api/v1/namespaces/demo/pods?watch=1', { effect: 'allow', rule: VIEW, reason: /^allowed by role "view"$/ }],
  ['the other role of another group', sre, 'GET', '/api/v1/namespaces/demo/secrets', { effect: 'allow', rule: EDIT, reason: /^allowed by role "edit"$/ }],
  [
    'not in the role: default deny, naming the role that would',
    dev,
    'GET',
    '/api/v1/namespaces/demo/secrets/db',
    {
      code: 403,
      effect: 'deny',
      rule: 'default-deny',
      message:
        /^secrets "db" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "demo": .*\(hoopctl rule default-deny\)/,
    },
  ],
  [
    'deny by guardrail, whatever the role',
    sre,
    'DELETE',
    '/api/v1/namespaces/demo',
    {
      code: 403,
      effect: 'deny',
      rule: 'guardrails[0] (no-namespace-deletion)',
      message:
        /^namespaces "demo" is forbidden: User "sam" cannot delete resource "namespaces" in API group "" in the namespace "demo": denied by guardrail "no-namespace-deletion": namespaces are never deleted through hoopctl \(hoopctl rule guardrails\[0\] \(no-namespace-deletion\)\)$/,
    },
  ],
  [
    'approval required, and no review service: refused (fail closed)',
    sre,
    'POST',
    '/api/v1/namespaces/demo/pods/web/exec?command=sh',
    {
      code: 403,
      effect: 'approval',
      rule: 'guardrails[1] (prod-exec-review)',
      message:
        /cannot create resource "pods\/exec" .*guardrail "prod-exec-review" requires approval for this request.*\(hoopctl rule guardrails\[1\] \(prod-exec-review\)\)/,
    },
  ],
  ['discovery is open to anyone with a role', dev, 'GET', '/apis/apps/v1', { effect: 'allow', rule: 'defaults.discovery', reason: /^discovery is open/ }],
  ['discovery: /version', dev, 'GET', '/version', { effect: 'allow', rule: 'defaults.discovery', reason: /^discovery is open/ }],
  [
    'discovery is not open to someone with no role here',
    { sub: 'eve', groups: ['guests'] },
    'GET',
    '/api',
    { code: 403, effect: 'deny', rule: 'default-deny', message: /^forbidden: User "eve" cannot get path "\/api": / },
  ],
  [
    'a session opened for a namespace is a scope',
    { ...dev, ns: 'demo' },
    'GET',
    '/api/v1/namespaces/team-a/pods',
    {
      code: 403,
      effect: 'deny',
      rule: 'session.namespaces',
      message: /^pods is forbidden: User "alice" cannot list resource "pods" .* in the namespace "team-a": /,
    },
  ],
  [
    'inside the session namespace',
    { ...dev, ns: 'demo' },
    'GET',
    '/api/v1/namespaces/demo/pods',
    { effect: 'allow', rule: VIEW, reason: /^allowed by role "view"$/ },
  ],
];

async function classified(gw: GatewayContext, claims: Row[1], method: string, kubePath: string): Promise<ClassifiedExchange> {
  const { x } = inMemoryExchange(gw, { method, kubePath });
  const c = await createClassify()(withSession(x, { exp: NOW / 1000 + 3600, ...claims }));
  if (isRefusal(c)) throw new Error(`${method} ${kubePath}: ${c.message}`);
  return c;
}

test('authorize: the session and the classified request → the policy decision on the exchange, or a 403 Status naming the rule', async (t) => {
  const g = await inMemoryGateway(POLICY, now);
  t.after(() => g.close());
  const gw = g as unknown as GatewayContext;
  const authorize = createAuthorize(g.config.policy);
  for (const [name, claims, method, kubePath, want] of rows) {
    const x = await classified(gw, claims, method, kubePath);
    const got = await authorize(x);
    // Set on refusals too: the audit names the rule that decided.
    assert.equal(x.decision?.rule, want.rule, name);
    if ('code' in want) {
      assert.ok(isRefusal(got), `${name}: allowed`);
      assert.equal(got.code, 403, name);
      assert.equal(got.reason, 'Forbidden', name);
      assert.match(got.message, want.message, name);
      assert.equal(x.decision?.effect, want.effect, name);
      continue;
    }
    assert.ok(!isRefusal(got), `${name}: refused: ${isRefusal(got) ? got.message : ''}`);
    assert.equal(got, x, `${name}: the same exchange, narrowed`);
    assert.equal(got.decision.effect, 'allow', name);
    assert.match(got.decision.reason, want.reason, name);
  }
});

test('authorize with reviews: a request a guardrail holds is refused naming its review, then passes once, after the approval', async (t) => {
  const g = await inMemoryGateway(POLICY, now);
  t.after(() => g.close());
  const gw = g as unknown as GatewayContext;
  const authorize = createAuthorize(g.config.policy, createCommandReviews(g.requests, now));
  const exec = '/api/v1/namespaces/demo/pods/web/exec?command=sh&stdin=true';
  const claims = { ...sre, sid: 's-sam' };

  const first = await classified(gw, claims, 'POST', exec);
  const held = await authorize(first);
  assert.ok(isRefusal(held), 'held for review');
  assert.equal(held.code, 403);
  const id = first.reviewRequest;
  assert.ok(id !== undefined, 'the exchange names its review (the audit records it)');
  assert.match(held.message, new RegExp(`requires approval .*; review ${id} waits for 1 approval from sre: hoopctl approve ${id}; `));

  // The same request again, still pending: the same review, not a second one.
  const again = await classified(gw, claims, 'POST', exec);
  assert.ok(isRefusal(await authorize(again)));
  assert.equal(again.reviewRequest, id);

  await g.requests.vote({ user: 'sue', groups: ['sre'], admin: false, via: 'id-token' }, id, 'approve', undefined);
  const approved = await classified(gw, claims, 'POST', exec);
  const passed = await authorize(approved);
  assert.ok(!isRefusal(passed), `refused after approval: ${isRefusal(passed) ? passed.message : ''}`);
  assert.equal(passed.decision.effect, 'allow');
  assert.equal(passed.decision.rule, `guardrails[1] (prod-exec-review) → review ${id}`);
  assert.equal(passed.message, `approved by review ${id}`);

  // An approval is used once: a later request from another session, or a different one, is held again.
  const otherSession = await classified(gw, { ...sre, sid: 's-other' }, 'POST', exec);
  assert.ok(isRefusal(await authorize(otherSession)));
  assert.notEqual(otherSession.reviewRequest, id);
});
