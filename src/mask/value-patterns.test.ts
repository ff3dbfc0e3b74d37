import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MASK_MARKER as M } from './marker.js';
import { compileMaskRules, DEFAULT_MASK_RULES } from './mask-rules.js';
import { compileNamePatterns } from './name-patterns.js';
import { DEFAULT_VALUE_PATTERNS, parseValuePattern } from './value-patterns.js';

const mask = (s: string, rules = DEFAULT_MASK_RULES): { out: string; n: number } => {
  const counter = { masked: 0 };
  return { out: rules.values.mask(s, counter), n: counter.masked };
};

// Built from pieces so that no scanner flags this file as holding real credentials.
const PEM = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAq1', 'abc=', '-----END RSA PRIVATE KEY-----'].join('\n');
const JWT = `${'eyJhbGciOiJSUzI1NiJ9'}.${'eyJzdWIiOiJhbGljZSJ9'}.c2lnbmF0dXJlLXNpZ25hdHVyZQ`;

/** [input, expected output, masked count] */
const cases: [string, string, number][] = [
  [`key:\n${PEM}\nafter`, `key:\n${M}\nafter`, 1],
  ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA (cut)', M, 1],
  ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 0],
  ['aws AKIAS3NT1NEL00000022 here', `aws ${M} here`, 1],
  ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws_secret_access_key = ${M}`, 1],
  [`gh ghp_${'a'.repeat(36)} x`, `gh ${M} x`, 1],
  [`pat github_pat_${'B'.repeat(30)}`, `pat ${M}`, 1],
  [`gl glpat-${'x'.repeat(20)}`, `gl ${M}`, 1],
  ['slack xoxb-1234567890-abcdefghij', `slack ${M}`, 1],
  ['https://hooks.slack.com/services/T000/B000/XXXX', `https://hooks.slack.com/services/${M}`, 1],
  [`Authorization: Bearer ${JWT}`, `Authorization: Bearer ${M}`, 1],
  [`token ${JWT} end`, `token ${M} end`, 1],
  ['postgres://app:S3cr3t-pw@db:5432/app', `postgres://app:${M}@db:5432/app`, 1],
  ['redis://:hunter2@cache:6379', `redis://:${M}@cache:6379`, 1],
  ['db.password=S3NT1NEL-CONF-0004', `db.password=${M}`, 1],
  ['Server=db;Uid=app;Pwd=p@ss;', `Server=db;Uid=app;Pwd=${M};`, 1],
  ['{"api_key": "abc123"}', `{"api_key": "${M}"}`, 1],
  ['access_token=abc&x=1', `access_token=${M}&x=1`, 1],
  ['authorization: Basic YWxpY2U6cHc=', `authorization: Basic ${M}`, 1],
  [`password: ${M}`, `password: ${M}`, 0],
  // Not secrets: must stay as they are.
  ['bypass=true', 'bypass=true', 0],
  ['secretName: db-creds', 'secretName: db-creds', 0],
  ['passwordless login enabled', 'passwordless login enabled', 0],
  ['eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NTE5fQ', 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NTE5fQ', 0],
  [
    'image: registry/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'image: registry/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    0,
  ],
  ['https://example.com/path?q=1', 'https://example.com/path?q=1', 0],
  ['86cede58-30d8-402a-a455-089339e8b646', '86cede58-30d8-402a-a455-089339e8b646', 0],
];

test('value patterns mask exactly the secret part, and nothing that only looks close', () => {
  for (const [input, output, n] of cases) assert.deepEqual(mask(input), { out: output, n }, input);
});

test('policy patterns: plain or /source/flags, validated; they add to the built-ins', () => {
  const extra = parseValuePattern('/acme-[0-9a-f]{8}/i', 'policy.masking.valuePatterns[0]');
  assert.ok(typeof extra === 'object');
  const rules = compileMaskRules({ valuePatterns: [extra] });
  assert.deepEqual(mask('id ACME-deadbeef and password=x', rules), { out: `id ${M} and password=${M}`, n: 2 });
  assert.notEqual(rules.version, DEFAULT_MASK_RULES.version);
  assert.match(DEFAULT_MASK_RULES.version, /^1\.[0-9a-f]{8}$/);
  assert.equal(parseValuePattern('a(', 'p'), 'not a valid regular expression: Invalid regular expression: /a(/g: Unterminated group');
  assert.equal(parseValuePattern('x*', 'p'), 'matches the empty string');
  assert.equal(parseValuePattern('/x/g', 'p'), 'flags "g": only i, m, s and u are allowed');
  assert.equal(parseValuePattern('', 'p'), 'is empty');
});

test('name globs: * anywhere, case-insensitive, anchored', () => {
  const p = compileNamePatterns(['*password*', '*.pem', 'DB_*']);
  for (const [name, hit] of [
    ['password', true],
    ['DB_PASSWORD', true],
    ['tls.PEM', true],
    ['db_host', true],
    ['pem.txt', false],
    ['host', false],
  ] as const) {
    assert.equal(p.matches(name), hit, name);
  }
});

test('prefilters are necessary conditions: a string a built-in pattern matches always passes its prefilter', () => {
  const samples = [
    ...cases.map(([input]) => input),
    'AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
    'BEARER abcdefghijklmnop1234',
    `CLIENT-SECRET=x`,
    'SharedAccessKey=abc;',
    `glagent-${'y'.repeat(20)}`,
    'ftp://u:p@h/',
  ];
  for (const p of DEFAULT_VALUE_PATTERNS) {
    assert.ok(p.prefilter !== undefined, `${p.name} has a prefilter`);
    const re = new RegExp(p.source, p.flags);
    const pre = new RegExp(p.prefilter, 'i');
    for (const s of samples) if (re.test(s)) assert.ok(pre.test(s), `${p.name}: ${s}`);
  }
  // A policy pattern has no prefilter: it runs on strings without any built-in keyword.
  const extra = parseValuePattern('/acme-[0-9a-f]{8}/i', 'p');
  assert.ok(typeof extra === 'object');
  assert.deepEqual(mask('id ACME-deadbeef', compileMaskRules({ valuePatterns: [extra] })), { out: `id ${M}`, n: 1 });
});
