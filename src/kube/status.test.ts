import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { classifyRequest } from './request-info.js';
import { badRequestStatus, buildStatus, forbiddenStatus, notFoundStatus, unauthorizedStatus } from './status.js';
import type { KubeStatus, RequestInfo } from './types.js';

const errorsDir = resolve(import.meta.dirname, '../../test/fixtures/kube-apiserver-1.32/bodies/errors');
const fixture = (name: string): unknown => (JSON.parse(readFileSync(resolve(errorsDir, name), 'utf8')) as { body: unknown }).body;
const info = (method: string, target: string): RequestInfo => {
  const got = classifyRequest(method, target);
  if ('refused' in got) throw new Error(got.reason);
  return got;
};

test('Status bodies match the recorded kube-apiserver 1.32 bodies byte for byte', () => {
  const cases: [fixture: string, built: KubeStatus][] = [
    ['403-forbidden-impersonated-delete.json', forbiddenStatus(info('DELETE', '/api/v1/namespaces/demo/configmaps/app-config'), 'alice', '')],
    ['403-forbidden-impersonated-list-secrets.json', forbiddenStatus(info('GET', '/api/v1/namespaces/demo/secrets?limit=500'), 'alice', '')],
    ['401-unauthorized.json', unauthorizedStatus()],
    ['404-secret-not-found.json', notFoundStatus({ resource: 'secrets', name: 'missing' })],
    ['404-namespace-not-found.json', notFoundStatus({ resource: 'namespaces', name: 'nosuchns' })],
    ['404-unknown-resource.json', notFoundStatus()],
    ['400-exec-pod-without-host.json', badRequestStatus('pod p does not have a host assigned')],
    [
      '400-malformed-json-body.json',
      badRequestStatus(
        "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: invalid character 'n' looking for beginning of object key string ({not json)",
      ),
    ],
    [
      '403-namespace-terminating.json',
      buildStatus(403, 'Forbidden', 'secrets "applied-secret" is forbidden: unable to create new content in namespace demo because it is being terminated', {
        name: 'applied-secret',
        kind: 'secrets',
        causes: [{ reason: 'NamespaceTerminating', message: 'namespace demo is being terminated', field: 'metadata.namespace' }],
      }),
    ],
  ];
  for (const [name, built] of cases) {
    assert.equal(JSON.stringify(built), JSON.stringify(fixture(name)), name);
  }
});

test('forbiddenStatus wording follows kube for groups, scopes, subresources and non-resource URLs', () => {
  const cases: [method: string, target: string, why: string, message: string, details: KubeStatus['details']][] = [
    [
      'DELETE',
      '/api/v1/namespaces/demo/pods/x',
      'guardrail "g"',
      'pods "x" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "demo": guardrail "g"',
      { name: 'x', kind: 'pods' },
    ],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/demo/deployments/web',
      'no',
      'deployments.apps "web" is forbidden: User "alice" cannot patch resource "deployments" in API group "apps" in the namespace "demo": no',
      { name: 'web', group: 'apps', kind: 'deployments' },
    ],
    ['GET', '/api/v1/nodes', 'no', 'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope: no', { kind: 'nodes' }],
    [
      'DELETE',
      '/api/v1/namespaces/demo',
      'no',
      'namespaces "demo" is forbidden: User "alice" cannot delete resource "namespaces" in API group "" in the namespace "demo": no',
      { name: 'demo', kind: 'namespaces' },
    ],
    [
      'GET',
      '/api/v1/namespaces/demo/pods/p/exec?command=sh',
      'no',
      'pods "p" is forbidden: User "alice" cannot create resource "pods/exec" in API group "" in the namespace "demo": no',
      { name: 'p', kind: 'pods' },
    ],
    [
      'GET',
      '/api/v1/namespaces/demo/pods/p/log',
      'no',
      'pods "p" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "demo": no',
      { name: 'p', kind: 'pods' },
    ],
    ['GET', '/metrics', 'no', 'forbidden: User "alice" cannot get path "/metrics": no', {}],
  ];
  for (const [method, target, why, message, details] of cases) {
    const s = forbiddenStatus(info(method, target), 'alice', why);
    assert.equal(s.message, message, target);
    assert.deepEqual(s.details, details, target);
    assert.equal(s.code, 403);
    assert.equal(s.reason, 'Forbidden');
  }
});
