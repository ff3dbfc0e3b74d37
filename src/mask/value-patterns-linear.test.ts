// The built-in patterns run in linear time (look-ahead guards before their look-behinds) and still
// mask exactly what the original look-behind patterns masked: a fast-check property (fixed seed)
// compares them with a plain reference, the original regexes applied one after the other, on
// small adversarial strings built from the pieces that made the originals slow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MASK_MARKER } from './marker.js';
import { DEFAULT_MASK_RULES } from './mask-rules.js';
import { linearTimeProblem } from './pattern-linearity.js';
import { compileValueMasker, DEFAULT_VALUE_PATTERNS } from './value-patterns.js';

const NOT_MASKED = '(?!\\*\\*hoopctl-masked\\*\\*)';
const SECRET_KEYS = 'password|passwd|pass|pwd|secret|client[_-]?secret|token|api[_-]?key|access[_-]?key|accountkey|sharedaccesskey';
// The patterns as they were before the guards (commit d4b9c84): quadratic on long runs, fine on short strings.
const REFERENCE: [string, string, string][] = [
  ['private-key', '-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)', ''],
  ['aws-access-key-id', '(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])', ''],
  ['aws-secret-access-key', `(?<=aws_?secret_?access_?key["']?[ \\t]*[:=][ \\t]*["']?)${NOT_MASKED}[A-Za-z0-9/+=]{40}`, 'i'],
  ['github-token', '(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})', ''],
  ['gitlab-token', '(?<![A-Za-z0-9_])gl(?:pat|dt|rt|ptt|cbt|oas|ft|imt|soat|ffct|agent)-[A-Za-z0-9_-]{20,}', ''],
  ['slack-token', '(?<![A-Za-z0-9_])xox[abeoprs]-[A-Za-z0-9-]{10,}', ''],
  ['slack-webhook', '(?<=https://hooks\\.slack\\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]+', ''],
  ['jwt', '(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{2,}\\.[A-Za-z0-9_-]*', ''],
  ['url-password', `(?<=[A-Za-z][A-Za-z0-9+.-]*://[^\\s:/@]*:)${NOT_MASKED}[^\\s@/]+(?=@)`, ''],
  ['bearer-token', `(?<=\\bbearer[ \\t]+)${NOT_MASKED}[A-Za-z0-9._~+/-]{16,}=*`, 'i'],
  ['basic-auth', `(?<=authorization["']?[ \\t]*[:=][ \\t]*["']?basic[ \\t]+)[A-Za-z0-9+/]{8,}=*`, 'i'],
  ['assigned-secret', `(?<=(?<![A-Za-z0-9])(?:${SECRET_KEYS})["']?[ \\t]*[:=][ \\t]*["']?)${NOT_MASKED}[^\\s"'&;,]+`, 'i'],
];

function referenceMask(text: string): { out: string; n: number } {
  let out = text;
  let n = 0;
  for (const [, source, flags] of REFERENCE)
    out = out.replace(new RegExp(source, `${flags}g`), () => {
      n++;
      return MASK_MARKER;
    });
  return { out, n };
}

const PIECES = [
  ' ',
  '  ',
  '\t',
  '+',
  '=',
  ':',
  '"',
  "'",
  '@',
  '/',
  '//',
  '.',
  '-',
  '_',
  ';',
  '&',
  ',',
  '\n',
  'a',
  'Z',
  '0',
  '9',
  'password',
  'PASSWORD',
  'token=',
  'pwd',
  'client_secret',
  'api-key',
  'accountkey',
  'bearer',
  'Bearer ',
  'basic ',
  'authorization',
  'Authorization: Basic ',
  'aws_secret_access_key',
  'AWS_SECRET_ACCESS_KEY=',
  'https://',
  'redis://',
  'u:',
  'AKIA',
  'ASIA',
  'eyJ',
  'ghp_',
  'github_pat_',
  'glpat-',
  'xoxb-',
  'hooks.slack.com/services/',
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----END RSA PRIVATE KEY-----',
  'abcdefghijklmnopqrstuvwxyz',
  'ABCDEFGHIJKLMNOPQRST0123456789',
  'YWxpY2U6cHc=',
  MASK_MARKER,
];
const adversarial = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 4 })), { maxLength: 40 }).map((parts) => parts.join(''));

