import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy } from './compile-policy.js';
import { inApproverGroups, sessionApprovalFor } from './session-approval.js';

const policy = compilePolicy(
  {
    roles: [
      { name: 'view', rules: [{ verbs: ['get'], resources: ['pods'] }] },
      { name: 'edit', rules: [{ verbs: ['*'], resources: ['pods'] }] },
    ],
    bindings: [
      { groups: ['dev'], connections: ['*'], roles: ['view'] },
      { groups: ['dev'], connections: ['prod'], roles: ['edit'], approval: true, approvers: ['sre', 'leads'], minApprovals: 2 },
      { groups: ['dev'], connections: ['*'], roles: ['edit'], approval: true, approvers: ['ops'] },
      { groups: ['sre'], connections: ['*'], roles: ['edit'] },
    ],
  },
  { file: 'p.yaml', basePath: '' },
);

test('sessionApprovalFor: the first approval binding that grants the role decides; a direct grant needs none', () => {
  assert.deepEqual(sessionApprovalFor(policy, { user: 'a', groups: ['dev'] }, 'prod', 'edit'), {
    rule: 'bindings[1]',
    approvers: ['sre', 'leads'],
    minApprovals: 2,
  });
  assert.deepEqual(sessionApprovalFor(policy, { user: 'a', groups: ['dev'] }, 'staging', 'edit'), { rule: 'bindings[2]', approvers: ['ops'], minApprovals: 1 });
  assert.equal(sessionApprovalFor(policy, { user: 'a', groups: ['dev'] }, 'prod', 'view'), undefined);
  assert.equal(sessionApprovalFor(policy, { user: 's', groups: ['sre', 'dev'] }, 'prod', 'edit'), undefined);
  assert.equal(sessionApprovalFor(policy, { user: 'x', groups: ['nobody'] }, 'prod', 'edit'), undefined);
});

test('inApproverGroups: any one group is enough', () => {
  assert.equal(inApproverGroups(['sre', 'leads'], ['dev', 'leads']), true);
  assert.equal(inApproverGroups(['sre'], ['dev']), false);
  assert.equal(inApproverGroups(['sre'], []), false);
});
