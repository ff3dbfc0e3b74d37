import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from '../errors.js';
import { explainRequest } from './policy-explain.js';

const policyYaml = `
policy:
  roles:
    - name: view
      rules: [{ verbs: [get, list, watch], resources: [pods, pods/log], namespaces: [demo] }]
    - name: edit
      rules:
        - { verbs: ['*'], apiGroups: ['', apps], resources: [pods, deployments, namespaces] }
        - { verbs: [create], resources: [pods/exec] }
  bindings:
    - { groups: [dev], connections: [prod], roles: [view] }
    - { groups: [dev], connections: [prod], roles: [edit], approval: true, approvers: [sre] }
  guardrails:
    - name: no-namespace-deletion
      match: { verbs: [delete], resources: [namespaces] }
      effect: deny
      message: namespaces are never deleted through hoopctl
`;
const deps = { readFile: async (path: string): Promise<string> => (path === 'gw.yaml' ? policyYaml : Promise.reject(new Error('ENOENT'))) };
const who = { file: 'gw.yaml', user: 'alice', groups: ['dev'], connection: 'prod' };

test('explainRequest: kubectl words and method + path', async () => {
  const cases: [
    input: { kubectl: string[]; role?: string; sessionNamespace?: string } | { method: string; path: string },
    effect: string,
    rule: string,
    verb: string,
  ][] = [
    [{ kubectl: ['get', 'pods', '-n', 'other'], role: 'edit', sessionNamespace: 'demo' }, 'deny', 'session.namespaces', 'list'],
    [{ kubectl: ['get', 'pods', '-n', 'demo'], role: 'edit', sessionNamespace: 'demo' }, 'allow', 'bindings[1] → roles[1] (edit).rules[0]', 'list'],
    [{ kubectl: ['get', 'pods', '-n', 'demo'] }, 'allow', 'bindings[0] → roles[0] (view).rules[0]', 'list'],
    [{ kubectl: ['logs', 'web', '-n', 'demo'] }, 'allow', 'bindings[0] → roles[0] (view).rules[0]', 'get'],
    [{ kubectl: ['delete', 'namespace', 'x'] }, 'deny', 'guardrails[0] (no-namespace-deletion)', 'delete'],
    [{ kubectl: ['exec', '-n', 'demo', 'web', '--', 'sh'] }, 'approval', 'bindings[1] → roles[1] (edit).rules[1]', 'get'],
    [{ kubectl: ['exec', '-n', 'demo', 'web', '--', 'sh'], role: 'edit' }, 'allow', 'bindings[1] → roles[1] (edit).rules[1]', 'get'],
    [{ method: 'get', path: '/api/v1/namespaces/demo/pods?watch=1' }, 'allow', 'bindings[0] → roles[0] (view).rules[0]', 'watch'],
    [{ method: 'GET', path: '/version' }, 'allow', 'defaults.discovery', 'get'],
    // The gateway answers auth whoami / can-i itself, whatever the role.
    [{ kubectl: ['auth', 'whoami'] }, 'allow', 'gateway:self-review', 'create'],
    [{ kubectl: ['auth', 'can-i', 'delete', 'namespaces'] }, 'allow', 'gateway:self-review', 'create'],
  ];
  for (const [input, effect, rule, verb] of cases) {
    const got = await explainRequest(deps, { ...who, ...input });
    assert.equal(got.decision.effect, effect, JSON.stringify(input));
    assert.equal(got.decision.rule, rule, JSON.stringify(input));
    assert.equal(got.request.verb, verb, JSON.stringify(input));
  }
  const exec = await explainRequest(deps, { ...who, kubectl: ['exec', '-n', 'demo', 'web', '--', 'sh'] });
  assert.equal(exec.decision.hint, 'hoopctl connect prod --role edit --reason "…"');
  assert.equal(exec.request.execClass, true);
});

test('explainRequest: a non-canonical path or untranslatable words are usage errors; a bad file is config_invalid', async () => {
  await assert.rejects(explainRequest(deps, { ...who, method: 'GET', path: '/api/v1/namespaces/demo/../x/pods' }), (e: unknown) => isHoopError(e, 'usage'));
  await assert.rejects(explainRequest(deps, { ...who, kubectl: ['apply', '-f', 'x.yaml'] }), (e: unknown) => isHoopError(e, 'usage'));
  await assert.rejects(explainRequest(deps, { ...who, file: 'nope.yaml', method: 'GET', path: '/version' }), (e: unknown) => isHoopError(e, 'config_invalid'));
});