test('built-in patterns: same result as the original look-behind patterns on adversarial strings (fast-check, fixed seed)', () => {
  fc.assert(
    fc.property(adversarial, (text) => {
      const counter = { masked: 0 };
      const out = DEFAULT_MASK_RULES.values.mask(text, counter);
      assert.deepEqual({ out, n: counter.masked }, referenceMask(text), JSON.stringify(text));
    }),
    { seed: 0x5eed, numRuns: 4000 },
  );
});

test('built-in patterns: long runs after a keyword are masked like the reference', () => {
  for (const run of [' ', '+', '\t', 'x', ':']) {
    for (const head of ['password=', 'Bearer', 'authorization: basic', 'aws_secret_access_key:', 'https://u:', 'token']) {
      const text = `${head}${run.repeat(300)}${'s3cr3tValue0123456789abcdefghijklmnopqrstu'}@h x`;
      const counter = { masked: 0 };
      assert.deepEqual({ out: DEFAULT_MASK_RULES.values.mask(text, counter), n: counter.masked }, referenceMask(text), `${head} + ${JSON.stringify(run)}`);
    }
  }
});

test('built-in patterns are the reference patterns with a one-character look-ahead in front, or unchanged', () => {
  assert.deepEqual(
    DEFAULT_VALUE_PATTERNS.map((p) => p.name),
    REFERENCE.map(([name]) => name),
  );
  for (const [i, p] of DEFAULT_VALUE_PATTERNS.entries()) {
    const [, source, flags] = REFERENCE[i]!;
    assert.equal(p.flags, flags, p.name);
    assert.ok(p.source === source || new RegExp(`^\\(\\?=\\[[^\\]]+\\]\\)${source.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`).test(p.source), p.name);
  }
});

test('structural: every built-in pattern and prefilter is proven linear-time by the checker', () => {
  for (const p of DEFAULT_VALUE_PATTERNS) {
    assert.equal(linearTimeProblem(p.source, p.flags, { lookarounds: true }), undefined, p.name);
    assert.equal(linearTimeProblem(p.prefilter!, 'i'), undefined, `${p.name} prefilter`);
  }
  // Without their guards the keyword patterns are not: the checker sees what made them slow.
  for (const [name, source, flags] of REFERENCE.filter(([n]) => ['aws-secret-access-key', 'bearer-token', 'basic-auth', 'assigned-secret'].includes(n))) {
    assert.match(linearTimeProblem(source, flags, { lookarounds: true }) ?? '', /^not linear-time \(a repetition/, name);
  }
});

test('compileValueMasker refuses a pattern that is not linear-time, however it got there', () => {
  assert.throws(() => compileValueMasker([{ name: 'slow', source: '[a-z]+x', flags: '' }]), /value pattern slow: not linear-time/);
  assert.throws(
    () => compileValueMasker([{ name: 'pre', source: 'acme-[0-9]{8}', flags: '', prefilter: '[a-z]+-' }]),
    /value pattern pre \(prefilter\): not linear-time/,
  );
  assert.doesNotThrow(() => compileValueMasker([{ name: 'ok', source: 'acme-[0-9]+', flags: 'i' }]));
});

test('a policy pattern with a group named secret masks only that group, once', async () => {
  const { parseValuePattern } = await import('./value-patterns.js');
  const p = parseValuePattern('secret-id=(?<secret>[a-z0-9]{16,})', 'policy.masking.valuePatterns[0]');
  assert.ok(typeof p === 'object', String(p));
  const masker = compileValueMasker([p]);
  const counter = { masked: 0 };
  const text = `a secret-id=abcdefghijklmnop0123 b secret-id=short c secret-id=${MASK_MARKER} d secret-id=0000000000000000`;
  assert.equal(masker.mask(text, counter), `a secret-id=${MASK_MARKER} b secret-id=short c secret-id=${MASK_MARKER} d secret-id=${MASK_MARKER}`);
  assert.equal(counter.masked, 2);
});
