import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { classifyRequest } from '../kube/request-info.js';
import { compilePolicy } from './compile-policy.js';
import { evaluatePolicy } from './evaluate-policy.js';
import { rolesFor } from './subject-bindings.js';
import type { Effect, PolicyDecision } from './types.js';

const policy = compilePolicy(
  parse(`
roles:
  - name: view
    rules:
      - verbs: [get, list, watch]
        apiGroups: ['', apps]
        resources: [pods, pods/log, deployments, configmaps]
        namespaces: ['team-*', demo]
      - verbs: [get, list]
        resources: [namespaces, nodes]
        namespaces: ['']
  - name: edit
    rules:
      - verbs: [get, list, watch, create, update, patch, delete]
        apiGroups: ['', apps]
        resources: [pods, 'pods/*', deployments, deployments/scale, 'config*', secrets]
        namespaces: ['*']
  - name: named
    rules:
      - verbs: [get, list, delete]
        resources: [configmaps]
        resourceNames: [app-config, 'tmp-*']
        namespaces: [demo]
  - name: metrics
    rules:
      - verbs: [get]
        nonResourceURLs: [/metrics, '/debug/*']
  - name: admin
    rules:
      - verbs: ['*']
        apiGroups: ['*']
        resources: ['*']
  - name: reader-star
    rules:
      - verbs: [get, list, watch]
        resources: ['*']
        namespaces: ['*']
bindings:
  - groups: [dev]
    connections: [prod, staging]
    roles: [view]
  - groups: [dev]
    connections: ['*']
    roles: [edit]
    approval: true
    approvers: [sre]
    maxTtl: 30m
  - users: [carol]
    connections: [prod]
    roles: [named, metrics]
  - groups: [sre]
    connections: ['*']
    roles: [admin, view]
  - groups: [auditor]
    connections: ['prod*']
    roles: [reader-star]
guardrails:
  - name: no-namespace-deletion
    connections: ['*']
    match: { verbs: [delete, deletecollection], resources: [namespaces] }
    effect: deny
    message: namespaces are never deleted through hoopctl
  - name: prod-exec-review
    connections: [prod]
    match: { resources: [pods/exec, pods/attach] }
    effect: approval
    approvers: [sre]
  - name: no-kube-system-secrets
    match: { resources: [secrets], namespaces: [kube-system] }
    effect: deny
  - name: no-debug-vars
    match: { nonResourceURLs: ['/debug/vars*'] }
    effect: deny
defaults:
  discovery: true
`),
  { file: 'policy.yaml', basePath: '' },
);

