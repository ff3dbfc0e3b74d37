import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from '../errors.js';
import { checkPolicyFile } from './policy-check.js';

const files = new Map<string, string>([
  [
    'bare.yaml',
    `
roles:
  - name: view
    rules: [{ verbs: [get], resources: [pods] }]
bindings:
  - { groups: [dev], connections: ['*'], roles: [view] }
guardrails:
  - { name: g, match: { resources: [namespaces], verbs: [delete] }, effect: deny }
`,
  ],
  [
    '/etc/hoop/gateway.yaml',
    `
listen: 127.0.0.1:8080
connections: [{ name: prod }]
policy:
  roles:
    - name: view
      rules: [{ verbs: [get], resources: [pods] }]
    - name: edit
      rules: [{ verbs: ['*'], resources: [pods] }]
  bindings:
    - { groups: [dev], connections: [prod], roles: [view] }
    - { groups: [dev], connections: [prod], roles: [edti] }
`,
  ],
  [
    'slow-pattern.yaml',
    `
roles:
  - name: view
    rules: [{ verbs: [get], resources: [pods] }]
bindings:
  - { groups: [dev], connections: ['*'], roles: [view] }
masking:
  valuePatterns: ['acme_[0-9a-f]{32}', '/corp-[a-z]+-key/i', '(?<=password=)\\S+']
`,
  ],
  [
    '/etc/hoop/ok-policy.yaml',
    `
oidc: { issuers: [{ issuer: 'http://127.0.0.1:9000', clientId: hoopctl }] }
connections: [{ name: prod, server: 'https://10.0.0.1:6443', credential: { tokenFile: ./missing.token } }]
policy:
  roles: [{ name: view, rules: [{ verbs: [get], resources: [pods] }] }]
  bindings: [{ groups: [dev], connections: [prod], roles: [view] }]
`,
  ],
  ['broken.yaml', 'roles: [\n'],
  ['other.yaml', 'listen: 127.0.0.1:8080\n'],
  ['list.yaml', '- a\n'],
]);
const deps = {
  readFile: async (path: string): Promise<string> => {
    const text = files.get(path);
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  },
};

test('checkPolicyFile summarises a valid bare policy', async () => {
  assert.deepEqual(await checkPolicyFile(deps, 'bare.yaml'), { roles: 1, bindings: 1, guardrails: 1, wholeConfig: false });
});

test('checkPolicyFile checks the whole gateway config, as gateway serve would (a good policy in a bad config fails)', async () => {
  await assert.rejects(
    checkPolicyFile(deps, '/etc/hoop/ok-policy.yaml'),
    (e: unknown) =>
      isHoopError(e, 'config_invalid') && e.message.includes('connections[0].credential.tokenFile') && e.message.includes('/etc/hoop/missing.token'),
  );
  files.set('/etc/hoop/missing.token', 'tok\n');
  assert.deepEqual(await checkPolicyFile(deps, '/etc/hoop/ok-policy.yaml'), { roles: 1, bindings: 1, guardrails: 0, wholeConfig: true });
});

test("checkPolicyFile: a gateway config reports every mistake at once, the policy's under policy.", async () => {
  await assert.rejects(checkPolicyFile(deps, '/etc/hoop/gateway.yaml'), (e: unknown) => {
    assert.ok(isHoopError(e, 'config_invalid'));
    assert.deepEqual(e.message.split('\n').sort(), [
      '/etc/hoop/gateway.yaml: connections[0].credential: is required (kubeconfig, inCluster or tokenFile)',
      '/etc/hoop/gateway.yaml: oidc: is required (oidc.issuers)',
      '/etc/hoop/gateway.yaml: policy.bindings[1].roles[0]: role "edti" is not defined (roles: view, edit)',
    ]);
    return true;
  });
});

test('checkPolicyFile: unreadable, invalid YAML and unrelated files are config_invalid naming the file', async () => {
  for (const file of ['missing.yaml', 'broken.yaml', 'other.yaml', 'list.yaml']) {
    await assert.rejects(checkPolicyFile(deps, file), (e: unknown) => isHoopError(e, 'config_invalid') && e.message.startsWith(`${file}: `), file);
  }
});

test('checkPolicyFile: a masking pattern that is not linear-time is refused with its path, as at gateway start', async () => {
  await assert.rejects(
    checkPolicyFile(deps, 'slow-pattern.yaml'),
    (e: unknown) => isHoopError(e, 'config_invalid') && e.message === 'slow-pattern.yaml: masking.valuePatterns[2]: not linear-time (look-behind)',
  );
});
