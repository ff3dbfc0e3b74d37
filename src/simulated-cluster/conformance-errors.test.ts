// Status bodies compared field by field with kube-apiserver 1.32's (fixtures bodies/errors/,
// scenarios 52, 58, 60, 91), by replaying the recorded requests where there are some.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createKubeApiServer, type KubeApiServer } from './index.js';
import { FIXTURES_DIR, loadBody, loadScenario, replayHeaders, requestBody, type Exchange } from '../../test/support/recorded-fixtures.js';
import { send, type Answer } from '../../test/support/simulated-cluster-client.js';

const skip = FIXTURES_DIR ? false : 'kube-apiserver fixtures not found (set KUBE_FIXTURES_DIR)';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

function find(prefix: string, pred: (e: Exchange) => boolean): Exchange {
  const e = loadScenario(prefix).exchanges.find(pred);
  assert.ok(e, `exchange in scenario ${prefix}`);
  return e;
}

function replay(server: KubeApiServer, e: Exchange): Promise<Answer> {
  const body = requestBody(e);
  return send(server, e.request.method, e.request.url, { headers: replayHeaders(e), body: body.length > 0 ? body : undefined });
}

function assertStatus(res: Answer, fixture: string): void {
  const want = loadBody<Record<string, unknown>>(fixture);
  assert.equal(res.status, want['code'], fixture);
  assert.equal(res.headers['content-type'], 'application/json', fixture);
  assert.deepEqual(res.json, want, fixture);
}

