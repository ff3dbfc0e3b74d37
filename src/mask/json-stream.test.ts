import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from '../errors.js';
import { createJsonDocumentMasker } from './json-stream.js';
import { createWatchMasker } from './watch-masker.js';
import { createLineMasker, maskRequestUri } from './line-masker.js';
import { MASK_MARKER as M, MASKED_BASE64 as B } from './marker.js';
import { createMaskContext } from './mask-object.js';
import { DEFAULT_MASK_RULES } from './mask-rules.js';

const LIMITS = { maxValueChars: 1 << 20 };
const secrets = () => createMaskContext(DEFAULT_MASK_RULES, { kindHint: 'Secret' });
const secret = (i: number): string =>
  JSON.stringify({ metadata: { name: `s-${i}`, namespace: 'demo' }, data: { password: Buffer.from(`hunter-${i}`).toString('base64') }, type: 'Opaque' });

test('a 10,000-Secret list streams element by element: memory stays near one element, every value masked', () => {
  const ctx = secrets();
  const masker = createJsonDocumentMasker(ctx, { maxValueChars: 4096 });
  let out = masker.push('{"kind":"SecretList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":[');
  let total = out.length;
  let tail = '';
  for (let i = 0; i < 10_000; i++) {
    const piece = masker.push(`${i === 0 ? '' : ','}${secret(i)}`);
    total += piece.length;
    tail = piece;
  }
  out = masker.push(']}\n') + masker.end();
  assert.equal(ctx.counter.masked, 10_000);
  assert.equal(JSON.parse(tail.slice(1)).data.password, B);
  assert.equal(out, ']}\n');
  assert.ok(total > 10_000 * 80);
});

test('a list head larger than the limit, an element larger than the limit, or a truncated list is refused', () => {
  const refuse = (fn: () => void, re: RegExp): void => assert.throws(fn, (e: unknown) => isHoopError(e, 'upstream_error') && re.test(e.message));
  refuse(
    () => createJsonDocumentMasker(secrets(), { maxValueChars: 64 }).push(`{"kind":"SecretList","metadata":{"x":"${'a'.repeat(100)}"},"items":[`),
    /head of the answer is larger than 64/,
  );
  refuse(() => createJsonDocumentMasker(secrets(), { maxValueChars: 64 }).push(`{"items":[{"data":{"a":"${'a'.repeat(100)}"}}]}`), /list element is larger/);
  const m = createJsonDocumentMasker(secrets(), LIMITS);
  m.push('{"items":[{"data":{"a":"YQ=="}}');
  refuse(() => m.end(), /ended inside its list/);
  refuse(() => {
    const w = createJsonDocumentMasker(secrets(), LIMITS);
    w.push('{"data":{"password":"S3NT1NEL');
    w.end();
  }, /^the answer is not valid JSON \(\d+ characters\)$/);
});

test('documents: single object, list with members after items, array root, braces inside strings', () => {
  const run = (text: string, hint = 'Secret'): unknown => {
    const m = createJsonDocumentMasker(createMaskContext(DEFAULT_MASK_RULES, { kindHint: hint }), LIMITS);
    let out = '';
    for (const ch of text) out += m.push(ch);
    return JSON.parse(out + m.end());
  };
  assert.deepEqual(run('{"kind":"Secret","metadata":{"name":"x"},"data":{"k":"dg=="}}'), { kind: 'Secret', metadata: { name: 'x' }, data: { k: B } });
  assert.deepEqual(run('{"items":[{"data":{"k":"dg=="}}, "p=1" ,{"metadata":{"name":"]}{\\""}}], "kind" : "SecretList" , "z":"password=x"}'), {
    items: [{ data: { k: B } }, 'p=1', { metadata: { name: ']}{"' } }],
    kind: 'SecretList',
    z: `password=${M}`,
  });
  assert.deepEqual(run('[{"token":"abc"},"password=x"]', 'Pod'), [{ token: M }, `password=${M}`]);
  assert.deepEqual(
    run('{"kind":"Table","rows":[{"cells":["a","password=1"],"object":{"kind":"PartialObjectMetadata","metadata":{"name":"a"}}}],"metadata":{}}'),
    { kind: 'Table', rows: [{ cells: ['a', `password=${M}`], object: { kind: 'PartialObjectMetadata', metadata: { name: 'a' } } }], metadata: {} },
  );
});

