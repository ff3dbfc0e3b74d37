// SelfSubjectAccessReview answers compared with kube-apiserver 1.32's (fixture 113, replayed): the
// attributes echoed, the creating client recorded as field manager, and a bare `{allowed}` status.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createKubeApiServer, type KubeApiServer } from './index.js';
import { FIXTURES_DIR, loadScenario, replayHeaders, requestBody } from '../../test/support/recorded-fixtures.js';
import { send } from '../../test/support/simulated-cluster-client.js';

const skip = FIXTURES_DIR ? false : 'kube-apiserver fixtures not found (set KUBE_FIXTURES_DIR)';
type Doc = Record<string, any>;

describe('SelfSubjectAccessReview conformance', { skip }, () => {
  let server: KubeApiServer;
  before(async () => {
    server = await createKubeApiServer({ seed: 'empty' });
    // kube-apiserver 1.32 said no to carol (no bindings) for every attribute set of fixture 113.
    server.denyAccess({ user: 'carol@example.com' });
  });
  after(async () => server.close());

  test('every recorded SelfSubjectAccessReview gets the recorded answer (admin yes, impersonated carol no)', async () => {
    const reviews = loadScenario('113').exchanges.filter((e) => e.request.url.endsWith('/selfsubjectaccessreviews'));
    assert.equal(reviews.length, 6);
    for (const e of reviews) {
      const res = await send(server, 'POST', e.request.url, { headers: replayHeaders(e), body: requestBody(e) });
      const want = JSON.parse(e.response.body!.text!) as Doc;
      assert.equal(res.status, e.response.status, `seq ${e.seq}`);
      const got = res.json as Doc;
      assert.deepEqual(got['status'], want['status'], `seq ${e.seq} status`);
      assert.deepEqual(got['spec'], want['spec'], `seq ${e.seq} spec`);
      const strip = (m: Doc[]) => m.map((f) => ({ ...f, time: 'T' }));
      assert.deepEqual(strip(got['metadata']['managedFields']), strip(want['metadata']['managedFields']), `seq ${e.seq} managedFields`);
      assert.deepEqual(Object.keys(got), Object.keys(want));
    }
  });

  test('a denial applies only to its user and attributes', async () => {
    server.denyAccess({ user: 'dave', verb: 'delete', resource: 'namespaces' });
    const ask = async (as: string, verb: string, resource: string): Promise<boolean> => {
      const body = JSON.stringify({ kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { resourceAttributes: { verb, resource } } });
      const res = await send(server, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        headers: { 'Content-Type': 'application/json', 'Impersonate-User': as },
        body,
      });
      assert.equal(res.status, 201, res.text);
      return (res.json as Doc)['status']['allowed'] as boolean;
    };
    assert.equal(await ask('dave', 'delete', 'namespaces'), false);
    assert.equal(await ask('dave', 'get', 'namespaces'), true);
    assert.equal(await ask('erin', 'delete', 'namespaces'), true);
  });
});
