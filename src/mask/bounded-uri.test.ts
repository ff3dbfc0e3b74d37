import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { maskRequestUri } from './line-masker.js';
import { MASK_MARKER } from './marker.js';
import { createMaskContext } from './mask-object.js';
import { DEFAULT_MASK_RULES } from './mask-rules.js';
import { MAX_RECORDED_URI_CHARS, maskRequestUriBounded } from './bounded-uri.js';

const ctx = () => createMaskContext(DEFAULT_MASK_RULES);
const sha = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);

test('a URI up to the limit is recorded exactly as maskRequestUri records it', () => {
  for (const uri of ['/api/v1/pods', '/api/v1/pods?labelSelector=token%3Dabc', `/api/v1/pods?x=${'+'.repeat(MAX_RECORDED_URI_CHARS - 20)}`]) {
    assert.equal(maskRequestUriBounded(uri, ctx()), maskRequestUri(uri, ctx()), uri.slice(0, 60));
  }
});

test('a longer URI is cut between query parameters, masked, and followed by its length and SHA-256 prefix', () => {
  const tail = `password=${'+'.repeat(15_000)}S3NT1NEL-tail`;
  const uri = `/k8s/prod/api/v1/pods?labelSelector=token%3Dhunter2&limit=5&${tail}`;
  const out = maskRequestUriBounded(uri, ctx());
  assert.equal(out, `/k8s/prod/api/v1/pods?labelSelector=token=${MASK_MARKER}&limit=5[cut: ${uri.length} characters, sha256:${sha(uri)}]`);
  assert.ok(!out.includes('S3NT1NEL') && !out.includes('hunter2'));
});

test('a URI whose query starts past the limit keeps whole path segments; one long value keeps only what precedes it', () => {
  const path = `/k8s/prod/api/v1/namespaces/${'n'.repeat(5000)}/pods`;
  assert.equal(maskRequestUriBounded(path, ctx()), `/k8s/prod/api/v1/namespaces[cut: ${path.length} characters, sha256:${sha(path)}]`);
  const one = `/k8s/prod/api/v1/pods?token=${'x'.repeat(20_000)}`;
  assert.equal(maskRequestUriBounded(one, ctx()), `/k8s/prod/api/v1/pods[cut: ${one.length} characters, sha256:${sha(one)}]`);
  const bare = '+'.repeat(10_000);
  assert.equal(maskRequestUriBounded(bare, ctx()), `[cut: 10000 characters, sha256:${sha(bare)}]`);
});

test('one malformed escape does not leave the rest of the URI undecoded and unmasked (second outside attack, F4)', () => {
  const ctx = createMaskContext(DEFAULT_MASK_RULES);
  const uri = '/api/v1/namespaces/demo/configmaps?labelSelector=a%3Dpassword%3Dabcdefghijklmnop2222&x=%zz';
  const out = maskRequestUri(uri, ctx);
  assert.ok(!out.includes('abcdefghijklmnop2222'), out);
  assert.match(out, /x=%zz$/, 'the malformed escape stays as written');
  assert.equal(maskRequestUri(uri.replace('&x=%zz', ''), createMaskContext(DEFAULT_MASK_RULES)), out.replace('&x=%zz', ''));
});
