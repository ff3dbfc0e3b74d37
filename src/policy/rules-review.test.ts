import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { compilePolicy } from './compile-policy.js';
import { listSessionRules } from './rules-review.js';

const policy = compilePolicy(
  parse(`
roles:
  - name: view
    rules:
      - verbs: [get, list, watch]
        apiGroups: ['', apps]
        resources: [pods, 'pods/*', deployments]
        namespaces: ['team-*', demo]
      - verbs: [get, list]
        resources: [nodes]
        namespaces: ['']
      - verbs: [get]
        nonResourceURLs: [/metrics]
  - name: edit
    rules:
      - verbs: ['*']
        resources: [configmaps]
        resourceNames: [app-config, 'tmp-*']
bindings:
  - groups: [dev]
    connections: ['*']
    roles: [view]
  - groups: [dev]
    connections: ['*']
    roles: [edit]
    approval: true
    approvers: [sre]
guardrails:
  - name: no-namespace-deletion
    connections: [prod]
    match: { verbs: [delete], resources: [namespaces] }
    effect: deny
`),
  { file: 'policy.yaml', basePath: '' },
);

const dev = { subject: { user: 'alice', groups: ['dev'] }, connection: 'staging' };
const SELF = [
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];
const DISCOVERY = {
  verbs: ['get', 'head'],
  nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version', '/version/', '/healthz', '/livez', '/readyz'],
};

test('lists the rules of the session role that apply in the namespace, as kube RBAC writes them', () => {
  assert.deepEqual(listSessionRules(policy, dev, 'team-a'), {
    resourceRules: [...SELF, { verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'pods/*', 'deployments'] }],
    nonResourceRules: [DISCOVERY, { verbs: ['get'], nonResourceURLs: ['/metrics'] }],
    incomplete: false,
  });
  // Cluster scope: only the rule written for namespace ''.
  assert.deepEqual(listSessionRules(policy, dev, '').resourceRules.slice(2), [{ verbs: ['get', 'list'], apiGroups: ['*'], resources: ['nodes'] }]);
  // No rule of view applies in "other".
  assert.deepEqual(listSessionRules(policy, dev, 'other').resourceRules, SELF);
});

test('a session on an elevated role lists that role only, with resourceNames', () => {
  const r = listSessionRules(policy, { ...dev, role: 'edit' }, 'demo');
  assert.deepEqual(r.resourceRules.slice(2), [{ verbs: ['*'], apiGroups: ['*'], resources: ['configmaps'], resourceNames: ['app-config', 'tmp-*'] }]);
  assert.deepEqual(r.nonResourceRules, [DISCOVERY]);
});

test('guardrails on the connection make the list incomplete and are named', () => {
  const r = listSessionRules(policy, { ...dev, connection: 'prod' }, 'demo');
  assert.equal(r.incomplete, true);
  assert.match(r.evaluationError ?? '', /"no-namespace-deletion" \(deny\)/);
});

test('no role on the connection: only the self reviews, nothing else', () => {
  const r = listSessionRules(policy, { subject: { user: 'eve', groups: ['contractors'] }, connection: 'staging' }, 'demo');
  assert.deepEqual([r.resourceRules, r.nonResourceRules, r.incomplete], [SELF, [], false]);
  const gone = listSessionRules(policy, { subject: { user: 'eve', groups: ['contractors'] }, connection: 'staging', role: 'edit' }, 'demo');
  assert.equal(gone.incomplete, true);
  assert.match(gone.evaluationError ?? '', /role "edit" is no longer bound to you .* run hoopctl connect staging/);
});