type Case = {
  who: string;
  groups?: string[];
  conn?: string;
  role?: string;
  ns?: string[];
  method: string;
  path: string;
  effect: Effect;
  rule?: string | RegExp;
  hint?: string | null;
};
const V = 'bindings[0] → roles[0] (view)';
const cases: Case[] = [
  // allow through the union of roles bound without approval
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/api/v1/namespaces/demo/pods', effect: 'allow', rule: `${V}.rules[0]` },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/api/v1/namespaces/team-a/pods/web', effect: 'allow', rule: `${V}.rules[0]` },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/api/v1/namespaces/team-a/pods?watch=1', effect: 'allow' },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/apis/apps/v1/namespaces/demo/deployments', effect: 'allow' },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/api/v1/namespaces/demo/pods/web/log', effect: 'allow' },
  // patterns: team-* is a prefix, it does not match other namespaces or cluster scope
  {
    who: 'dave',
    groups: ['dev'],
    method: 'GET',
    path: '/api/v1/namespaces/other/pods',
    effect: 'approval',
    rule: 'bindings[1] → roles[1] (edit).rules[0]',
    hint: 'hoopctl connect prod --role edit --reason "…"',
  },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/api/v1/pods', effect: 'approval', hint: 'hoopctl connect prod --role edit --reason "…"' },
  // cluster-scoped resources need '' (or '*')
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/api/v1/nodes', effect: 'allow', rule: `${V}.rules[1]` },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/api/v1/namespaces', effect: 'allow', rule: `${V}.rules[1]` },
  // kube puts a namespace object in its own namespace: namespaces/demo is in "demo", not cluster scope
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/api/v1/namespaces/demo', effect: 'deny', rule: 'default-deny' },
  // subresources: pods grants neither pods/exec nor pods/status; pods/* does (with create for exec-class)
  {
    who: 'dave',
    groups: ['dev'],
    method: 'GET',
    path: '/api/v1/namespaces/demo/pods/web/status',
    effect: 'approval',
    rule: 'bindings[1] → roles[1] (edit).rules[0]',
  },
  {
    who: 'dave',
    groups: ['dev'],
    role: 'view',
    method: 'POST',
    path: '/api/v1/namespaces/demo/pods/web/exec',
    effect: 'deny',
    rule: 'default-deny',
    hint: 'hoopctl connect prod --role edit --reason "…"',
  },
  {
    who: 'dave',
    groups: ['dev'],
    role: 'edit',
    method: 'GET',
    path: '/api/v1/namespaces/demo/pods/web/status',
    effect: 'allow',
    rule: 'bindings[1] → roles[1] (edit).rules[0]',
  },
  {
    who: 'dave',
    groups: ['dev'],
    conn: 'staging',
    method: 'POST',
    path: '/api/v1/namespaces/demo/pods/web/exec?command=sh',
    effect: 'approval',
    hint: 'hoopctl connect staging --role edit --reason "…"',
  },
  { who: 'dave', groups: ['dev'], conn: 'staging', role: 'edit', method: 'GET', path: '/api/v1/namespaces/demo/pods/web/exec?command=sh', effect: 'allow' },
  { who: 'dave', groups: ['dev'], conn: 'staging', role: 'edit', method: 'POST', path: '/api/v1/namespaces/demo/pods/web/portforward', effect: 'allow' },
  // exec-class needs create: a read-only role with resources ['*'] cannot exec through a GET upgrade
  {
    who: 'erin',
    groups: ['auditor'],
    method: 'GET',
    path: '/api/v1/namespaces/demo/pods/web/exec?command=sh',
    effect: 'deny',
    rule: 'default-deny',
    hint: null,
  },
  {
    who: 'erin',
    groups: ['auditor'],
    method: 'GET',
    path: '/api/v1/namespaces/demo/pods/web/log',
    effect: 'allow',
    rule: 'bindings[4] → roles[5] (reader-star).rules[0]',
  },
  { who: 'erin', groups: ['auditor'], conn: 'prod-eu', method: 'GET', path: '/api/v1/secrets', effect: 'allow' },
  { who: 'erin', groups: ['auditor'], conn: 'staging', method: 'GET', path: '/api/v1/secrets', effect: 'deny', rule: 'default-deny' },
  { who: 'erin', groups: ['auditor'], method: 'DELETE', path: '/api/v1/namespaces/demo/pods/web', effect: 'deny', hint: null },
  // prefix resource pattern 'config*'
  { who: 'dave', groups: ['dev'], role: 'edit', method: 'DELETE', path: '/api/v1/namespaces/x/configmaps/a', effect: 'allow' },
  { who: 'dave', groups: ['dev'], role: 'edit', method: 'DELETE', path: '/api/v1/namespaces/x/configmaps', effect: 'deny', rule: 'default-deny' },
  // a session for a role gets only that role: edit does not include nodes
  { who: 'dave', groups: ['dev'], role: 'edit', method: 'GET', path: '/api/v1/nodes', effect: 'deny', hint: 'hoopctl connect prod --role view' },
  // a session for view: edit would allow (approval) → deny with the connect hint
  {
    who: 'dave',
    groups: ['dev'],
    role: 'view',
    method: 'PATCH',
    path: '/apis/apps/v1/namespaces/demo/deployments/web',
    effect: 'deny',
    rule: 'default-deny',
    hint: 'hoopctl connect prod --role edit --reason "…"',
  },
  {
    who: 'dave',
    groups: ['dev'],
    role: 'view',
    method: 'PATCH',
    path: '/apis/apps/v1/namespaces/demo/deployments/web/scale',
    effect: 'deny',
    hint: 'hoopctl connect prod --role edit --reason "…"',
  },
  // a role not bound to the subject
  {
    who: 'dave',
    groups: ['dev'],
    role: 'admin',
    method: 'GET',
    path: '/api/v1/namespaces/demo/pods',
    effect: 'deny',
    rule: 'default-deny',
    hint: 'hoopctl connect prod',
  },
  { who: 'dave', groups: ['dev'], conn: 'dev-cluster', role: 'view', method: 'GET', path: '/api/v1/namespaces/demo/pods', effect: 'deny' },
  // resourceNames: exact and prefix; a list never matches a name-limited rule
  { who: 'carol', method: 'GET', path: '/api/v1/namespaces/demo/configmaps/app-config', effect: 'allow', rule: 'bindings[2] → roles[2] (named).rules[0]' },
  { who: 'carol', method: 'DELETE', path: '/api/v1/namespaces/demo/configmaps/tmp-1', effect: 'allow' },
  { who: 'carol', method: 'GET', path: '/api/v1/namespaces/demo/configmaps/other', effect: 'deny' },
  { who: 'carol', method: 'GET', path: '/api/v1/namespaces/demo/configmaps', effect: 'deny' },
  { who: 'carol', method: 'GET', path: '/api/v1/namespaces/demo/configmaps?fieldSelector=metadata.name%3Dapp-config', effect: 'allow' },
  { who: 'carol', method: 'GET', path: '/api/v1/namespaces/other/configmaps/app-config', effect: 'deny' },
  // non-resource URLs and discovery defaults
  { who: 'carol', method: 'GET', path: '/metrics', effect: 'allow', rule: 'bindings[2] → roles[3] (metrics).rules[0]' },
  { who: 'carol', method: 'GET', path: '/debug/pprof/heap', effect: 'allow' },
  { who: 'carol', method: 'POST', path: '/metrics', effect: 'deny' },
  // guardrails on non-resource URLs match the decoded path, as kube-apiserver routes and RBAC match it
  { who: 'carol', method: 'GET', path: '/debug/vars', effect: 'deny', rule: 'guardrails[3] (no-debug-vars)' },
  { who: 'carol', method: 'GET', path: '/%64ebug/vars', effect: 'deny', rule: 'guardrails[3] (no-debug-vars)' },
  { who: 'carol', method: 'GET', path: '/debug/v%61rs/', effect: 'deny', rule: 'guardrails[3] (no-debug-vars)' },
  { who: 'carol', method: 'GET', path: '/%64ebug/pprof/heap', effect: 'allow', rule: 'bindings[2] → roles[3] (metrics).rules[0]' },
  // a trailing slash is its own non-resource URL (kube's system:public-info-viewer lists "/version/" too)
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/version/', effect: 'allow', rule: 'defaults.discovery' },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/apis/', effect: 'allow', rule: 'defaults.discovery' },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/healthz/', effect: 'deny', rule: 'default-deny' },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/api/v1/namespaces/demo/pods/', effect: 'allow', rule: `${V}.rules[0]` },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/metrics', effect: 'deny', rule: 'default-deny' },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/version', effect: 'allow', rule: 'defaults.discovery' },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/apis/apps/v1?timeout=32s', effect: 'allow', rule: 'defaults.discovery' },
  { who: 'dave', groups: ['dev'], method: 'GET', path: '/openapi/v3/apis/apps/v1?hash=X', effect: 'allow', rule: 'defaults.discovery' },
  { who: 'dave', groups: ['dev'], method: 'POST', path: '/api', effect: 'deny' },
  { who: 'mallory', method: 'GET', path: '/version', effect: 'deny', rule: 'default-deny', hint: null },
  { who: 'mallory', method: 'GET', path: '/api/v1/namespaces/demo/pods', effect: 'deny', rule: 'default-deny', hint: null },
  // guardrails apply whatever the role; deny beats allow
  { who: 'sam', groups: ['sre'], method: 'DELETE', path: '/api/v1/namespaces/demo', effect: 'deny', rule: 'guardrails[0] (no-namespace-deletion)' },
  { who: 'sam', groups: ['sre'], method: 'DELETE', path: '/api/v1/namespaces', effect: 'deny', rule: 'guardrails[0] (no-namespace-deletion)' },
  {
    who: 'sam',
    groups: ['sre'],
    role: 'admin',
    method: 'GET',
    path: '/api/v1/namespaces/kube-system/secrets/x',
    effect: 'deny',
    rule: 'guardrails[2] (no-kube-system-secrets)',
  },
  {
    who: 'sam',
    groups: ['sre'],
    method: 'GET',
    path: '/api/v1/namespaces/kube-system/configmaps/x',
    effect: 'allow',
    rule: 'bindings[3] → roles[4] (admin).rules[0]',
  },
  { who: 'sam', groups: ['sre'], method: 'DELETE', path: '/api/v1/namespaces/demo/pods/p', effect: 'allow' },
  // approval guardrail beats allow, on its connections only
  {
    who: 'sam',
    groups: ['sre'],
    method: 'GET',
    path: '/api/v1/namespaces/demo/pods/p/exec?command=sh',
    effect: 'approval',
    rule: 'guardrails[1] (prod-exec-review)',
  },
  { who: 'sam', groups: ['sre'], method: 'POST', path: '/api/v1/namespaces/demo/pods/p/attach', effect: 'approval', rule: 'guardrails[1] (prod-exec-review)' },
  { who: 'sam', groups: ['sre'], conn: 'staging', method: 'GET', path: '/api/v1/namespaces/demo/pods/p/exec?command=sh', effect: 'allow' },
  // deny guardrail beats approval guardrail and approval roles
  { who: 'dave', groups: ['dev'], method: 'DELETE', path: '/api/v1/namespaces/demo', effect: 'deny', rule: 'guardrails[0] (no-namespace-deletion)' },
  // an approval guardrail does not grant what no role allows
  { who: 'erin', groups: ['auditor'], method: 'POST', path: '/api/v1/namespaces/demo/pods/p/exec', effect: 'deny', rule: 'default-deny' },
  // the session's namespaces bound what the role allows (an approved `edit` in demo is not `edit` in prod)
  { who: 'dave', groups: ['dev'], role: 'edit', ns: ['demo'], method: 'DELETE', path: '/api/v1/namespaces/demo/pods/p', effect: 'allow' },
  {
    who: 'dave',
    groups: ['dev'],
    role: 'edit',
    ns: ['demo'],
    method: 'DELETE',
    path: '/api/v1/namespaces/prod/pods/p',
    effect: 'deny',
    rule: 'session.namespaces',
    hint: 'hoopctl connect prod --role edit --namespace prod --reason "…"',
  },
  {
    who: 'dave',
    groups: ['dev'],
    role: 'edit',
    ns: ['demo'],
    method: 'GET',
    path: '/api/v1/secrets',
    effect: 'deny',
    rule: 'session.namespaces',
    hint: 'hoopctl connect prod --role edit --reason "…" (without --namespace)',
  },
  {
    who: 'dave',
    groups: ['dev'],
    ns: ['team-a'],
    method: 'GET',
    path: '/api/v1/nodes',
    effect: 'deny',
    rule: 'session.namespaces',
    hint: 'hoopctl connect prod (without --namespace)',
  },
  { who: 'dave', groups: ['dev'], ns: ['team-a'], method: 'GET', path: '/api/v1/namespaces/team-a/pods', effect: 'allow' },
  { who: 'dave', groups: ['dev'], ns: ['demo'], method: 'GET', path: '/version', effect: 'allow', rule: 'defaults.discovery' },
  // a deny guardrail still names itself; a scope refusal beats a guardrail that would hold the request for review
  {
    who: 'sam',
    groups: ['sre'],
    ns: ['demo'],
    method: 'DELETE',
    path: '/api/v1/namespaces/demo',
    effect: 'deny',
    rule: 'guardrails[0] (no-namespace-deletion)',
  },
  { who: 'sam', groups: ['sre'], ns: ['demo'], method: 'POST', path: '/api/v1/namespaces/other/pods/p/exec', effect: 'deny', rule: 'session.namespaces' },
  {
    who: 'sam',
    groups: ['sre'],
    ns: ['demo'],
    method: 'POST',
    path: '/api/v1/namespaces/demo/pods/p/exec',
    effect: 'approval',
    rule: 'guardrails[1] (prod-exec-review)',
  },
];

