import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carriesMaskedValue, digestMarker, isMaskedBase64, isMaskMarker, markerBase64, MASK_MARKER, MASKED_BASE64 } from './marker.js';
import { createMaskContext, maskDocument } from './mask-object.js';
import { DEFAULT_MASK_RULES } from './mask-rules.js';
import { maskRequestBody } from './mask-request-body.js';
import { createValueDigest, withValueDigest } from './value-digest.js';

const KEY = new Uint8Array(32).fill(7);
const rules = withValueDigest(DEFAULT_MASK_RULES, createValueDigest(KEY));
const otherKeyRules = withValueDigest(DEFAULT_MASK_RULES, createValueDigest(new Uint8Array(32).fill(8)));
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

type Doc = Record<string, any>;
function mask(doc: Doc, kindHint?: string, r = rules): Doc {
  return maskDocument(structuredClone(doc), createMaskContext(r, kindHint === undefined ? {} : { kindHint })) as Doc;
}
const secret = (name: string, token: string, ns = 'demo', extra: Doc = {}): Doc => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: ns, ...extra },
  type: 'Opaque',
  data: { token: b64(token) },
});

test('markers: plain and digest forms are recognised, in clear and base64, and nothing else is', () => {
  const d = digestMarker('0123456789abcdef');
  assert.equal(d, '**hoopctl-masked:0123456789abcdef**');
  for (const m of [MASK_MARKER, d]) {
    assert.ok(isMaskMarker(m));
    assert.ok(isMaskedBase64(markerBase64(m)));
    assert.ok(carriesMaskedValue(`{"data":{"a":"${markerBase64(m)}"}}`));
    assert.ok(carriesMaskedValue(Buffer.from(`\n\u0005token\u0012${m}`)));
  }
  assert.equal(markerBase64(MASK_MARKER), MASKED_BASE64);
  for (const not of ['', 'hoopctl-masked', '**hoopctl-masked:0123**', '**hoopctl-masked:0123456789ABCDEF**', `${d}x`, 'secret']) {
    assert.ok(!isMaskMarker(not), not);
    assert.ok(!isMaskedBase64(b64(not)), not);
  }
  assert.ok(!carriesMaskedValue('{"data":{"a":"c2VjcmV0"}}'));
});

test('digest markers: a changed value shows as changed, an unchanged one as unchanged, and the base64 still decodes', () => {
  const a = mask(secret('db', 'one'));
  const again = mask(secret('db', 'one', 'demo', { resourceVersion: '99' }));
  const changed = mask(secret('db', 'two'));
  assert.ok(isMaskedBase64(a.data.token));
  assert.match(unb64(a.data.token), /^\*\*hoopctl-masked:[0-9a-f]{16}\*\*$/);
  assert.equal(again.data.token, a.data.token);
  assert.notEqual(changed.data.token, a.data.token);
});

test('digest markers: the same value in another object, namespace, kind, field, or under another key does not compare', () => {
  const base = mask(secret('db', 'same')).data.token;
  assert.notEqual(mask(secret('other', 'same')).data.token, base);
  assert.notEqual(mask(secret('db', 'same', 'prod')).data.token, base);
  assert.notEqual(mask(secret('db', 'same'), undefined, otherKeyRules).data.token, base);
  const twoFields = mask({ ...secret('db', 'same'), data: { token: b64('same'), password: b64('same') } });
  assert.notEqual(twoFields.data.token, twoFields.data.password);
  const cm = mask({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'db', namespace: 'demo' }, data: { token: 'same' } });
  assert.notEqual(b64(cm.data.token), base);
  assert.notEqual(cm.data.token, unb64(base));
});

test('digest markers: one object reads the same whether got alone, listed, in a Table row, in a watch event or in its last-applied annotation', () => {
  const live = secret('db', 'v1-value');
  const single = mask(live).data.token;
  const list = mask({ kind: 'SecretList', apiVersion: 'v1', items: [{ metadata: live.metadata, data: live.data }] }).items[0].data.token;
  const row = mask({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', rows: [{ cells: ['db'], object: live }] }, 'Secret').rows[0].object.data.token;
  const event = mask({ type: 'MODIFIED', object: live }, 'Secret').object.data.token;
  assert.deepEqual([list, row, event], [single, single, single]);
  // The manifest kubectl apply kept (stringData in clear) binds to the owner's data.token.
  const manifest = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { token: 'v1-value' } });
  const annotated = mask(secret('db', 'v1-value', 'demo', { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': manifest } }));
  const inner = JSON.parse(annotated.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
  assert.equal(b64(inner.stringData.token), annotated.data.token);
  const partial = mask(
    { kind: 'Table', rows: [{ cells: [], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: annotated.metadata } }] },
    'Secret',
  );
  assert.equal(
    partial.rows[0].object.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
    annotated.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'],
  );
});

test('digest markers: env values bind by container and variable name, so a listed Deployment reads like a single one', () => {
  const dep = (pw: string): Doc => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'demo' },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'app',
              env: [
                { name: 'LOG', value: 'info' },
                { name: 'DB_PASSWORD', value: pw },
              ],
            },
          ],
        },
      },
    },
  });
  const env = (d: Doc): Doc[] => d.spec.template.spec.containers[0].env;
  const one = env(mask(dep('a')));
  const { apiVersion: _a, kind: _k, ...bare } = dep('a');
  const listed = env(mask({ kind: 'DeploymentList', apiVersion: 'apps/v1', items: [bare] }).items[0]);
  assert.equal(one[0]!.value, 'info');
  assert.ok(isMaskMarker(one[1]!.value) && one[1]!.value !== MASK_MARKER);
  assert.equal(listed[1]!.value, one[1]!.value);
  assert.notEqual(env(mask(dep('b')))[1]!.value, one[1]!.value);
});

