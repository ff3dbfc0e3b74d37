import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRequest } from '../kube/request-info.js';
import { compilePolicy } from './compile-policy.js';
import { ruleMatches } from './match-rule.js';

const ruleFor = (rule: Record<string, unknown>) => {
  const p = compilePolicy({ roles: [{ name: 'r', rules: [rule] }] }, { file: 'p.yaml', basePath: '' });
  const compiled = p.roles[0]?.rules[0];
  if (compiled === undefined) throw new Error('no rule');
  return compiled;
};

test('ruleMatches: resource patterns, groups, namespaces', () => {
  const cases: [rule: Record<string, unknown>, method: string, path: string, matches: boolean][] = [
    [{ verbs: ['get'], resources: ['pods'] }, 'GET', '/api/v1/namespaces/a/pods/p', true],
    [{ verbs: ['get'], resources: ['pods'] }, 'GET', '/api/v1/namespaces/a/pods/p/log', false],
    [{ verbs: ['get'], resources: ['pods/*'] }, 'GET', '/api/v1/namespaces/a/pods/p/log', true],
    [{ verbs: ['get'], resources: ['pods/*'] }, 'GET', '/api/v1/namespaces/a/pods/p', false],
    [{ verbs: ['get'], resources: ['pods/log'] }, 'GET', '/api/v1/namespaces/a/pods/p/log', true],
    [{ verbs: ['patch'], apiGroups: ['apps'], resources: ['*/scale'] }, 'PATCH', '/apis/apps/v1/namespaces/a/deployments/d/scale', true],
    [{ verbs: ['patch'], apiGroups: ['apps'], resources: ['*/scale'] }, 'PATCH', '/apis/apps/v1/namespaces/a/deployments/d', false],
    [{ verbs: ['get'], resources: ['config*'] }, 'GET', '/api/v1/namespaces/a/configmaps/c', true],
    [{ verbs: ['get'], resources: ['config*'] }, 'GET', '/api/v1/namespaces/a/secrets/c', false],
    [{ verbs: ['*'], resources: ['*'] }, 'POST', '/api/v1/namespaces/a/pods/p/exec', true],
    [{ verbs: ['get'], resources: ['*'] }, 'GET', '/api/v1/namespaces/a/pods/p/exec', false],
    [{ verbs: ['create'], resources: ['pods/exec'] }, 'GET', '/api/v1/namespaces/a/pods/p/exec', true],
    [{ verbs: ['create'], resources: ['*/proxy'] }, 'GET', '/api/v1/nodes/n/proxy/stats', true],
    [{ verbs: ['get'], resources: ['pods'] }, 'GET', '/apis/apps/v1/namespaces/a/pods/p', true],
    [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, 'GET', '/apis/example.com/v1/namespaces/a/pods/p', false],
    [{ verbs: ['list'], apiGroups: ['rbac.*'], resources: ['*'] }, 'GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles', true],
    [{ verbs: ['list'], resources: ['nodes'], namespaces: ['team-*'] }, 'GET', '/api/v1/nodes', false],
    [{ verbs: ['list'], resources: ['nodes'], namespaces: [''] }, 'GET', '/api/v1/nodes', true],
    [{ verbs: ['list'], resources: ['nodes'] }, 'GET', '/api/v1/nodes', true],
    [{ verbs: ['list'], resources: ['pods'], namespaces: [''] }, 'GET', '/api/v1/namespaces/a/pods', false],
    [{ verbs: ['get'], resources: ['pods'], resourceNames: [] }, 'GET', '/api/v1/namespaces/a/pods/p', true],
    [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }, 'GET', '/healthz', true],
    [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }, 'GET', '/healthz/etcd', false],
    [{ verbs: ['get'], nonResourceURLs: ['/api*'] }, 'GET', '/apis/apps', true],
    [{ verbs: ['get'], nonResourceURLs: ['*'] }, 'GET', '/api/v1/namespaces/a/pods', false],
  ];
  for (const [rule, method, path, expected] of cases) {
    const info = classifyRequest(method, path);
    if ('refused' in info) throw new Error(info.reason);
    assert.equal(ruleMatches(ruleFor(rule), info), expected, `${JSON.stringify(rule)} ${method} ${path}`);
  }
});