test(`evaluatePolicy: ${cases.length} cases`, () => {
  assert.ok(cases.length >= 40);
  for (const c of cases) {
    const request = classifyRequest(c.method, c.path);
    if ('refused' in request) throw new Error(request.reason);
    const d: PolicyDecision = evaluatePolicy(policy, {
      subject: { user: c.who, groups: c.groups ?? [] },
      connection: c.conn ?? 'prod',
      ...(c.role === undefined ? {} : { role: c.role }),
      ...(c.ns === undefined ? {} : { namespaces: c.ns }),
      request,
    });
    const label = `${c.who}${c.role ? `/${c.role}` : ''}${c.ns ? ` -n ${c.ns.join(',')}` : ''}@${c.conn ?? 'prod'} ${c.method} ${c.path}`;
    assert.equal(d.effect, c.effect, `${label}: ${JSON.stringify(d)}`);
    if (typeof c.rule === 'string') assert.equal(d.rule, c.rule, label);
    if (c.hint === null) assert.equal(d.hint, undefined, label);
    else if (c.hint !== undefined) assert.equal(d.hint, c.hint, label);
    assert.ok(d.reason.length > 0, label);
  }
});

test('evaluatePolicy: reasons are sentences kubectl can print', () => {
  const decide = (who: string, groups: string[], method: string, path: string, role?: string): PolicyDecision => {
    const request = classifyRequest(method, path);
    if ('refused' in request) throw new Error(request.reason);
    return evaluatePolicy(policy, { subject: { user: who, groups }, connection: 'prod', ...(role === undefined ? {} : { role }), request });
  };
  assert.equal(
    decide('sam', ['sre'], 'DELETE', '/api/v1/namespaces/x').reason,
    'denied by guardrail "no-namespace-deletion": namespaces are never deleted through hoopctl',
  );
  assert.equal(decide('dave', ['dev'], 'GET', '/api/v1/pods').reason, 'role "edit" allows this on connection "prod" but is granted only after approval');
  assert.equal(decide('mallory', [], 'GET', '/api/v1/pods').reason, 'you have no role on connection "prod"');
  assert.equal(decide('carol', [], 'GET', '/api/v1/pods').reason, 'no role bound to you on connection "prod" allows this');
  assert.equal(decide('dave', ['dev'], 'GET', '/api/v1/pods', 'view').reason, 'role "view" of this session does not allow this; role "edit" would');
  assert.equal(decide('dave', ['dev'], 'GET', '/api/v1/namespaces/demo/pods').reason, 'allowed by role "view"');
});

