import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { classifyRequest, isNonCanonical } from '../kube/request-info.js';
import type { ResourceAttributes } from '../kube/self-review.js';
import { answerAccessReview, reviewRequestInfo } from './access-review.js';
import { compilePolicy } from './compile-policy.js';
import { evaluatePolicy } from './evaluate-policy.js';

const policy = compilePolicy(
  parse(`
roles:
  - name: view
    rules:
      - verbs: [get, list, watch]
        apiGroups: ['', apps]
        resources: [pods, deployments, namespaces]
  - name: edit
    rules:
      - verbs: [get, list, create, update, delete]
        apiGroups: ['', apps]
        resources: [configmaps, deployments, secrets, namespaces]
      - verbs: [create]
        resources: [pods/exec]
        namespaces: [demo]
  - name: nodes
    rules:
      - verbs: [get, list]
        resources: [nodes]
        namespaces: ['']
      - verbs: [get]
        nonResourceURLs: [/metrics]
bindings:
  - groups: [dev]
    connections: ['*']
    roles: [view, nodes]
  - groups: [dev]
    connections: ['*']
    roles: [edit]
    approval: true
    approvers: [sre]
guardrails:
  - name: no-namespace-deletion
    connections: ['*']
    match: { verbs: [delete, deletecollection], resources: [namespaces] }
    effect: deny
    message: namespaces are never deleted through hoopctl
  - name: secrets-need-review
    connections: [prod]
    match: { verbs: [get, list], resources: [secrets] }
    effect: approval
    approvers: [sre]
`),
  { file: 'policy.yaml', basePath: '' },
);

const dev = { subject: { user: 'alice@example.com', groups: ['dev'] }, connection: 'prod' };
const ra = (a: ResourceAttributes) => ({ resourceAttributes: a });

test('allowed: the reason names the role rule', () => {
  const a = answerAccessReview(policy, { ...dev, role: 'view' }, ra({ namespace: 'demo', verb: 'get', resource: 'pods' }));
  assert.equal(a.allowed, true);
  assert.equal(a.denied, false);
  assert.match(a.reason, /^allowed by role "view" \(hoopctl rule bindings\[0\] → roles\[0\] \(view\)\.rules\[0\]\)$/);
});

test('a deny guardrail: denied, and the reason names the guardrail and its message (kubectl sends its default namespace)', () => {
  for (const role of [undefined, 'view', 'edit']) {
    const a = answerAccessReview(
      policy,
      { ...dev, ...(role === undefined ? {} : { role }) },
      ra({ namespace: 'default', verb: 'delete', resource: 'namespaces' }),
    );
    assert.equal(a.allowed, false, String(role));
    assert.equal(a.denied, true);
    assert.match(
      a.reason,
      /denied by guardrail "no-namespace-deletion": namespaces are never deleted through hoopctl \(hoopctl rule guardrails\[0\] \(no-namespace-deletion\)\)/,
    );
  }
});

test('a role that needs approval: the reason is the command that asks for it', () => {
  const a = answerAccessReview(policy, dev, ra({ namespace: 'demo', verb: 'create', group: 'apps', resource: 'deployments' }));
  assert.equal(a.allowed, false);
  assert.equal(a.denied, false);
  assert.match(a.reason, /^needs approval: hoopctl connect prod --role edit --reason "…" \(hoopctl rule bindings\[1\] → roles\[1\] \(edit\)\.rules\[0\]\)$/);
  const pinned = answerAccessReview(policy, { ...dev, role: 'view' }, ra({ namespace: 'demo', verb: 'create', group: 'apps', resource: 'deployments' }));
  assert.equal(pinned.denied, true);
  assert.match(
    pinned.reason,
    /role "view" of this session does not allow this; role "edit" would \(hoopctl rule default-deny\); hint: hoopctl connect prod --role edit/,
  );
});

test('a guardrail that holds the request for review: not allowed, not denied, names the guardrail and approvers', () => {
  const a = answerAccessReview(policy, { ...dev, role: 'edit' }, ra({ namespace: 'demo', verb: 'get', resource: 'secrets', name: 'db' }));
  assert.equal(a.allowed, false);
  assert.equal(a.denied, false);
  assert.match(
    a.reason,
    /^needs approval: guardrail "secrets-need-review" requires approval .* review by sre \(1 approval\) .*\(hoopctl rule guardrails\[1\] \(secrets-need-review\)\)$/,
  );
  // The guardrail is scoped to prod: on staging the role alone decides.
  assert.equal(
    answerAccessReview(policy, { ...dev, connection: 'staging', role: 'edit' }, ra({ namespace: 'demo', verb: 'get', resource: 'secrets' })).allowed,
    true,
  );
});