test('digest markers cannot be made from a guess: a second entry under the same name, or an object nested in another one, never shares a binding', () => {
  const dep = (env: Doc[]): Doc => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'demo' },
    spec: { template: { spec: { containers: [{ name: 'app', env }] } } },
  });
  const env = (d: Doc): Doc[] => d.spec.template.spec.containers[0].env;
  const live = env(mask(dep([{ name: 'DB_PASSWORD', value: 'hunter2' }])))[0]!.value;
  // A dry-run patch that adds the same name with a guess: the guess must not read like the live value.
  const guessed = env(
    mask(
      dep([
        { name: 'DB_PASSWORD', value: 'hunter2' },
        { name: 'DB_PASSWORD', value: 'hunter2' },
      ]),
    ),
  );
  assert.equal(guessed[0]!.value, live, 'the first entry keeps its marker (diff still works)');
  assert.notEqual(guessed[1]!.value, live);
  // A carrier ConfigMap whose last-applied annotation holds manifests claiming to be the target objects.
  const target = mask(secret('db', 's3cret'));
  const carrier = (manifest: unknown): Doc =>
    mask({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'carrier', namespace: 'demo', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(manifest) } },
      data: {},
    });
  const claimed = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'demo' }, data: { token: b64('s3cret') } };
  for (const manifest of [
    claimed,
    [claimed],
    { kind: 'List', apiVersion: 'v1', items: [claimed] },
    { kind: 'SecretList', apiVersion: 'v1', items: [claimed] },
  ]) {
    const text = carrier(manifest).metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] as string;
    assert.ok(!text.includes(b64('s3cret')), 'masked');
    assert.ok(!text.includes(target.data.token), `${JSON.stringify(manifest).slice(0, 40)}…: the target's marker must not be reproducible from a carrier`);
  }
});

test('without a digest key every marker is the plain one (local proxy, transcripts)', () => {
  const m = mask(secret('db', 'x'), undefined, DEFAULT_MASK_RULES);
  assert.equal(m.data.token, MASKED_BASE64);
  const body = maskRequestBody(structuredClone({ stringData: { token: 'x' } }), createMaskContext(DEFAULT_MASK_RULES, { kindHint: 'Secret' })) as Doc;
  assert.equal(body.stringData.token, MASK_MARKER);
});

test('createValueDigest refuses a short key', () => {
  assert.throws(() => createValueDigest(new Uint8Array(16)), /at least 32 bytes/);
});

test('containsMaskedValue sees a marker however the body spells it for kube-apiserver (adversary finding)', async () => {
  const { parse } = await import('yaml');
  const { containsMaskedValue } = await import('./marker.js');
  const b64 = MASKED_BASE64;
  const escaped = [...b64].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  const yamlEscaped = [...b64].map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
  const spelled = [
    JSON.parse(`{"data":{"password":"${b64.slice(0, 8)}\\n${b64.slice(8)}"}}`),
    JSON.parse(`{"data":{"password":"${escaped}"}}`),
    JSON.parse(`[{"op":"replace","path":"/spec/x","value":"${[...MASK_MARKER].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"}]`),
    parse(`data:\n  password: "${yamlEscaped}"\n`),
    parse(`data:\n  password: !!binary ${b64}\n`),
    { stringData: { token: `${MASK_MARKER.slice(0, 5)}\r\n${MASK_MARKER.slice(5)}`.replace(/\s/g, '') } },
  ];
  for (const body of spelled) assert.ok(containsMaskedValue(body), JSON.stringify(body));
  for (const clean of [{ data: { password: 'czNjcjN0' } }, [{ op: 'add', path: '/a', value: 'hoopctl masked' }], 'plain']) {
    assert.ok(!containsMaskedValue(clean), JSON.stringify(clean));
  }
  // Iterative: a body nested far deeper than any stack allows is still checked.
  let deep: unknown = MASK_MARKER;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.ok(containsMaskedValue(deep));
});