describe('error Status conformance', { skip }, () => {
  let server: KubeApiServer;
  before(async () => {
    server = await createKubeApiServer({ seed: 'empty' });
    const ns = await send(server, 'POST', '/api/v1/namespaces', {
      headers: { 'Content-Type': 'application/json' },
      body: '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"demo"}}',
    });
    assert.equal(ns.status, 201);
    const secret = await replay(
      server,
      find('16', (e) => e.request.method === 'POST'),
    );
    assert.equal(secret.status, 201);
    const cm = await replay(
      server,
      find('12', (e) => e.request.method === 'POST'),
    );
    assert.equal(cm.status, 201);
  });
  after(async () => {
    await server.close();
  });

  test('404 NotFound for a missing object, a missing namespace and an unknown resource', async () => {
    assertStatus(await send(server, 'GET', '/api/v1/namespaces/demo/secrets/missing', { headers: { Accept: TABLE } }), 'errors/404-secret-not-found.json');
    assertStatus(await send(server, 'GET', '/api/v1/namespaces/nosuchns', { headers: { Accept: 'application/json' } }), 'errors/404-namespace-not-found.json');
    assertStatus(await send(server, 'GET', '/api/v1/namespaces/demo/widgets', { headers: { Accept: 'application/json' } }), 'errors/404-unknown-resource.json');
  });

  test('409 AlreadyExists and 409 Conflict', async () => {
    assertStatus(
      await replay(
        server,
        find('58', (e) => e.request.method === 'POST' && e.request.url === '/api/v1/namespaces'),
      ),
      'errors/409-already-exists.json',
    );
    assertStatus(
      await replay(
        server,
        find('58', (e) => e.request.method === 'PUT'),
      ),
      'errors/409-conflict-stale-resourceVersion.json',
    );
  });

  test('422 Invalid with causes, for a ConfigMap name and a Deployment', async () => {
    assertStatus(
      await replay(
        server,
        find('58', (e) => e.response.status === 422),
      ),
      'errors/422-invalid-configmap-name.json',
    );
    assertStatus(
      await replay(
        server,
        find('52', (e) => e.request.method === 'POST' && e.request.url.includes('kubectl-create') && e.request.url.includes('deployments')),
      ),
      'errors/422-invalid-deployment.json',
    );
  });

  test('400 for a malformed continue token and a malformed JSON body', async () => {
    assertStatus(
      await send(server, 'GET', '/api/v1/configmaps?limit=2&continue=not-base64!', { headers: { Accept: 'application/json' } }),
      'errors/400-invalid-continue-token.json',
    );
    const res = await replay(
      server,
      find('58', (e) => e.request.body.text === '{not json'),
    );
    const want = loadBody<Record<string, string>>('errors/400-malformed-json-body.json');
    assert.equal(res.status, 400);
    assert.deepEqual({ ...res.json, message: undefined }, { ...want, message: undefined });
    assert.ok(res.json.message.startsWith("the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: "));
  });

  test('401 for an unknown token, without priority-and-fairness headers', async () => {
    const res = await send(server, 'GET', '/api/v1/namespaces/demo/secrets?limit=500', { headers: { Accept: TABLE }, auth: 'not-a-token' });
    assertStatus(res, 'errors/401-unauthorized.json');
    assert.equal(res.headers['x-kubernetes-pf-flowschema-uid'], undefined);
    assert.equal((await send(server, 'GET', '/api', { auth: false })).status, 401);
  });

  test('406 and 415 for media types the server does not speak', async () => {
    assertStatus(
      await send(server, 'GET', '/api/v1/namespaces/demo/secrets', { headers: { Accept: 'application/cbor' } }),
      'errors/406-cbor-not-acceptable.json',
    );
    assertStatus(
      await send(server, 'GET', '/api/v1/namespaces/demo/secrets', { headers: { Accept: 'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io' } }),
      'errors/406-table-as-protobuf.json',
    );
    assertStatus(
      await send(server, 'POST', '/api/v1/namespaces/demo/configmaps', { headers: { Accept: '*/*', 'Content-Type': 'application/cbor' }, body: '' }),
      'errors/415-unsupported-media-type-cbor.json',
    );
  });

  test('DELETE answers the Success Status of fixture 60; deletecollection the list of fixture 58', async () => {
    const want = JSON.parse(find('60', (e) => e.request.method === 'DELETE').response.body!.text!) as Record<string, any>;
    const created = await send(server, 'POST', '/api/v1/namespaces/demo/configmaps', {
      headers: { 'Content-Type': 'application/json' },
      body: '{"metadata":{"name":"tmp-a"},"data":{"k":"v"}}',
    });
    const res = await send(server, 'DELETE', '/api/v1/namespaces/demo/configmaps/tmp-a', {
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: '{"propagationPolicy":"Background"}\n',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { ...want, details: { ...want['details'], uid: created.json.metadata.uid } });
    const list = await replay(
      server,
      find('58', (e) => e.request.method === 'DELETE'),
    );
    assert.equal(list.status, 200);
    assert.deepEqual({ ...list.json, metadata: {} }, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items: [] });
    assert.match(list.json.metadata.resourceVersion, /^\d+$/);
  });

  test('a namespace held by a finalizer stays Terminating: 409 "being deleted" and 403 NamespaceTerminating', async () => {
    const own = await createKubeApiServer({ seed: 'empty' });
    try {
      await send(own, 'POST', '/api/v1/namespaces', { headers: { 'Content-Type': 'application/json' }, body: '{"metadata":{"name":"demo"}}' });
      await send(own, 'POST', '/api/v1/namespaces/demo/configmaps', {
        headers: { 'Content-Type': 'application/json' },
        body: '{"metadata":{"name":"held","finalizers":["example.com/hold"]}}',
      });
      const del = await send(own, 'DELETE', '/api/v1/namespaces/demo', {
        headers: { 'Content-Type': 'application/json' },
        body: '{"propagationPolicy":"Background"}',
      });
      assert.equal(del.json.status.phase, 'Terminating');
      assert.ok(del.json.metadata.deletionTimestamp);
      await own.settled();
      const again = await send(own, 'POST', '/api/v1/namespaces', { headers: { 'Content-Type': 'application/json' }, body: '{"metadata":{"name":"demo"}}' });
      assert.equal(again.status, 409);
      assert.equal(again.json.message, 'object is being deleted: namespaces "demo" already exists');
      assertStatus(
        await replay(
          own,
          find('91', (e) => e.response.status === 403),
        ),
        'errors/403-namespace-terminating.json',
      );
      const release = await send(own, 'PATCH', '/api/v1/namespaces/demo/configmaps/held', {
        headers: { 'Content-Type': 'application/merge-patch+json' },
        body: '{"metadata":{"finalizers":null}}',
      });
      assert.equal(release.status, 200);
      await own.settled();
      assert.equal((await send(own, 'GET', '/api/v1/namespaces/demo')).status, 404);
    } finally {
      await own.close();
    }
  });

  test('exec, attach and port-forward of a pod without a node: the recorded 400, never a session', async () => {
    await send(server, 'POST', '/api/v1/namespaces/demo/pods', {
      headers: { 'Content-Type': 'application/json' },
      body: '{"metadata":{"name":"p"},"spec":{"containers":[{"name":"main","image":"busybox:1.36"}]}}',
    });
    for (const sub of ['exec?command=echo&container=main&stdout=true', 'attach', 'portforward']) {
      const res = await send(server, 'POST', `/api/v1/namespaces/demo/pods/p/${sub}`, { headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1' } });
      assert.equal(res.status, 400);
      assert.equal(res.json.kind, 'Status');
      assert.equal(res.json.message, 'pod p does not have a host assigned');
    }
    const missing = await send(server, 'GET', '/api/v1/namespaces/demo/pods/nope/exec?command=ls');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'pods "nope" not found');
  });
});
