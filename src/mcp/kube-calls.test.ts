import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyCalls, listCall, logsCall, objectPath, scaleCall, statusMessage } from './kube-calls.js';
import { isHoopError } from '../errors.js';

test('paths of the calls follow the resource, group and namespace', () => {
  assert.equal(objectPath('deploy', 'web', 'demo'), '/apis/apps/v1/namespaces/demo/deployments/web');
  assert.equal(objectPath('ns', 'demo', undefined), '/api/v1/namespaces/demo');
  assert.deepEqual(listCall('pods', undefined, 'app=web'), { method: 'GET', path: '/api/v1/pods', query: { labelSelector: 'app=web' } });
  assert.equal(logsCall('p', 'demo', { tailLines: 5 }).path, '/api/v1/namespaces/demo/pods/p/log');
  assert.equal(scaleCall('deployments', 'web', 'demo', 2).body, '{"spec":{"replicas":2}}');
  assert.throws(
    () => objectPath('pods', '../secrets', 'demo'),
    (e: unknown) => isHoopError(e, 'usage'),
  );
  assert.throws(
    () => objectPath('pods', 'p', undefined),
    (e: unknown) => isHoopError(e, 'usage'),
  );
});

test('apply: one server-side apply PATCH per document, namespace filled in', () => {
  const calls = applyCalls(
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: x}\n',
    'demo',
  );
  assert.deepEqual(
    calls.map((c) => [c.call.method, c.call.path, c.call.contentType, c.call.query?.fieldManager]),
    [
      ['PATCH', '/api/v1/namespaces/demo/configmaps/a', 'application/apply-patch+yaml', 'hoopctl-mcp'],
      ['PATCH', '/apis/apps/v1/namespaces/x/deployments/d', 'application/apply-patch+yaml', 'hoopctl-mcp'],
    ],
  );
  assert.equal((JSON.parse(calls[0]!.call.body!) as { metadata: { namespace: string } }).metadata.namespace, 'demo');
  assert.throws(
    () => applyCalls('kind: ConfigMap', 'demo'),
    (e: unknown) => isHoopError(e, 'usage'),
  );
});

test('a Status answer yields its message', () => {
  assert.equal(statusMessage({ status: 403, contentType: 'application/json', text: '{"kind":"Status","message":"no"}' }), 'no');
  assert.equal(statusMessage({ status: 500, contentType: 'text/plain', text: 'boom' }), 'boom');
});
