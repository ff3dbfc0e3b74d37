import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRequest } from '../../kube/request-info.js';
import type { RequestInfo } from '../../kube/types.js';
import { maskedWriteStatus } from './mask-request.js';

const info = (method: string, path: string): RequestInfo => {
  const i = classifyRequest(method, path);
  if ('refused' in i) throw new Error(i.reason);
  return i;
};

test('maskedWriteStatus: kube NewInvalid shape, so kubectl prints "The <Kind> "<name>" is invalid: <field>: <message>"', () => {
  const s = maskedWriteStatus(info('PUT', '/api/v1/namespaces/demo/configmaps/app-cfg'), ['data.password']);
  assert.equal(s.code, 422);
  assert.equal(s.reason, 'Invalid');
  assert.deepEqual(Object.keys(s.details!), ['name', 'kind', 'causes']);
  assert.deepEqual([s.details!.kind, s.details!.name], ['ConfigMap', 'app-cfg']);
  assert.deepEqual(s.details!.causes!.map((c) => [c.reason, c.field]), [['FieldValueInvalid', 'data.password']]);
  assert.match(s.details!.causes![0]!.message, /^Invalid value: "\*\*hoopctl-masked\*\*": a value masked by hoopctl cannot be written back .*kubectl patch configmap app-cfg -n demo -p '\{"data":\{"password":"<value>"\}\}'$/);
  assert.ok(s.message.startsWith('ConfigMap "app-cfg" is invalid: data.password: Invalid value:'), s.message);
});

test('maskedWriteStatus: the command that works depends on kind and field; several fields are listed, the hint once', () => {
  const secret = maskedWriteStatus(info('PATCH', '/api/v1/namespaces/demo/secrets/db'), ['data.token', 'data.user']);
  assert.equal(secret.details!.kind, 'Secret');
  assert.equal(secret.details!.causes!.length, 2);
  assert.doesNotMatch(secret.details!.causes![0]!.message, /kubectl/);
  assert.match(secret.details!.causes![1]!.message, /kubectl create secret generic db -n demo --from-literal=token=<value> --dry-run=client -o yaml \| kubectl apply -f -/);
  assert.match(secret.message, /^Secret "db" is invalid: \[data\.token: .*, data\.user: .*\]$/);
  const ann = maskedWriteStatus(info('PATCH', '/api/v1/namespaces/demo/secrets/db'), ['metadata.annotations.kubectl.kubernetes.io/last-applied-configuration']);
  assert.match(ann.details!.causes![0]!.message, /apply your own manifest \(kubectl apply -n demo -f <your-file>\.yaml\)/);
  const dep = maskedWriteStatus(info('PUT', '/apis/apps/v1/namespaces/demo/deployments/web'), ['spec.template.spec.containers[0].env[1].value']);
  assert.deepEqual([dep.details!.kind, dep.details!.group], ['Deployment', 'apps']);
  assert.ok(dep.message.startsWith('Deployment.apps "web" is invalid'));
  assert.match(dep.details!.causes![0]!.message, /kubectl patch deployments web -n demo --type=json -p '\[\{"op":"replace","path":"\/spec\/template\/spec\/containers\/0\/env\/1\/value","value":"<value>"\}\]'/);
  const unknown = maskedWriteStatus(info('POST', '/api/v1/namespaces/demo/secrets'));
  assert.equal(unknown.details!.causes![0]!.field, '<request body>');
  assert.equal(unknown.details!.name, undefined);
});
