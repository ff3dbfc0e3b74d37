// Request bodies recorded from kubectl 1.32 (fixtures 10, 11, 56, 57), decoded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeKubeProtobuf, isKubeProtobuf } from './protobuf.js';
import { ApiError } from './status.js';

const hex = (h: string) => Buffer.from(h, 'hex');
const CREATE_NAMESPACE = '6b3873000a0f0a02763112094e616d657370616365121c0a140a0464656d6f12001a0022002a0032003800420012001a020a001a002200';
const CREATE_SECRET =
  '6b3873000a0c0a027631120653656372657412600a1c0a0864622d637265647312001a0464656d6f22002a00320038004200121e0a0870617373776f7264121253334e54314e454c2d504153532d30303032121e0a08757365726e616d65121253334e54314e454c2d555345522d303030311a001a002200';
const WHOAMI =
  '6b3873000a2d0a1861757468656e7469636174696f6e2e6b38732e696f2f7631121153656c665375626a656374526576696577121a0a100a0012001a0022002a0032003800420012060a040a0012001a002200';
const CAN_I =
  '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577123d0a100a0012001a0022002a00320038004200121f0a1d0a0464656d6f12046c6973741a0022002a077365637265747332003a001a08080012001a0020001a002200';

test('decodes kubectl create namespace', () => {
  assert.deepEqual(decodeKubeProtobuf(hex(CREATE_NAMESPACE)), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' }, spec: {} });
});

test('decodes kubectl create secret generic: raw bytes become base64 data, empty type is left out', () => {
  assert.deepEqual(decodeKubeProtobuf(hex(CREATE_SECRET)), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db-creds', namespace: 'demo' },
    data: { password: Buffer.from('S3NT1NEL-PASS-0002').toString('base64'), username: Buffer.from('S3NT1NEL-USER-0001').toString('base64') },
  });
});

test('decodes auth whoami and auth can-i reviews', () => {
  assert.deepEqual(decodeKubeProtobuf(hex(WHOAMI)), { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} });
  const review = decodeKubeProtobuf(hex(CAN_I));
  assert.equal(review.kind, 'SelfSubjectAccessReview');
  assert.deepEqual((review['spec'] as { resourceAttributes: unknown }).resourceAttributes, { namespace: 'demo', verb: 'list', resource: 'secrets' });
});

test('refuses what it cannot read: no magic (400), truncated (400), an undecodable kind (415)', () => {
  assert.equal(isKubeProtobuf(Buffer.from('{}')), false);
  const code = (h: Buffer) => {
    try {
      decodeKubeProtobuf(h);
      return 0;
    } catch (e) {
      return e instanceof ApiError ? e.code : -1;
    }
  };
  assert.equal(code(Buffer.from('{"kind":"Secret"}')), 400);
  assert.equal(code(hex(CREATE_SECRET).subarray(0, 40)), 400);
  const str = (no: number, v: string) => Buffer.concat([Buffer.from([no * 8 + 2, v.length]), Buffer.from(v)]);
  const typeMeta = Buffer.concat([str(1, 'apps/v1'), str(2, 'DaemonSet')]);
  const daemonSet = Buffer.concat([hex('6b387300'), Buffer.from([0x0a, typeMeta.length]), typeMeta, hex('1200')]);
  assert.equal(code(daemonSet), 415);
});
