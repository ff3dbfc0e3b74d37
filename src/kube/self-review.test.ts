// The review bodies kubectl 1.27 (JSON), 1.32 and 1.33 (protobuf) really sent to kube-apiserver 1.32
// (fixtures 110–113), read back into the questions they ask.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { classifyRequest, isNonCanonical } from './request-info.js';
import { decodeReviewProtobuf, ReviewDecodeError } from './review-protobuf.js';
import { readReviewBody, ReviewBodyError, selfReviewTarget, type SelfReviewTarget } from './self-review.js';

const scenarios = resolve(import.meta.dirname, '../../test/fixtures/kube-apiserver-1.32/scenarios');

interface Exchange {
  seq: number;
  request: { method: string; url: string; headers: [string, string][]; body: { length: number; encoding?: string; text?: string; base64?: string } };
}

function exchanges(file: string): Exchange[] {
  return (JSON.parse(readFileSync(resolve(scenarios, file), 'utf8')) as { exchanges: Exchange[] }).exchanges;
}

function targetOf(method: string, url: string): SelfReviewTarget | undefined {
  const info = classifyRequest(method, url);
  assert.ok(!isNonCanonical(info));
  return selfReviewTarget(info);
}

const header = (e: Exchange, name: string): string | undefined => e.request.headers.find(([k]) => k.toLowerCase() === name)?.[1];
const bodyOf = (e: Exchange): Buffer =>
  Buffer.from(e.request.body.base64 ?? e.request.body.text ?? '', e.request.body.base64 === undefined ? 'utf8' : 'base64');

const CREATE_DEPLOYMENTS = {
  kind: 'SelfSubjectAccessReview',
  resourceAttributes: { namespace: 'fix2', verb: 'create', group: 'apps', resource: 'deployments' },
};
// kubectl puts its default namespace into a cluster-scoped question (it warns "not namespace scoped").
const DELETE_NAMESPACES_KUBECTL = { kind: 'SelfSubjectAccessReview', resourceAttributes: { namespace: 'default', verb: 'delete', resource: 'namespaces' } };
const DELETE_NAMESPACES_CURL = { kind: 'SelfSubjectAccessReview', resourceAttributes: { verb: 'delete', resource: 'namespaces' } };
const GET_SECRET = { kind: 'SelfSubjectAccessReview', resourceAttributes: { namespace: 'fix2', verb: 'get', resource: 'secrets', name: 'fix2-creds' } };
const WHOAMI = { kind: 'SelfSubjectReview' };
const LIST_FIX2 = { kind: 'SelfSubjectRulesReview', namespace: 'fix2' };

const EXPECTED: Record<number, unknown> = {
  5049: WHOAMI,
  5050: WHOAMI,
  5051: WHOAMI,
  5053: CREATE_DEPLOYMENTS,
  5055: DELETE_NAMESPACES_KUBECTL,
  5056: LIST_FIX2,
  5057: WHOAMI,
  5058: WHOAMI,
  5060: CREATE_DEPLOYMENTS,
  5062: DELETE_NAMESPACES_KUBECTL,
  5063: LIST_FIX2,
  5065: CREATE_DEPLOYMENTS,
  5066: LIST_FIX2,
  5067: WHOAMI,
  5068: WHOAMI,
  5069: CREATE_DEPLOYMENTS,
  5070: CREATE_DEPLOYMENTS,
  5071: DELETE_NAMESPACES_CURL,
  5072: DELETE_NAMESPACES_CURL,
  5073: GET_SECRET,
  5074: GET_SECRET,
  5075: LIST_FIX2,
  5076: LIST_FIX2,
};