test('watch: one event per output line, emitted as soon as its last byte arrives, even split mid-string', () => {
  const ctx = secrets();
  const w = createWatchMasker(ctx, LIMITS);
  const ev = (n: number): string => `{"type":"ADDED","object":{"kind":"Secret","metadata":{"name":"s${n}"},"data":{"k":"dmFsdWU="}}}\n`;
  const one = ev(1);
  assert.equal(w.push(one.slice(0, 50)), '');
  const first = w.push(one.slice(50) + ev(2).slice(0, 10));
  assert.deepEqual(JSON.parse(first), { type: 'ADDED', object: { kind: 'Secret', metadata: { name: 's1' }, data: { k: B } } });
  assert.ok(first.endsWith('\n'));
  assert.equal(JSON.parse(w.push(ev(2).slice(10))).object.metadata.name, 's2');
  assert.equal(w.end(), '');
  const table = createWatchMasker(secrets(), LIMITS).push(
    '{"type":"MODIFIED","object":{"kind":"Table","rows":[{"cells":["x"],"object":{"kind":"Secret","metadata":{"name":"x"},"data":{"a":"YQ=="}}}]}}\n',
  );
  assert.equal(JSON.parse(table).object.rows[0].object.data.a, B);
  assert.throws(
    () => createWatchMasker(secrets(), LIMITS).push('garbage'),
    (e: unknown) => isHoopError(e, 'upstream_error'),
  );
  const cut = createWatchMasker(secrets(), LIMITS);
  cut.push('{"type":"ADDED","object":{');
  assert.throws(() => cut.end(), /ended inside an event/);
});

test('lines: masked one by one; a private key block is masked from BEGIN to END across lines', () => {
  const ctx = createMaskContext(DEFAULT_MASK_RULES);
  const l = createLineMasker(ctx, LIMITS);
  let out = l.push('start password=abc\npartial tok');
  assert.equal(out, `start password=${M}\n`);
  out = l.push('en=xyz\n-----BEGIN PRIVATE KEY-----\nMIIEvQ\nAAAA\n-----END PRIVATE KEY----- done\nlast');
  assert.equal(out, `partial token=${M}\n${M}\n${M}\n${M}\n${M} done\n`);
  assert.equal(l.end(), 'last');
  assert.equal(ctx.counter.masked, 3);
});

test('request URIs: the decoded query is masked only when it holds a secret', () => {
  const ctx = createMaskContext(DEFAULT_MASK_RULES);
  assert.equal(
    maskRequestUri('/api/v1/namespaces/demo/configmaps?labelSelector=token%3Dabc&limit=500', ctx),
    `/api/v1/namespaces/demo/configmaps?labelSelector=token=${M}&limit=500`,
  );
  assert.equal(maskRequestUri('/api/v1/pods?labelSelector=app%3Dweb', ctx), '/api/v1/pods?labelSelector=app%3Dweb');
  assert.equal(maskRequestUri('/api/v1/pods?x=%E0%A4%A', ctx), '/api/v1/pods?x=%E0%A4%A');
});

test('lines: a key body whose BEGIN line was cut off (logs --tail) is held until END shows what it was', () => {
  const ctx = createMaskContext(DEFAULT_MASK_RULES);
  const l = createLineMasker(ctx, LIMITS);
  const body = 'MIIEowIBAAKCAQEAq1'.padEnd(64, 'Q');
  assert.equal(l.push(`${body}\n${body}\nAbCd==\n`), '', 'held, not shown yet');
  assert.equal(l.push('-----END RSA PRIVATE KEY-----\nafter\n'), `${M}\n${M}\n${M}\n${M}\nafter\n`);
  assert.equal(l.push(`${'a'.repeat(64)}\nplain words\n`), `${M}\nplain words\n`, 'a full-width base64 line alone is masked');
  assert.equal(l.push('dGhpcyBpcyBub3QgYSBrZXk=\nok\n'), 'dGhpcyBpcyBub3QgYSBrZXk=\nok\n', 'other base64 lines are released as they were');
  assert.equal(l.push('done\nstarting'), 'done\n', 'short words are never held');
  assert.equal(l.end(), 'starting');
});
