import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MASK_MARKER as M, MASKED_BASE64 as B } from './marker.js';
import { createMaskContext, LAST_APPLIED } from './mask-object.js';
import { maskedFieldPaths, maskRequestBody } from './mask-request-body.js';
import { DEFAULT_MASK_RULES } from './mask-rules.js';

const run = (kind: string | undefined, body: unknown): unknown =>
  maskRequestBody(body, createMaskContext(DEFAULT_MASK_RULES, kind === undefined ? {} : { kindHint: kind }));

/** [label, request kind, body, masked body] */
const cases: [string, string | undefined, unknown, unknown][] = [
  ['merge patch of a Secret without metadata', 'Secret', { data: { a: 'eA==' }, stringData: { b: 'x' } }, { data: { a: B }, stringData: { b: M } }],
  [
    'JSON patch: Secret data key, whole data map, stringData',
    'Secret',
    [
      { op: 'replace', path: '/data/a', value: 'eA==' },
      { op: 'add', path: '/data', value: { k: 'eQ==' } },
      { op: 'add', path: '/stringData/t', value: 'x' },
      { op: 'remove', path: '/data/z' },
    ],
    [
      { op: 'replace', path: '/data/a', value: B },
      { op: 'add', path: '/data', value: { k: B } },
      { op: 'add', path: '/stringData/t', value: M },
      { op: 'remove', path: '/data/z' },
    ],
  ],
  [
    'JSON patch: ConfigMap keys by name, other keys by value patterns',
    'ConfigMap',
    [
      { op: 'add', path: '/data/db.password', value: 'x' },
      { op: 'add', path: '/data/conf', value: 'user=a\npassword=b' },
      { op: 'add', path: '/data/plain', value: 'v' },
    ],
    [
      { op: 'add', path: '/data/db.password', value: M },
      { op: 'add', path: '/data/conf', value: `user=a\npassword=${M}` },
      { op: 'add', path: '/data/plain', value: 'v' },
    ],
  ],
  [
    'JSON patch: annotation, env list, field named like a secret, escaped pointer',
    'Deployment',
    [
      { op: 'add', path: `/metadata/annotations/${LAST_APPLIED.replace('/', '~1')}`, value: '{"kind":"Secret","stringData":{"a":"b"}}' },
      {
        op: 'add',
        path: '/spec/template/spec/containers/0/env',
        value: [
          { name: 'API_TOKEN', value: 't' },
          { name: 'MODE', value: 'm' },
        ],
      },
      { op: 'replace', path: '/spec/password', value: 'p' },
    ],
    [
      { op: 'add', path: `/metadata/annotations/${LAST_APPLIED.replace('/', '~1')}`, value: `{"kind":"Secret","stringData":{"a":"${M}"}}` },
      {
        op: 'add',
        path: '/spec/template/spec/containers/0/env',
        value: [
          { name: 'API_TOKEN', value: M },
          { name: 'MODE', value: 'm' },
        ],
      },
      { op: 'replace', path: '/spec/password', value: M },
    ],
  ],
  [
    'server-side apply body of a Secret',
    'Secret',
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { p: 'x' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { p: M } },
  ],
  [
    'unknown resource: value patterns and field names only',
    undefined,
    { spec: { password: 'x', url: 'https://u:pw@h' } },
    { spec: { password: M, url: `https://u:${M}@h` } },
  ],
];

test('request bodies: objects, merge patches and JSON patches are masked by what they write', () => {
  for (const [label, kind, body, expected] of cases) assert.deepEqual(run(kind, body), expected, label);
});

test('maskedFieldPaths: where a body carries a marker, for objects, patches and JSON patches', () => {
  const ann = 'kubectl.kubernetes.io/last-applied-configuration';
  const digestB64 = Buffer.from('**hoopctl-masked:0123456789abcdef**').toString('base64');
  assert.deepEqual(
    maskedFieldPaths({ kind: 'Secret', metadata: { name: 'x', annotations: { [ann]: `{"data":{"a":"${B}"}}` } }, data: { a: digestB64, b: 'eA==' } }),
    [`metadata.annotations.${ann}`, 'data.a'],
  );
  assert.deepEqual(maskedFieldPaths({ spec: { containers: [{ name: 'c', env: [{ name: 'P', value: M }] }] } }), ['spec.containers[0].env[0].value']);
  assert.deepEqual(
    maskedFieldPaths([
      { op: 'replace', path: '/data/pass~1word', value: M },
      { op: 'add', path: '/spec/x/0', value: { v: M } },
      { op: 'remove', path: '/data/z' },
    ]),
    ['data.pass/word', 'spec.x[0].v'],
  );
  assert.deepEqual(
    maskedFieldPaths([{ op: 'replace', path: '/metadata/managedFields', value: [{ manager: 'kubectl', fieldsV1: { 'f:data': { 'f:token': {} } } }] }]),
    [],
  );
  assert.deepEqual(maskedFieldPaths({ data: { a: 'eA==' } }), []);
});
