// A document nested past MAX_JSON_DEPTH makes every masker throw JsonTooDeepError (which the
// gateway turns into a Status), never a RangeError from a stack overflow; one at the limit is masked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBufferedJsonMasker, maskJsonDocument } from './json-document.js';
import { JsonTooDeepError, MAX_JSON_DEPTH } from './json-depth.js';
import { createJsonDocumentMasker } from './json-stream.js';
import { MASK_MARKER } from './marker.js';
import { createMaskContext, LAST_APPLIED, maskDocument } from './mask-object.js';
import { maskRequestBody } from './mask-request-body.js';
import { DEFAULT_MASK_RULES } from './mask-rules.js';
import { createWatchMasker } from './watch-masker.js';

const ctx = () => createMaskContext(DEFAULT_MASK_RULES);
const limits = { maxValueChars: 64 << 20 };
/** `levels` objects and arrays nested, with a secret at the bottom. */
const nested = (levels: number): string => {
  let s = '"password=hunter2"';
  for (let i = 0; i < levels; i++) s = i % 2 === 0 ? `[${s}]` : `{"a":${s}}`;
  return s;
};
const deep = 100_000;
const tooDeep = (e: unknown): boolean => e instanceof JsonTooDeepError && e.limit === MAX_JSON_DEPTH && /deeper than 512 levels/.test(e.message);

test('at the limit a document is masked; one level more is refused with JsonTooDeepError', () => {
  const ok = maskJsonDocument(nested(MAX_JSON_DEPTH), ctx());
  assert.ok(ok.includes(`password=${MASK_MARKER}`) && !ok.includes('hunter2'));
  assert.throws(() => maskJsonDocument(nested(MAX_JSON_DEPTH + 1), ctx()), tooDeep);
});

test('every masker refuses a document nested 100,000 deep with JsonTooDeepError, not a stack overflow', () => {
  const text = nested(deep);
  assert.throws(() => maskDocument(JSON.parse(text), ctx()), tooDeep, 'maskDocument');
  assert.throws(() => maskJsonDocument(text, ctx()), tooDeep, 'maskJsonDocument');
  assert.throws(
    () => {
      const m = createBufferedJsonMasker(ctx(), limits, 1024);
      m.push(text);
      m.end();
    },
    tooDeep,
    'buffered, then streamed',
  );
  const list = `{"kind":"SecretList","items":[${nested(deep)}]}`;
  assert.throws(
    () => {
      const m = createJsonDocumentMasker(ctx(), limits);
      m.push(list);
      m.end();
    },
    tooDeep,
    'a list element',
  );
  assert.throws(() => createWatchMasker(ctx(), limits).push(`{"type":"ADDED","object":${nested(deep)}}\n`), tooDeep, 'a watch event');
  assert.throws(() => maskRequestBody(JSON.parse(text), createMaskContext(DEFAULT_MASK_RULES, { kindHint: 'ConfigMap' })), tooDeep, 'a request body');
  assert.throws(() => maskRequestBody([{ op: 'add', path: '/data/x', value: JSON.parse(text) }], ctx()), tooDeep, 'a JSON patch value');
});

test('a last-applied annotation counts on top of the object that holds it', () => {
  const holder = (inner: number) => ({ kind: 'ConfigMap', metadata: { name: 'c', annotations: { [LAST_APPLIED]: nested(inner) } } });
  assert.doesNotThrow(() => maskDocument(holder(100), ctx()));
  assert.throws(() => maskDocument(holder(MAX_JSON_DEPTH), ctx()), tooDeep);
});
