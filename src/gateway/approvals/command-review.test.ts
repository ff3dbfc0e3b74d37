import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reviewBodyType, reviewFingerprint, type FingerprintInput } from './command-review.js';

const base: FingerprintInput = {
  sessionId: 's1',
  connection: 'prod',
  verb: 'patch',
  requestURI: '/api/v1/namespaces/demo/configmaps/c',
  contentType: 'application/merge-patch+json',
  bodySha256: 'ab'.repeat(32),
};

test("reviewBodyType: the body's type as the API server reads it; no body, no type", () => {
  const cases: [string | undefined, number, string][] = [
    ['application/merge-patch+json', 10, 'application/merge-patch+json'],
    ['Application/Merge-Patch+JSON', 10, 'application/merge-patch+json'],
    ['application/json; charset=utf-8', 10, 'application/json;charset=utf-8'],
    [undefined, 10, ''],
    // exec over WebSocket (GET, no content type) and its SPDY retry (POST, maybe one): the same request
    ['application/x-www-form-urlencoded', 0, ''],
    [undefined, 0, ''],
  ];
  for (const [header, length, want] of cases) assert.equal(reviewBodyType(header, length), want, `${header} (${length} bytes)`);
});

test('reviewFingerprint: every field, the content type included, makes another request', () => {
  const same = reviewFingerprint(base);
  assert.equal(reviewFingerprint({ ...base }), same);
  for (const [field, value] of [
    ['contentType', 'application/strategic-merge-patch+json'],
    ['contentType', 'application/json-patch+json'],
    ['contentType', 'application/apply-patch+yaml'],
    ['sessionId', 's2'],
    ['connection', 'staging'],
    ['verb', 'update'],
    ['requestURI', '/api/v1/namespaces/demo/configmaps/d'],
    ['bodySha256', 'cd'.repeat(32)],
  ] as const) {
    assert.notEqual(reviewFingerprint({ ...base, [field]: value }), same, `${field}=${value}`);
  }
});