test('every recorded review request (protobuf from kubectl 1.32/1.33, JSON from 1.27 and curl) reads as the question it asks', () => {
  const seen = new Set<number>();
  for (const file of [
    '110-auth-whoami-kubectl-1.33-and-1.32.json',
    '111-auth-can-i-admin.json',
    '112-auth-impersonated-carol.json',
    '113-auth-review-bodies-json-via-curl.json',
  ]) {
    for (const e of exchanges(file)) {
      const target = targetOf(e.request.method, e.request.url);
      if (e.request.method !== 'POST') {
        assert.equal(target, undefined, `${e.seq} ${e.request.url} is discovery, not a review`);
        continue;
      }
      assert.ok(target, `${e.seq} ${e.request.url}`);
      const q = readReviewBody(target, header(e, 'content-type'), bodyOf(e));
      assert.deepEqual(q, EXPECTED[e.seq], `seq ${e.seq}`);
      seen.add(e.seq);
    }
  }
  assert.deepEqual([...seen].sort(), Object.keys(EXPECTED).map(Number).sort());
});

test('the protobuf envelope carries apiVersion and kind; a SelfSubjectReview has no spec', () => {
  const whoami = exchanges('110-auth-whoami-kubectl-1.33-and-1.32.json')[0]!;
  assert.deepEqual(decodeReviewProtobuf(bodyOf(whoami)), { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  const canI = exchanges('111-auth-can-i-admin.json').find((e) => e.seq === 5053)!;
  assert.deepEqual(decodeReviewProtobuf(bodyOf(canI)).apiVersion, 'authorization.k8s.io/v1');
});

test('which paths are self reviews', () => {
  assert.deepEqual(targetOf('POST', '/apis/authentication.k8s.io/v1beta1/selfsubjectreviews'), {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1beta1',
  });
  assert.deepEqual(targetOf('GET', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews'), {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
  });
  assert.equal(targetOf('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews'), undefined);
  assert.equal(targetOf('POST', '/apis/authorization.k8s.io/v1/namespaces/demo/localsubjectaccessreviews'), undefined);
  assert.equal(targetOf('POST', '/apis/authorization.k8s.io/v1/namespaces/demo/selfsubjectaccessreviews'), undefined);
  assert.equal(targetOf('POST', '/apis/authorization.k8s.io/v2/selfsubjectaccessreviews'), undefined);
  assert.equal(targetOf('POST', '/apis/other.example.com/v1/selfsubjectreviews'), undefined);
});

test('bodies kube-apiserver would refuse are refused with its status code', () => {
  const ssar: SelfReviewTarget = { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1' };
  const code = (type: string | undefined, body: string | Buffer): number => {
    try {
      readReviewBody(ssar, type, typeof body === 'string' ? Buffer.from(body) : body);
    } catch (e) {
      assert.ok(e instanceof ReviewBodyError, String(e));
      return e.code;
    }
    return 0;
  };
  assert.equal(code('application/json', '{"spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}}'), 0);
  assert.equal(code('application/json; charset=utf-8', '{"spec":{"nonResourceAttributes":{"verb":"get","path":"/healthz"}}}'), 0);
  assert.equal(code('application/json', '{"spec":{}}'), 422);
  assert.equal(code('application/json', '{"spec":{"resourceAttributes":{},"nonResourceAttributes":{}}}'), 422);
  assert.equal(code('application/json', '{"kind":"SelfSubjectRulesReview","spec":{"resourceAttributes":{}}}'), 400);
  assert.equal(code('application/json', '{"spec":{"resourceAttributes":{"verb":7}}}'), 400);
  assert.equal(code('application/json', 'not json'), 400);
  assert.equal(code('application/yaml', 'spec: {}'), 415);
  assert.equal(code(undefined, '{}'), 415);
  const pb = bodyOf(exchanges('111-auth-can-i-admin.json').find((e) => e.seq === 5053)!);
  assert.equal(code('application/vnd.kubernetes.protobuf', pb.subarray(0, pb.length - 20)), 400);
  assert.equal(code('application/vnd.kubernetes.protobuf', Buffer.from('{"spec":{}}')), 400);
  assert.throws(() => decodeReviewProtobuf(Buffer.concat([pb.subarray(0, 4), Buffer.from([0x0f])])), ReviewDecodeError);
  assert.throws(() => decodeReviewProtobuf(Buffer.concat([pb.subarray(0, 4), Buffer.alloc(11, 0xff)])), ReviewDecodeError);
});
