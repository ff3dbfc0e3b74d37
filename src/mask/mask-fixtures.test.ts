// Every answer and request body recorded from a real kube-apiserver 1.32 (../shared/fixtures), masked:
// no sentinel survives in clear or base64, the document keeps its shape, and streaming equals whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { FIXTURES_DIR, header, loadBody, requestBody, type Exchange } from '../../test/support/recorded-fixtures.js';
import { findSentinels } from '../../test/support/sentinels.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createJsonDocumentMasker, type StreamMasker } from './json-stream.js';
import { createWatchMasker } from './watch-masker.js';
import { MASK_MARKER, MASKED_BASE64 } from './marker.js';
import { createMaskContext, kindForResource, LAST_APPLIED, maskDocument, type MaskContext } from './mask-object.js';
import { maskRequestBody } from './mask-request-body.js';
import { DEFAULT_MASK_RULES } from './mask-rules.js';

const SENTINEL = ['S3NT1NEL'];
const LIMITS = { maxValueChars: 8 << 20 };
const skip = FIXTURES_DIR === undefined ? 'fixtures not on this machine' : false;

function exchanges(): { file: string; e: Exchange }[] {
  const dir = join(FIXTURES_DIR!, 'scenarios');
  return readdirSync(dir)
    .sort()
    .flatMap((file) => (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { exchanges: Exchange[] }).exchanges.map((e) => ({ file, e })));
}

function ctxFor(url: string): MaskContext {
  const m = /\/namespaces\/[^/]+\/([a-z]+)|\/api\/v1\/([a-z]+)|\/apis\/[^/]+\/[^/]+\/([a-z]+)/.exec(url.split('?')[0]!);
  const resource = m?.[1] ?? m?.[2] ?? m?.[3] ?? '';
  const kind = kindForResource(resource);
  return createMaskContext(DEFAULT_MASK_RULES, kind === undefined ? {} : { kindHint: kind });
}

/** Feeds `text` in pieces of pseudo-random sizes (1 … 97 chars), seeded for repeatability. */
function feed(masker: StreamMasker, text: string, seed: number): string {
  let out = '';
  let s = seed;
  for (let i = 0; i < text.length;) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (s % 97);
    out += masker.push(text.slice(i, i + n));
    i += n;
  }
  return out + masker.end();
}

const isJson = (ct: string | undefined): boolean => ct !== undefined && ct.startsWith('application/json');

test('every recorded JSON answer, masked while streamed in random pieces, holds no sentinel and keeps its shape', { skip }, () => {
  let checked = 0;
  for (const { file, e } of exchanges()) {
    const ct = header(e.response.headers, 'content-type');
    const chunks = e.response.chunks?.map((c) => c.text ?? '').join('') ?? '';
    const text = e.response.body?.encoding === 'utf8' ? (e.response.body.text ?? '') : chunks;
    if (!isJson(ct) || text === '') continue;
    const watch = /[?&]watch=(true|1)/.test(e.request.url);
    const label = `${file} ${e.request.method} ${e.request.url}`;
    const whole = ctxFor(e.request.url);
    const streamed = ctxFor(e.request.url);
    const out = feed(watch ? createWatchMasker(streamed, LIMITS) : createJsonDocumentMasker(streamed, LIMITS), text, e.seq);
    assert.deepEqual(findSentinels(out, SENTINEL), [], label);
    if (!watch) {
      const expected = maskDocument(JSON.parse(text), whole);
      assert.deepEqual(JSON.parse(out), expected, `${label}: streaming differs from whole-document masking`);
      assert.equal(streamed.counter.masked, whole.counter.masked, label);
      const before = JSON.parse(text);
      const after = JSON.parse(out);
      assert.equal(after.kind, before.kind, label);
      assert.equal((after.items ?? after.rows ?? []).length, (before.items ?? before.rows ?? []).length, label);
    }
    if (findSentinels(text, SENTINEL).length > 0) assert.ok(streamed.counter.masked > 0, `${label}: nothing counted`);
    checked++;
  }
  assert.ok(checked > 100, `only ${checked} answers checked`);
});

