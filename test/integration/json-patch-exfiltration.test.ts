// Attack finding F1: a JSON patch that copies or moves a masked value into a field the gateway does not mask would
// bring it back in clear (with ?dryRun=All without storing anything). The gateway refuses copy / move / test.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findSentinels } from '../support/sentinels.js';
import { POLICY, send, startHarness, type Harness } from './gateway-harness.js';

const SECRET = 'S3NT1NEL-JSONPATCH-01';
let h: Harness;
let token: string;

describe('JSON patches cannot move masked values into the clear', () => {
  before(async () => {
    h = await startHarness({ config: { policy: { ...POLICY, bindings: [{ groups: ['dev'], connections: ['prod'], roles: ['edit'] }] } } });
    h.kube.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec1', namespace: 'default' }, type: 'Opaque', data: { pw: Buffer.from(SECRET).toString('base64') } });
    h.kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1', namespace: 'default' }, data: { db_password: SECRET, plain: 'x' } });
    const r = await send(h.gateway.url, 'POST', '/v1/sessions', { authorization: `Bearer ${h.idTokens.alice}`, 'content-type': 'application/json' }, JSON.stringify({ connection: 'prod' }));
    assert.equal(r.status, 201, r.body);
    token = r.json.token as string;
  });
  after(() => h.close());

  test('copy, move and test are refused with a Status; nothing reaches upstream; add/replace still work', async () => {
    const patch = (path: string, ops: unknown[]) => send(h.gateway.url, 'PATCH', `/k8s/prod${path}?dryRun=All`,
      { authorization: `Bearer ${token}`, 'content-type': 'application/json-patch+json' }, JSON.stringify(ops));
    const before = h.kube.requests.length;
    for (const [path, ops] of [
      ['/api/v1/namespaces/default/secrets/sec1', [{ op: 'copy', from: '/data/pw', path: '/metadata/annotations/leak' }]],
      ['/api/v1/namespaces/default/configmaps/cm1', [{ op: 'copy', from: '/data/db_password', path: '/data/plain2' }]],
      ['/api/v1/namespaces/default/configmaps/cm1', [{ op: 'move', from: '/data/db_password', path: '/data/plain2' }]],
      ['/api/v1/namespaces/default/secrets/sec1', [{ op: 'test', path: '/data/pw', value: Buffer.from(SECRET).toString('base64') }]],
    ] as const) {
      const r = await patch(path, [...ops]);
      assert.equal(r.status, 422, r.body);
      assert.equal(r.json.kind, 'Status');
      assert.deepEqual(findSentinels(r.body, [SECRET]), []);
    }
    assert.deepEqual(h.kube.requests.slice(before).map((q) => q.url), [], 'nothing was forwarded');
    const ok = await patch('/api/v1/namespaces/default/configmaps/cm1', [{ op: 'replace', path: '/data/plain', value: 'y' }]);
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(findSentinels(ok.body, [SECRET]), []);
  });
});
