import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRequest } from '../../kube/request-info.js';
import type { RequestInfo } from '../../kube/types.js';
import { DEFAULT_MASK_RULES } from '../../mask/mask-rules.js';
import {
  auditedRequestObject,
  MAX_YAML_BODY_BYTES,
  maskedWriteStatus,
  REQUEST_YAML_OPTIONS,
  unreadableYaml,
  writesMaskedValue,
  yamlBodyTooLarge,
  yamlTooLargeStatus,
} from './mask-request.js';

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
  assert.deepEqual(
    s.details!.causes!.map((c) => [c.reason, c.field]),
    [['FieldValueInvalid', 'data.password']],
  );
  assert.match(
    s.details!.causes![0]!.message,
    /^Invalid value: "\*\*hoopctl-masked\*\*": a value masked by hoopctl cannot be written back .*kubectl patch configmap app-cfg -n demo -p '\{"data":\{"password":"<value>"\}\}'$/,
  );
  assert.ok(s.message.startsWith('ConfigMap "app-cfg" is invalid: data.password: Invalid value:'), s.message);
});

test('maskedWriteStatus: the command that works depends on kind and field; several fields are listed, the hint once', () => {
  const secret = maskedWriteStatus(info('PATCH', '/api/v1/namespaces/demo/secrets/db'), ['data.token', 'data.user']);
  assert.equal(secret.details!.kind, 'Secret');
  assert.equal(secret.details!.causes!.length, 2);
  assert.doesNotMatch(secret.details!.causes![0]!.message, /kubectl/);
  assert.match(
    secret.details!.causes![1]!.message,
    /kubectl create secret generic db -n demo --from-literal=token=<value> --dry-run=client -o yaml \| kubectl apply -f -/,
  );
  assert.match(secret.message, /^Secret "db" is invalid: \[data\.token: .*, data\.user: .*\]$/);
  const ann = maskedWriteStatus(info('PATCH', '/api/v1/namespaces/demo/secrets/db'), ['metadata.annotations.kubectl.kubernetes.io/last-applied-configuration']);
  assert.match(ann.details!.causes![0]!.message, /apply your own manifest \(kubectl apply -n demo -f <your-file>\.yaml\)/);
  const dep = maskedWriteStatus(info('PUT', '/apis/apps/v1/namespaces/demo/deployments/web'), ['spec.template.spec.containers[0].env[1].value']);
  assert.deepEqual([dep.details!.kind, dep.details!.group], ['Deployment', 'apps']);
  assert.ok(dep.message.startsWith('Deployment.apps "web" is invalid'));
  assert.match(
    dep.details!.causes![0]!.message,
    /kubectl patch deployments web -n demo --type=json -p '\[\{"op":"replace","path":"\/spec\/template\/spec\/containers\/0\/env\/1\/value","value":"<value>"\}\]'/,
  );
  const unknown = maskedWriteStatus(info('POST', '/api/v1/namespaces/demo/secrets'));
  assert.equal(unknown.details!.causes![0]!.field, '<request body>');
  assert.equal(unknown.details!.name, undefined);
});

test('request YAML is read linearly and as kube-apiserver reads it: no duplicate-key check, `<<` merge keys honoured (attack findings 2, 9)', () => {
  assert.equal(REQUEST_YAML_OPTIONS.uniqueKeys, false);
  assert.equal(REQUEST_YAML_OPTIONS.merge, true);
  // An env entry spelled through a merge key: yaml.v2 (kube-apiserver) stores {name: DB_PASSWORD, value: …}, so the
  // audit record must mask the value by that name, not keep it under a `<<` key.
  const yaml = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: web, namespace: demo}',
    'x-base: &e {name: DB_PASSWORD, value: S3NT1NEL-MERGE-9}',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '      - name: web',
    '        image: nginx',
    '        env:',
    '        - <<: *e',
  ].join('\n');
  const audited = auditedRequestObject(Buffer.from(yaml), 'application/yaml', info('PUT', '/apis/apps/v1/namespaces/demo/deployments/web'), DEFAULT_MASK_RULES);
  const env = (audited.value as { spec: { template: { spec: { containers: { env: unknown[] }[] } } } }).spec.template.spec.containers[0]!.env;
  assert.deepEqual(env, [{ name: 'DB_PASSWORD', value: '**hoopctl-masked**' }]);
  // A masked value reached only through a merge key is still a masked value written back.
  const back = 'kind: Secret\nx: &m {password: "**hoopctl-masked**"}\nstringData:\n  <<: *m\n';
  assert.equal(
    writesMaskedValue(
      info('PUT', '/api/v1/namespaces/demo/secrets/db'),
      Buffer.from(back.replace('**hoopctl-masked**', '\\x2a*hoopctl-masked**')),
      'application/yaml',
    ),
    true,
  );
});

test('YAML bodies above MAX_YAML_BODY_BYTES are refused unparsed with a 413 that suggests JSON; JSON under a YAML type is not (attack finding 2)', () => {
  const lines = (n: number): string => Array.from({ length: n }, (_, i) => `k${i}: 1`).join('\n');
  let big = lines(100);
  while (big.length <= MAX_YAML_BODY_BYTES) big += `\n${lines(1000)}`.replace(/k(\d+)/g, `k${big.length}_$1`);
  assert.equal(yamlBodyTooLarge(Buffer.from(big), 'application/yaml'), true);
  assert.equal(yamlBodyTooLarge(Buffer.from(big), 'application/apply-patch+yaml; charset=utf-8'), true);
  assert.equal(yamlBodyTooLarge(Buffer.from(lines(100)), 'application/yaml'), false);
  const json = JSON.stringify({ data: Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v'])) });
  assert.ok(json.length > MAX_YAML_BODY_BYTES);
  assert.equal(yamlBodyTooLarge(Buffer.from(json), 'application/apply-patch+yaml'), false);
  assert.equal(yamlBodyTooLarge(Buffer.from(big), 'application/json'), false);
  const s = yamlTooLargeStatus();
  assert.equal(s.code, 413);
  assert.match(s.message, new RegExp(`at most ${MAX_YAML_BODY_BYTES} bytes.*send it as JSON`));
});

test('YAML the gateway would read otherwise than kube-apiserver is refused at the door: tags, anchors, aliases, merge keys (second outside attack, F2/F3)', () => {
  const y = (t: string): string | undefined => unreadableYaml(Buffer.from(t), 'application/yaml');
  assert.match(y('env: [{name: !!binary REJfRFNO, value: x}]') ?? '', /a tag \(tag:yaml.org,2002:binary\)/);
  assert.match(y('a: &x {k: 1}\nb: *x\n') ?? '', /an anchor \(&x\)/);
  assert.match(y('b: {<<: {k: 1}}\n') ?? '', /a merge key/);
  assert.equal(y('kind: ConfigMap\ndata: {a: "1"}\n'), undefined, 'plain YAML is read');
  assert.equal(y('{"kind":"ConfigMap"}'), undefined, 'JSON under a YAML type is read as JSON');
  assert.equal(unreadableYaml(Buffer.from('a: !!binary eA=='), 'application/json'), undefined, 'not a YAML type');
  // A held review's body with a tag is recorded by size and hash, not as an object the approver would misread.
  const tagged = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: demo}\ndata: {x: !!binary SGk=}\n';
  const audited = auditedRequestObject(Buffer.from(tagged), 'application/yaml', info('PUT', '/api/v1/namespaces/demo/configmaps/c'), DEFAULT_MASK_RULES);
  assert.ok(audited.value !== null && typeof audited.value === 'object' && 'sha256' in audited.value, JSON.stringify(audited.value));
});