test('every recorded JSON or YAML request body, masked for the audit log, holds no sentinel', { skip }, () => {
  let checked = 0;
  for (const { file, e } of exchanges()) {
    const ct = header(e.request.headers, 'content-type') ?? '';
    const raw = requestBody(e).toString('utf8');
    if (raw === '' || ct.includes('protobuf')) continue;
    let body: unknown;
    try {
      body = ct.includes('yaml') ? parseYaml(raw) : JSON.parse(raw);
    } catch {
      continue; // scenario 58 sends malformed JSON on purpose; the gateway records such a body by size and hash only
    }
    const ctx = ctxFor(e.request.url);
    const out = JSON.stringify(maskRequestBody(body, ctx));
    assert.deepEqual(findSentinels(out, SENTINEL), [], `${file} ${e.request.method} ${e.request.url}`);
    checked++;
  }
  assert.ok(checked > 10, `only ${checked} bodies checked`);
});

test('Secret: data stays valid base64 of the marker, keys and metadata stay; last-applied becomes a masked manifest', { skip }, () => {
  const ctx = createMaskContext(DEFAULT_MASK_RULES, { kindHint: 'Secret' });
  const secret = maskDocument(loadBody('objects/secret-with-last-applied.json'), ctx) as any;
  assert.deepEqual(secret.data, { 'api-key': MASKED_BASE64, token: MASKED_BASE64 });
  assert.equal(Buffer.from(secret.data.token, 'base64').toString('utf8'), MASK_MARKER);
  assert.equal(secret.metadata.name, 'applied-secret');
  assert.deepEqual(secret.metadata.managedFields[0].fieldsV1['f:data'], { '.': {}, 'f:api-key': {}, 'f:token': {} });
  const manifest = JSON.parse(secret.metadata.annotations[LAST_APPLIED]);
  assert.deepEqual([manifest.data, manifest.stringData, manifest.metadata.name], [{ 'api-key': MASKED_BASE64 }, { token: MASK_MARKER }, 'applied-secret']);
  assert.ok(secret.metadata.annotations[LAST_APPLIED].endsWith('\n'), 'kubectl writes the annotation with a trailing newline');
  assert.equal(ctx.counter.masked, 4);
});

test('Table rows: PartialObjectMetadata annotations and includeObject=Object data are masked; cells stay', { skip }, () => {
  const meta = maskDocument(loadBody('objects/secrets-table-default.json'), createMaskContext(DEFAULT_MASK_RULES, { kindHint: 'Secret' })) as any;
  assert.deepEqual(
    meta.rows.map((r: any) => r.cells[0]),
    ['applied-secret', 'db-creds'],
  );
  assert.match(meta.rows[0].object.metadata.annotations[LAST_APPLIED], /"stringData":\{"token":"\*\*hoopctl-masked\*\*"\}/);
  const full = maskDocument(loadBody('objects/secrets-table-includeObject-Object.json'), createMaskContext(DEFAULT_MASK_RULES, { kindHint: 'Secret' })) as any;
  for (const row of full.rows) for (const v of Object.values(row.object.data)) assert.equal(v, MASKED_BASE64);
});

test('ConfigMap: keys matching the patterns and password= inside files are masked, the rest stays', { skip }, () => {
  const ctx = createMaskContext(DEFAULT_MASK_RULES, { kindHint: 'ConfigMap' });
  const cm = maskDocument(loadBody('objects/configmap-app-config.json'), ctx) as any;
  assert.equal(cm.data.password, MASK_MARKER);
  assert.match(cm.data['app.conf'], /db\.host=db\.demo\.svc\ndb\.password=\*\*hoopctl-masked\*\*/);
});

test('Deployment env: a value named like a password is masked in the object and in its last-applied annotation', { skip }, () => {
  const post = exchanges().find(({ file, e }) => file.startsWith('13-') && e.request.method === 'POST')!.e;
  const ctx = createMaskContext(DEFAULT_MASK_RULES, { kindHint: 'Deployment' });
  const deploy = maskDocument(JSON.parse(post.response.body!.text!), ctx) as any;
  const env = deploy.spec.template.spec.containers[0].env;
  assert.deepEqual(
    env.find((v: any) => v.name === 'DB_PASSWORD'),
    { name: 'DB_PASSWORD', value: MASK_MARKER },
  );
  assert.doesNotMatch(deploy.metadata.annotations[LAST_APPLIED], /S3NT1NEL/);
  assert.equal(deploy.spec.template.spec.containers[0].image !== undefined, true);
});
