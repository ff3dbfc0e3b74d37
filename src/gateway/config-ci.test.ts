// `oidc.issuers[]` with `kind: ci`: read at start, every mistake named by its path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { loadGatewayConfig } from './config.js';
import { isHoopError } from '../errors.js';

const PEOPLE = { issuer: 'http://127.0.0.1:9000', clientId: 'hoopctl' };
const GITHUB = {
  issuer: 'https://token.actions.githubusercontent.com',
  kind: 'ci',
  audience: 'https://hoop.example.com',
  claims: { preset: 'github', require: { repository_owner: 'acme' } },
};

function load(issuers: unknown[]) {
  const doc = { oidc: { issuers }, connections: [], policy: { roles: [], bindings: [] } };
  return loadGatewayConfig('/etc/hoop/gw.yaml', { env: {}, readFile: async () => stringify(doc) });
}

test("a CI issuer keeps its audience and claim mapping; the lone IdP issuer stays the CLI's", async () => {
  const cfg = await load([PEOPLE, GITHUB]);
  const [people, github] = cfg.oidc.issuers;
  assert.equal(people!.cli, true);
  assert.equal(github!.kind, 'ci');
  assert.equal(github!.cli, false);
  assert.equal(github!.clientId, 'https://hoop.example.com');
  assert.equal(github!.claims?.user.source, 'github:{repository}');
});

for (const [name, issuers, re] of [
  ['no audience', [PEOPLE, { ...GITHUB, audience: undefined }], /oidc\.issuers\[1\]\.audience: is required/],
  ['no claims', [PEOPLE, { ...GITHUB, claims: undefined }], /oidc\.issuers\[1\]\.claims: is required/],
  ['cli on a CI issuer', [PEOPLE, { ...GITHUB, cli: true }], /oidc\.issuers\[1\]\.cli: unknown key/],
  ['clientId on a CI issuer', [PEOPLE, { ...GITHUB, clientId: 'x' }], /oidc\.issuers\[1\]\.clientId: unknown key/],
  ['bad kind', [PEOPLE, { ...PEOPLE, issuer: 'http://127.0.0.1:9001', kind: 'robot' }], /oidc\.issuers\[1\]\.kind: must be idp or ci/],
  ['bad template', [PEOPLE, { ...GITHUB, claims: { user: 'repo:{repository' } }], /oidc\.issuers\[1\]\.claims\.user: .*unclosed/],
  [
    'two IdPs, neither for the CLI',
    [
      { ...PEOPLE, cli: false },
      { ...PEOPLE, issuer: 'http://127.0.0.1:9001', cli: false },
    ],
    /oidc\.issuers: exactly one issuer must have cli: true \(found 0\)/,
  ],
  [
    'two IdPs for the CLI',
    [
      { ...PEOPLE, cli: true },
      { ...PEOPLE, issuer: 'http://127.0.0.1:9001', cli: true },
    ],
    /exactly one issuer must have cli: true \(found 2\)/,
  ],
] as const) {
  test(`CI issuer config error names its path: ${name}`, async () => {
    await assert.rejects(load(issuers as unknown as unknown[]), (e: unknown) => isHoopError(e, 'config_invalid') && re.test(e.message));
  });
}

test('a gateway for CI jobs only (no issuer for people) starts', async () => {
  const cfg = await load([GITHUB]);
  assert.deepEqual(
    cfg.oidc.issuers.map((i) => [i.kind, i.cli]),
    [['ci', false]],
  );
});
