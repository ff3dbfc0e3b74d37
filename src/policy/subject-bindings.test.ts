import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy } from './compile-policy.js';
import { maxTtlFor, rolesFor } from './subject-bindings.js';

const rule = [{ verbs: ['get'], resources: ['pods'] }];
const policy = compilePolicy(
  {
    roles: ['view', 'edit', 'admin', 'ci'].map((name) => ({ name, rules: rule })),
    bindings: [
      { groups: ['dev'], connections: ['prod', 'staging'], roles: ['view'], maxTtl: '1h' },
      { groups: ['dev'], connections: ['*'], roles: ['edit'], approval: true, approvers: ['sre'], maxTtl: '30m' },
      { users: ['alice'], connections: ['prod'], roles: ['edit'], maxTtl: '2h' },
      { groups: ['sre'], connections: ['prod*'], roles: ['admin', 'view'] },
      { groups: ['dev'], connections: ['staging'], roles: ['view'], maxTtl: '4h' },
    ],
  },
  { file: 'p.yaml', basePath: '' },
);

test('rolesFor: roles on a connection, approval only when no binding grants the role directly', () => {
  const cases: [user: string, groups: string[], conn: string, roles: { name: string; approval: boolean }[]][] = [
    [
      'bob',
      ['dev'],
      'prod',
      [
        { name: 'view', approval: false },
        { name: 'edit', approval: true },
      ],
    ],
    ['bob', ['dev'], 'dev', [{ name: 'edit', approval: true }]],
    [
      'alice',
      ['dev'],
      'prod',
      [
        { name: 'view', approval: false },
        { name: 'edit', approval: false },
      ],
    ],
    [
      'sam',
      ['sre'],
      'prod-eu',
      [
        { name: 'admin', approval: false },
        { name: 'view', approval: false },
      ],
    ],
    ['sam', ['sre'], 'staging', []],
    ['eve', [], 'prod', []],
  ];
  for (const [user, groups, conn, roles] of cases) assert.deepEqual(rolesFor(policy, { user, groups }, conn), roles, `${user}@${conn}`);
});

test('maxTtlFor: the most generous granting binding; undefined when one sets no limit or none grants', () => {
  const cases: [user: string, groups: string[], conn: string, role: string | undefined, ttl: number | undefined][] = [
    ['bob', ['dev'], 'prod', undefined, 3600],
    ['bob', ['dev'], 'staging', undefined, 4 * 3600],
    ['bob', ['dev'], 'prod', 'edit', 1800],
    ['alice', ['dev'], 'prod', 'edit', 2 * 3600],
    ['bob', ['dev'], 'prod', 'view', 3600],
    ['sam', ['sre'], 'prod', 'admin', undefined],
    ['sam', ['sre', 'dev'], 'prod', 'view', undefined],
    ['eve', [], 'prod', undefined, undefined],
    ['bob', ['dev'], 'prod', 'ci', undefined],
  ];
  for (const [user, groups, conn, role, ttl] of cases) assert.equal(maxTtlFor(policy, { user, groups }, conn, role), ttl, `${user}@${conn}/${role}`);
});