test('no role on the connection: default deny', () => {
  const a = answerAccessReview(
    policy,
    { subject: { user: 'eve', groups: ['contractors'] }, connection: 'prod' },
    ra({ namespace: 'demo', verb: 'get', resource: 'pods' }),
  );
  assert.deepEqual([a.allowed, a.denied], [false, true]);
  assert.match(a.reason, /you have no role on connection "prod" \(hoopctl rule default-deny\)/);
});

test('exec-class subresources, cluster-scoped resources and non-resource URLs', () => {
  const edit = { ...dev, role: 'edit' };
  assert.equal(answerAccessReview(policy, edit, ra({ namespace: 'demo', verb: 'create', resource: 'pods', subresource: 'exec', name: 'p' })).allowed, true);
  assert.equal(answerAccessReview(policy, edit, ra({ namespace: 'other', verb: 'create', resource: 'pods', subresource: 'exec' })).allowed, false);
  // kubectl asks `can-i get nodes` with its default namespace; the real request has none.
  assert.equal(answerAccessReview(policy, { ...dev, role: 'nodes' }, ra({ namespace: 'default', verb: 'list', resource: 'nodes' })).allowed, true);
  assert.equal(answerAccessReview(policy, { ...dev, role: 'nodes' }, { nonResourceAttributes: { verb: 'get', path: '/metrics' } }).allowed, true);
  assert.equal(answerAccessReview(policy, { ...dev, role: 'nodes' }, { nonResourceAttributes: { verb: 'post', path: '/metrics' } }).allowed, false);
});

test('the review asks exactly what the gateway will classify for the real request', () => {
  const pairs: [method: string, path: string, attributes: ResourceAttributes][] = [
    ['GET', '/api/v1/namespaces/demo/pods/p', { namespace: 'demo', verb: 'get', version: 'v1', resource: 'pods', name: 'p' }],
    ['DELETE', '/api/v1/namespaces/demo', { namespace: 'default', verb: 'delete', version: 'v1', resource: 'namespaces', name: 'demo' }],
    ['GET', '/api/v1/namespaces/demo', { namespace: 'kube-system', verb: 'get', version: 'v1', resource: 'namespaces', name: 'demo' }],
    ['POST', '/api/v1/namespaces', { namespace: 'default', verb: 'create', version: 'v1', resource: 'namespaces' }],
    ['GET', '/api/v1/nodes/n1', { namespace: 'default', verb: 'get', version: 'v1', resource: 'nodes', name: 'n1' }],
    ['POST', '/apis/apps/v1/namespaces/demo/deployments', { namespace: 'demo', verb: 'create', group: 'apps', version: 'v1', resource: 'deployments' }],
    ['GET', '/api/v1/namespaces/demo/pods/p/exec', { namespace: 'demo', verb: 'get', version: 'v1', resource: 'pods', subresource: 'exec', name: 'p' }],
    [
      'GET',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles/x',
      { namespace: 'default', verb: 'get', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', name: 'x' },
    ],
    [
      'GET',
      '/apis/example.com/v1/namespaces/demo/widgets/w',
      { namespace: 'demo', verb: 'get', group: 'example.com', version: 'v1', resource: 'widgets', name: 'w' },
    ],
  ];
  for (const [method, path, attributes] of pairs) {
    const real = classifyRequest(method, path);
    assert.ok(!isNonCanonical(real));
    const asked = reviewRequestInfo({ resourceAttributes: attributes });
    assert.deepEqual({ ...asked, path: '' }, { ...real, path: '' }, `${method} ${path}`);
    for (const role of [undefined, 'view', 'edit', 'nodes']) {
      const who = { ...dev, ...(role === undefined ? {} : { role }) };
      assert.deepEqual(
        answerAccessReview(policy, who, { resourceAttributes: attributes }).decision,
        evaluatePolicy(policy, { ...who, request: real }),
        `${method} ${path} as ${role}`,
      );
    }
  }
});
