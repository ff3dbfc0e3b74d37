import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configInvalid, readWith } from '../config-reader.js';
import { claimMappingSchema, mapCiClaims, parseClaimTemplate, renderClaimTemplate, type ClaimMapping } from './claim-mapping.js';
import { isHoopError } from '../errors.js';

/** Reads a `claims` mapping found at oidc.issuers[1].claims; throws the config error as the gateway would. */
function readClaimMapping(raw: unknown): ClaimMapping {
  const r = readWith(claimMappingSchema, raw, ['oidc', 'issuers', 1, 'claims']);
  if (!r.ok) throw configInvalid('/etc/hoop/gw.yaml', r.issues);
  return r.data;
}
const GITHUB = {
  sub: 'repo:acme/deploy:ref:refs/heads/main',
  repository: 'acme/deploy',
  repository_owner: 'acme',
  ref: 'refs/heads/main',
  job_workflow_ref: 'acme/deploy/.github/workflows/deploy.yml@refs/heads/main',
  event_name: 'push',
};

test('templates: claim names, placeholders, and malformed ones', () => {
  assert.deepEqual(parseClaimTemplate('sub'), { source: 'sub', parts: [{ claim: 'sub' }] });
  assert.deepEqual(parseClaimTemplate('repo:{repository}@{ref}'), {
    source: 'repo:{repository}@{ref}',
    parts: [{ literal: 'repo:' }, { claim: 'repository' }, { literal: '@' }, { claim: 'ref' }],
  });
  for (const bad of ['repo:{repository', 'repo:}x{', '{}', '{a b}', 'not a claim']) assert.equal(typeof parseClaimTemplate(bad), 'string', bad);
});

test('rendering: absent claims drop a group, list claims expand, booleans print', () => {
  const t = (s: string) => parseClaimTemplate(s) as Exclude<ReturnType<typeof parseClaimTemplate>, string>;
  assert.deepEqual(renderClaimTemplate(t('env:{environment}'), GITHUB), undefined);
  assert.deepEqual(renderClaimTemplate(t('groups'), { groups: ['a', 'b'] }), ['a', 'b']);
  assert.deepEqual(renderClaimTemplate(t('p:{ref_protected}'), { ref_protected: true }), ['p:true']);
});

test('the github preset maps repository and ref; require pins the owner; control characters are refused', () => {
  const m = readClaimMapping({ preset: 'github', require: { repository_owner: 'acme' } });
  const r = mapCiClaims(m, GITHUB);
  assert.ok(typeof r !== 'string');
  assert.equal(r.user, 'github:acme/deploy');
  assert.ok(r.groups.includes('repo:acme/deploy:ref:refs/heads/main'));
  assert.ok(r.groups.includes('workflow:acme/deploy/.github/workflows/deploy.yml@refs/heads/main'));
  assert.ok(!r.groups.some((g) => g.startsWith('repo:acme/deploy:env:')), 'no environment claim, no env group');
  assert.match(mapCiClaims(m, { ...GITHUB, repository_owner: 'evil' }) as string, /repository_owner/);
  assert.match(mapCiClaims(m, { ...GITHUB, repository: 'acme/x\ny' }) as string, /control characters/);
});

test('config mistakes name their path', () => {
  const cases: [unknown, RegExp][] = [
    [{ preset: 'bitbucket' }, /claims\.preset: unknown preset "bitbucket"/],
    [{ groups: ['repo:{repository}'] }, /claims\.user: is required/],
    [{ user: { repository: null } }, /claims\.user: a template must be quoted/],
    [{ user: 'sub', groups: ['ok', 'bad:{x'] }, /claims\.groups\[1\]: .*unclosed/],
    [{ user: 'sub', require: { ref: [] } }, /claims\.require\.ref: must be a string or a non-empty list/],
    // GitHub and GitLab sign tokens for every repository: a CI issuer without require would let any of them in.
    [{ preset: 'github' }, /claims\.require: is required for kind: ci: .*allowAnyRepository: true/],
    [{ preset: 'github', require: {} }, /claims\.require: is required for kind: ci/],
    [{ preset: 'github', require: { repository_owner: 'acme' }, allowAnyRepository: true }, /claims\.allowAnyRepository: contradicts require/],
    [{ preset: 'github', allowAnyRepository: 'yes' }, /claims\.allowAnyRepository/],
  ];
  for (const [raw, re] of cases) {
    assert.throws(
      () => readClaimMapping(raw),
      (e: unknown) => isHoopError(e, 'config_invalid') && re.test(e.message),
      String(re),
    );
  }
  assert.deepEqual(readClaimMapping({ preset: 'gitlab', allowAnyRepository: true }).require, {}, 'an explicit opt-out is accepted');
});