test('evaluatePolicy: discovery defaults can be turned off', () => {
  const closed = compilePolicy(
    {
      roles: [{ name: 'v', rules: [{ verbs: ['get'], resources: ['pods'] }] }],
      bindings: [{ groups: ['dev'], connections: ['*'], roles: ['v'] }],
      defaults: { discovery: false },
    },
    { file: 'p.yaml', basePath: '' },
  );
  const request = classifyRequest('GET', '/version');
  if ('refused' in request) throw new Error(request.reason);
  assert.equal(evaluatePolicy(closed, { subject: { user: 'd', groups: ['dev'] }, connection: 'prod', request }).effect, 'deny');
});

test('evaluatePolicy: an approval guardrail names its approvers (a single-command review); a role that needs approval does not', () => {
  const decide = (who: string, groups: string[], path: string): PolicyDecision => {
    const request = classifyRequest('GET', path);
    if ('refused' in request) throw new Error(request.reason);
    return evaluatePolicy(policy, { subject: { user: who, groups }, connection: 'prod', request });
  };
  assert.deepEqual(decide('sam', ['sre'], '/api/v1/namespaces/demo/pods/p/exec?command=sh').review, {
    guardrail: 'prod-exec-review',
    approvers: ['sre'],
    minApprovals: 1,
  });
  assert.equal(decide('dave', ['dev'], '/api/v1/pods').review, undefined);
});

