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
    // edit also on apps (Deployments), for the env rename.
    const roles = POLICY.roles.map((r) => (r.name === 'edit' ? { ...r, rules: r.rules.map((x) => ({ ...x, apiGroups: ['', 'apps'] })) } : r));
    h = await startHarness({ config: { policy: { ...POLICY, roles, bindings: [{ groups: ['dev'], connections: ['prod'], roles: ['edit'] }] } } });
    h.kube.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sec1', namespace: 'default' },
      type: 'Opaque',
      data: { pw: Buffer.from(SECRET).toString('base64') },
    });
    h.kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1', namespace: 'default' }, data: { db_password: SECRET, plain: 'x' } });
    h.kube.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'envleak', namespace: 'default' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'envleak' } },
        template: {
          metadata: { labels: { app: 'envleak' } },
          spec: { containers: [{ name: 'c', image: 'busybox', env: [{ name: 'DB_PASSWORD', value: SECRET }] }] },
        },
      },
    });
    const r = await send(
      h.gateway.url,
      'POST',
      '/v1/sessions',
      { authorization: `Bearer ${h.idTokens.alice}`, 'content-type': 'application/json' },
      JSON.stringify({ connection: 'prod' }),
    );
    assert.equal(r.status, 201, r.body);
    token = r.json.token as string;
  });
  after(() => h.close());

  test('copy, move and test are refused with a Status; nothing reaches upstream; add/replace still work', async () => {
    const patch = (path: string, ops: unknown[]) =>
      send(
        h.gateway.url,
        'PATCH',
        `/k8s/prod${path}?dryRun=All`,
        { authorization: `Bearer ${token}`, 'content-type': 'application/json-patch+json' },
        JSON.stringify(ops),
      );
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
    assert.deepEqual(
      h.kube.requests.slice(before).map((q) => q.url),
      [],
      'nothing was forwarded',
    );
    const ok = await patch('/api/v1/namespaces/default/configmaps/cm1', [{ op: 'replace', path: '/data/plain', value: 'y' }]);
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(findSentinels(ok.body, [SECRET]), []);
  });

  test('renaming a masked env variable or changing the kind is refused with a Status that says what to do; replacing the whole entry works (attack finding 1)', async () => {
    const patch = (path: string, ops: unknown[]) =>
      send(
        h.gateway.url,
        'PATCH',
        `/k8s/prod${path}?dryRun=All`,
        { authorization: `Bearer ${token}`, 'content-type': 'application/json-patch+json' },
        JSON.stringify(ops),
      );
    const deploy = '/apis/apps/v1/namespaces/default/deployments/envleak';
    const env0 = '/spec/template/spec/containers/0/env/0';
    const before = h.kube.requests.length;
    for (const [path, ops] of [
      [deploy, [{ op: 'replace', path: `${env0}/name`, value: 'PLAIN' }]],
      [deploy, [{ op: 'add', path: `${env0}/name`, value: 'PLAIN' }]],
      [deploy, [{ op: 'remove', path: `${env0}/name` }]],
      ['/api/v1/namespaces/default/secrets/sec1', [{ op: 'replace', path: '/kind', value: 'ConfigMap' }]],
    ] as const) {
      const r = await patch(path, [...ops]);
      assert.equal(r.status, 422, r.body);
      assert.equal(r.json.kind, 'Status');
      assert.deepEqual(findSentinels(r.body, [SECRET]), []);
    }
    const refused = await patch(deploy, [{ op: 'replace', path: `${env0}/name`, value: 'PLAIN' }]);
    assert.match(refused.json.message as string, /rename an environment variable and keep its value.*replace the whole entry with its value/);
    assert.deepEqual(
      h.kube.requests.slice(before).map((q) => q.url),
      [],
      'nothing was forwarded',
    );
    const ok = await patch(deploy, [{ op: 'replace', path: env0, value: { name: 'PLAIN', value: 'new-value' } }]);
    assert.equal(ok.status, 200, ok.body);
    assert.match(ok.body, /"name":"PLAIN","value":"new-value"/);
    assert.deepEqual(findSentinels(ok.body, [SECRET]), []);
  });
});
