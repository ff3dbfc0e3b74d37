import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from '../errors.js';
import { compilePolicy } from './compile-policy.js';

const view = { name: 'view', rules: [{ verbs: ['get'], resources: ['pods'] }] };
const edit = { name: 'edit', rules: [{ verbs: ['*'], resources: ['pods'] }] };
const bind = { groups: ['dev'], connections: ['*'], roles: ['view'] };
const withRole = (rule: unknown): unknown => ({ roles: [view, { name: 'r', rules: [rule] }] });
const withBinding = (b: unknown): unknown => ({ roles: [view, edit], bindings: [bind, bind, b] });
const withGuardrail = (g: unknown): unknown => ({ roles: [view], guardrails: [g] });
const guard = { name: 'g', match: { resources: ['namespaces'] }, effect: 'deny' };

/** [label, raw policy, the exact message after "gw.yaml: "] */
const errors: [string, unknown, string][] = [
  ['binding to a missing role', withBinding({ ...bind, roles: ['edti'] }), 'policy.bindings[2].roles[0]: role "edti" is not defined (roles: view, edit)'],
  [
    'unknown verb',
    withRole({ verbs: ['get', 'frob'], resources: ['pods'] }),
    'policy.roles[1].rules[0].verbs[1]: unknown verb "frob" (verbs: get, list, watch, create, update, patch, delete, deletecollection, or "*")',
  ],
  [
    'exec is not a verb',
    withRole({ verbs: ['exec'], resources: ['pods'] }),
    'policy.roles[1].rules[0].verbs[0]: "exec" is not a verb: grant verb "create" on resource "pods/exec"',
  ],
  [
    'logs is not a verb',
    withRole({ verbs: ['logs'], resources: ['pods'] }),
    'policy.roles[1].rules[0].verbs[0]: "logs" is not a verb: grant verb "get" on resource "pods/log"',
  ],
  [
    'HTTP verb on a resource rule',
    withRole({ verbs: ['post'], resources: ['pods'] }),
    'policy.roles[1].rules[0].verbs[0]: unknown verb "post" (verbs: get, list, watch, create, update, patch, delete, deletecollection, or "*")',
  ],
  [
    'kube verb on a non-resource rule',
    withRole({ verbs: ['list'], nonResourceURLs: ['/metrics'] }),
    'policy.roles[1].rules[0].verbs[0]: unknown verb "list" (verbs: get, head, post, put, patch, delete, options, or "*")',
  ],
  ['empty rule', withRole({}), 'policy.roles[1].rules[0]: empty rule: give verbs and resources (or nonResourceURLs)'],
  ['empty verbs', withRole({ verbs: [], resources: ['pods'] }), 'policy.roles[1].rules[0].verbs: must not be empty'],
  ['missing verbs', withRole({ resources: ['pods'] }), 'policy.roles[1].rules[0].verbs: is required'],
  ['empty resources', withRole({ verbs: ['get'], resources: [] }), 'policy.roles[1].rules[0].resources: must not be empty'],
  ['missing resources', withRole({ verbs: ['get'] }), 'policy.roles[1].rules[0].resources: is required (or nonResourceURLs)'],
  [
    'resources and nonResourceURLs',
    withRole({ verbs: ['get'], resources: ['pods'], nonResourceURLs: ['/x'] }),
    'policy.roles[1].rules[0]: a rule has either resources or nonResourceURLs, not both',
  ],
  [
    'namespaces on a non-resource rule',
    withRole({ verbs: ['get'], nonResourceURLs: ['/x'], namespaces: ['*'] }),
    'policy.roles[1].rules[0].namespaces: does not apply to nonResourceURLs',
  ],
  [
    'non-resource URL without slash',
    withRole({ verbs: ['get'], nonResourceURLs: ['metrics'] }),
    'policy.roles[1].rules[0].nonResourceURLs[0]: "metrics" must start with "/"',
  ],
  [
    'star inside a pattern',
    withRole({ verbs: ['get'], resources: ['p*ds'] }),
    'policy.roles[1].rules[0].resources[0]: bad pattern: "p*ds": "*" may only stand alone or end a prefix (like "team-*")',
  ],
  [
    'bad namespace pattern',
    withRole({ verbs: ['get'], resources: ['pods'], namespaces: ['*-prod'] }),
    'policy.roles[1].rules[0].namespaces[0]: bad pattern: "*-prod": "*" may only stand alone or end a prefix (like "team-*")',
  ],
  [
    'two slashes',
    withRole({ verbs: ['get'], resources: ['pods/exec/x'] }),
    'policy.roles[1].rules[0].resources[0]: bad pattern: "pods/exec/x" has more than one "/" (resource/subresource)',
  ],
  ['empty subresource', withRole({ verbs: ['get'], resources: ['pods/'] }), 'policy.roles[1].rules[0].resources[0]: bad pattern: "pods/": is empty'],
  [
    'star before the subresource slash only',
    withRole({ verbs: ['get'], resources: ['pods/s*b'] }),
    'policy.roles[1].rules[0].resources[0]: bad pattern: "pods/s*b": "s*b": "*" may only stand alone or end a prefix (like "team-*")',
  ],
  ['empty resource pattern', withRole({ verbs: ['get'], resources: [''] }), 'policy.roles[1].rules[0].resources[0]: bad pattern: is empty'],
  [
    'typo in a rule key',
    withRole({ verbs: ['get'], resouces: ['pods'] }),
    'policy.roles[1].rules[0].resouces: unknown key (expected one of: verbs, apiGroups, resources, namespaces, resourceNames, nonResourceURLs)',
  ],
  ['verbs not a list', withRole({ verbs: 'get', resources: ['pods'] }), 'policy.roles[1].rules[0].verbs: must be a list, got "get"'],
  ['verb not a string', withRole({ verbs: [1], resources: ['pods'] }), 'policy.roles[1].rules[0].verbs[0]: must be a string, got number 1'],
  ['duplicate role names', { roles: [view, edit, { ...edit, name: 'view' }] }, 'policy.roles[2].name: role "view" is defined twice (first at policy.roles[0])'],
  ['role without rules', { roles: [{ name: 'x', rules: [] }] }, 'policy.roles[0].rules: must not be empty'],
  [
    'role name with spaces',
    { roles: [{ name: 'my role', rules: view.rules }] },
    "policy.roles[0].name: \"my role\" must be lower-case letters, digits, '-', '.' or '_'",
  ],
  [
    'approval without approvers',
    withBinding({ ...bind, approval: true }),
    'policy.bindings[2].approvers: is required when approval is asked for (the groups that may approve)',
  ],
  [
    'approvers without approval',
    withBinding({ ...bind, approvers: ['sre'] }),
    'policy.bindings[2].approvers: only goes with approval (no approval is asked for here)',
  ],
  [
    'approver pattern',
    withBinding({ ...bind, approval: true, approvers: ['sre-*'] }),
    'policy.bindings[2].approvers[0]: "sre-*" must be a group name (no patterns)',
  ],
  [
    'approver group that can never log in',
    withBinding({ ...bind, approval: true, approvers: ['sre', 'system:masters'] }),
    'policy.bindings[2].approvers[1]: "system:masters" can never approve: logins with system: groups are refused by the gateway',
  ],
  [
    'approver group listed twice',
    withGuardrail({ ...guard, effect: 'approval', approvers: ['sre', 'sre'] }),
    'policy.guardrails[0].approvers[1]: "sre" is listed twice',
  ],
  [
    'minApprovals zero',
    withBinding({ ...bind, approval: true, approvers: ['sre'], minApprovals: 0 }),
    'policy.bindings[2].minApprovals: must be an integer of at least 1',
  ],
  ['binding for nobody', withBinding({ connections: ['*'], roles: ['view'] }), 'policy.bindings[2]: needs groups or users (whom the binding applies to)'],
  ['binding without connections', withBinding({ groups: ['dev'], roles: ['view'] }), 'policy.bindings[2].connections: is required (names, or ["*"])'],
  ['binding with empty roles', withBinding({ ...bind, roles: [] }), 'policy.bindings[2].roles: must not be empty'],
  ['bad maxTtl', withBinding({ ...bind, maxTtl: '1 hour' }), 'policy.bindings[2].maxTtl: invalid duration "1 hour": expected numbers followed by h, m or s'],
  ['maxTtl under a minute', withBinding({ ...bind, maxTtl: '30s' }), 'policy.bindings[2].maxTtl: must be at least 1m (sessions are never shorter)'],
  ['approval not a boolean', withBinding({ ...bind, approval: 'yes' }), 'policy.bindings[2].approval: must be true or false, got "yes"'],
  ['bad effect', withGuardrail({ ...guard, effect: 'block' }), 'policy.guardrails[0].effect: "block" is not one of: deny, approval'],
  ['guardrail without match', withGuardrail({ name: 'g', effect: 'deny' }), 'policy.guardrails[0].match: is required'],
  ['empty guardrail match', withGuardrail({ ...guard, match: {} }), 'policy.guardrails[0].match: empty match: it would match every request'],
  [
    'guardrail approval without approvers',
    withGuardrail({ ...guard, effect: 'approval' }),
    'policy.guardrails[0].approvers: is required when approval is asked for (the groups that may approve)',
  ],
  [
    'guardrail with an unknown verb',
    withGuardrail({ ...guard, match: { verbs: ['remove'] } }),
    'policy.guardrails[0].match.verbs[0]: unknown verb "remove" (verbs: get, list, watch, create, update, patch, delete, deletecollection, or "*")',
  ],
  [
    'duplicate guardrail names',
    { roles: [view], guardrails: [guard, guard] },
    'policy.guardrails[1].name: guardrail "g" is defined twice (first at guardrails[0])',
  ],
  ['unknown top-level key', { roles: [view], rules: [] }, 'policy.rules: unknown key (expected one of: roles, bindings, guardrails, defaults, masking)'],
  ['defaults typo', { roles: [view], defaults: { discover: true } }, 'policy.defaults.discover: unknown key (expected one of: discovery)'],
  ['policy not a mapping', ['roles'], 'policy: must be a mapping, got a list'],
];

