import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, header, type Exchange } from '../../test/support/recorded-fixtures.js';
import { createBufferedJsonMasker, maskJsonDocument } from './json-document.js';
import { createJsonDocumentMasker, type StreamMasker } from './json-stream.js';
import { MASKED_BASE64 } from './marker.js';
import { createMaskContext, kindForResource, type MaskContext } from './mask-object.js';
import { DEFAULT_MASK_RULES } from './mask-rules.js';

const LIMITS = { maxValueChars: 8 << 20 };
const secretCtx = (): MaskContext => createMaskContext(DEFAULT_MASK_RULES, { kindHint: 'Secret' });
const streamed = (text: string, ctx: MaskContext, masker: StreamMasker = createJsonDocumentMasker(ctx, LIMITS)): string => {
  let out = '';
  for (let i = 0; i < text.length; i += 7) out += masker.push(text.slice(i, i + 7));
  return out + masker.end();
};

// The edge cases of the split: a list without kind (items masked as the request's kind), kind after
// items, a Table, members after the list, non-object roots, an empty body.
const docs = [
  '{"apiVersion":"v1","items":[{"metadata":{"name":"a"},"data":{"k":"c2VjcmV0"}}],"metadata":{"resourceVersion":"1"}}',
  '{"items":[{"metadata":{"name":"a"},"data":{"k":"c2VjcmV0"}}],"kind":"SecretList"}',
  '{"kind":"SecretList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"a"},"data":{"k":"c2VjcmV0"}},{"metadata":{"name":"b"},"stringData":{"p":"x"}}]}',
  '{"kind":"Table","columnDefinitions":[],"rows":[{"cells":["a","password=hunter2"],"object":{"metadata":{"name":"a"},"data":{"k":"eA=="}}}]}',
  '{"kind":"Status","message":"token=abc"}',
  '["password=x", 1, null]',
  '"bearer abcdefghijklmnopqrstuvwxyz"',
  '  ',
  '{"kind":"SecretList","items":[],"extra":{"note":"password=x"}}',
];

test('maskJsonDocument answers exactly what the streaming masker does, and counts the same', () => {
  for (const doc of docs) {
    const a = secretCtx();
    const b = secretCtx();
    assert.equal(maskJsonDocument(doc, a), streamed(doc, b), doc);
    assert.equal(a.counter.masked, b.counter.masked, doc);
  }
  // The list without a kind: its items are Secrets because the request was for secrets.
  assert.match(maskJsonDocument(docs[0]!, secretCtx()), new RegExp(`"k":"${MASKED_BASE64}"`));
  assert.throws(() => maskJsonDocument('{"kind":"x",', secretCtx()), /not valid JSON/);
});

test('the buffered masker hands over to the streaming one past its limit, with the same output', () => {
  const big = docs[2]!;
  for (const max of [0, 10, big.length - 1, big.length, 1 << 20]) {
    const ctx = secretCtx();
    assert.equal(streamed(big, ctx, createBufferedJsonMasker(ctx, LIMITS, max)), streamed(big, secretCtx()), `max ${max}`);
  }
});

test(
  'every recorded JSON answer: the fast path equals the streaming masker',
  { skip: FIXTURES_DIR === undefined ? 'fixtures not on this machine' : false },
  () => {
    let checked = 0;
    const dir = join(FIXTURES_DIR!, 'scenarios');
    for (const file of readdirSync(dir).sort()) {
      for (const e of (JSON.parse(readFileSync(join(dir, file), 'utf8')) as { exchanges: Exchange[] }).exchanges) {
        const ct = header(e.response.headers, 'content-type') ?? '';
        const text = e.response.body?.encoding === 'utf8' ? (e.response.body.text ?? '') : '';
        if (!ct.startsWith('application/json') || text === '' || /[?&]watch=(true|1)/.test(e.request.url)) continue;
        const resource = /\/([a-z]+)(?:\/[^/?]+)?(?:\?|$)/.exec(e.request.url)?.[1] ?? '';
        const kind = kindForResource(resource);
        const ctx = (): MaskContext => createMaskContext(DEFAULT_MASK_RULES, kind === undefined ? {} : { kindHint: kind });
        assert.equal(maskJsonDocument(text, ctx()), streamed(text, ctx()), `${file} ${e.request.url}`);
        checked++;
      }
    }
    assert.ok(checked > 100, `only ${checked} answers checked`);
  },
);