test('evaluatePolicy: every refusal that a bound role could lift names the role and how to get it (--reason when only behind approval)', () => {
  const subjects = [
    { user: 'dave', groups: ['dev'] },
    { user: 'carol', groups: [] },
    { user: 'erin', groups: ['auditor'] },
    { user: 'sam', groups: ['sre'] },
    { user: 'rita', groups: ['dev', 'auditor'] },
  ];
  const requests = [
    ['GET', '/api/v1/namespaces/demo/pods'],
    ['GET', '/api/v1/namespaces/other/pods'],
    ['GET', '/api/v1/pods'],
    ['DELETE', '/api/v1/namespaces/demo/pods/p'],
    ['POST', '/api/v1/namespaces/demo/pods/p/exec'],
    ['GET', '/api/v1/namespaces/demo/pods/p/status'],
    ['PATCH', '/apis/apps/v1/namespaces/team-a/deployments/web/scale'],
    ['GET', '/api/v1/nodes'],
    ['GET', '/api/v1/namespaces/demo/secrets/s'],
    ['GET', '/api/v1/secrets'],
    ['DELETE', '/api/v1/namespaces/demo/configmaps/tmp-1'],
    ['GET', '/metrics'],
    ['GET', '/api/v1/namespaces/kube-system/secrets/x'],
    ['DELETE', '/api/v1/namespaces/demo'],
  ] as const;
  const decide = (subject: { user: string; groups: string[] }, method: string, path: string, role?: string, namespaces?: string[]): PolicyDecision => {
    const request = classifyRequest(method, path);
    if ('refused' in request) throw new Error(request.reason);
    return evaluatePolicy(policy, {
      subject,
      connection: 'prod',
      ...(role === undefined ? {} : { role }),
      ...(namespaces === undefined ? {} : { namespaces }),
      request,
    });
  };
  // A fresh session with that role (or the default roles) may do it, perhaps after a single-command review.
  const lifts = (d: PolicyDecision): boolean => d.effect === 'allow' || d.review !== undefined;
  let refusedWithRemedy = 0;
  for (const subject of subjects) {
    const bound = rolesFor(policy, subject, 'prod');
    const onlyBehindApproval = (r: string): boolean => bound.find((b) => b.name === r)?.approval === true;
    for (const role of [undefined, 'admin', ...new Set(bound.map((b) => b.name))]) {
      for (const ns of [undefined, ['demo'], ['team-a']]) {
        for (const [method, path] of requests) {
          const d = decide(subject, method, path, role, ns);
          if (lifts(d) || d.rule.startsWith('guardrails[')) continue;
          const label = `${subject.user}/${role ?? '-'} -n ${ns?.join(',') ?? '-'} ${method} ${path}: ${JSON.stringify(d)}`;
          const helpers = bound.filter((b) => lifts(decide(subject, method, path, b.name)));
          if (helpers.length === 0 && d.rule !== 'session.namespaces') {
            assert.equal(d.hint === undefined || d.hint === 'hoopctl connect prod', true, label);
            continue;
          }
          if (helpers.length === 0) continue;
          refusedWithRemedy++;
          const m = /^hoopctl connect prod(?: --role (\S+))?(?: --namespace (\S+))?( --reason "…")?(?: \(without --namespace\))?$/.exec(d.hint ?? '');
          assert.ok(m, label);
          const [, named, namespace, reason] = m;
          if (named === undefined) {
            assert.ok(lifts(decide(subject, method, path, undefined, namespace === undefined ? undefined : [namespace])), `the default roles do it: ${label}`);
          } else {
            assert.ok(lifts(decide(subject, method, path, named, namespace === undefined ? undefined : [namespace])), `role ${named} does it: ${label}`);
            assert.equal(reason !== undefined, onlyBehindApproval(named), `--reason exactly when ${named} needs approval: ${label}`);
          }
          if (helpers.every((b) => b.approval)) assert.ok(reason !== undefined, `only roles behind approval help: ${label}`);
        }
      }
    }
  }
  assert.ok(refusedWithRemedy >= 30, `${refusedWithRemedy} refusals with a remedy`);
});