test('compilePolicy: every error names the file, the exact path and the reason', () => {
  for (const [label, raw, message] of errors) {
    assert.throws(
      () => compilePolicy(raw, { file: 'gw.yaml', basePath: 'policy' }),
      (e: unknown) => {
        assert.ok(isHoopError(e, 'config_invalid'), label);
        assert.equal(e.message, `gw.yaml: ${message}`, label);
        return true;
      },
      label,
    );
  }
});

test('compilePolicy: a bare policy file has paths without a base', () => {
  assert.throws(
    () => compilePolicy(withBinding({ ...bind, roles: ['nope'] }), { file: 'p.yaml', basePath: '' }),
    (e: unknown) => isHoopError(e, 'config_invalid') && e.message === 'p.yaml: bindings[2].roles[0]: role "nope" is not defined (roles: view, edit)',
  );
});

test('compilePolicy: defaults and compiled shape', () => {
  const p = compilePolicy(
    {
      roles: [view, { name: 'm', rules: [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }] }],
      bindings: [{ users: ['alice'], connections: ['prod'], roles: ['view', 'm'], approval: true, approvers: ['sre'], maxTtl: '1h30m' }],
      guardrails: [guard],
    },
    { file: 'p.yaml', basePath: '' },
  );
  assert.equal(p.discovery, true);
  assert.equal(p.roles.length, 2);
  assert.equal(p.rolesByName.get('m')?.rules[0]?.kind, 'nonResource');
  assert.deepEqual(
    { ...p.bindings[0], users: undefined, groups: undefined, connections: undefined },
    {
      index: 0,
      users: undefined,
      groups: undefined,
      connections: undefined,
      roles: ['view', 'm'],
      approval: true,
      approvers: ['sre'],
      minApprovals: 1,
      maxTtlSeconds: 5400,
    },
  );
  assert.equal(p.guardrails[0]?.effect, 'deny');
  const empty = compilePolicy({}, { file: 'p.yaml', basePath: '' });
  assert.deepEqual([empty.roles, empty.bindings, empty.guardrails], [[], [], []]);
});
