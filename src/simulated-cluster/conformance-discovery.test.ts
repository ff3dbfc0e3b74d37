// Discovery answers compared with kube-apiserver 1.32's recorded ones (fixtures bodies/discovery/,
// scenarios 01-09): same content types, and for every resource served the same entry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createKubeApiServer, type KubeApiServer } from './index.js';
import { FIXTURES_DIR, loadBody, loadRecorded } from '../../test/support/recorded-fixtures.js';
import { send } from '../../test/support/simulated-cluster-client.js';

const skip = FIXTURES_DIR ? false : 'kube-apiserver fixtures not found (set KUBE_FIXTURES_DIR)';

type Doc = Record<string, any>;

describe('discovery conformance', { skip }, () => {
  let server: KubeApiServer;
  before(async () => {
    server = await createKubeApiServer({ seed: 'empty' });
  });
  after(async () => {
    await server.close();
  });

  const aggregated = [
    ['discovery/api-aggregated-v2.json', '/api'],
    ['discovery/apis-aggregated-v2.json', '/apis'],
    ['discovery/api-aggregated-v2beta1.json', '/api'],
    ['discovery/apis-aggregated-v2beta1.json', '/apis'],
  ] as const;
  for (const [file, path] of aggregated) {
    test(`${path} with the Accept of ${file} answers the same groups and resources`, async () => {
      const recorded = loadRecorded(file);
      const expected = loadBody<Doc>(file);
      const res = await send(server, 'GET', `${path}?timeout=32s`, { headers: { Accept: recorded.accept ?? '' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], recorded.contentType);
      assert.equal(res.headers['cache-control'], 'public');
      assert.match(String(res.headers['etag']), /^"[0-9A-F]{128}"$/);
      const got = res.json as Doc;
      assert.equal(got['kind'], expected['kind']);
      assert.equal(got['apiVersion'], expected['apiVersion']);
      assert.deepEqual(got['metadata'], expected['metadata']);
      assert.ok(got['items'].length > 0);
      for (const item of got['items'] as Doc[]) {
        const want = (expected['items'] as Doc[]).find((i) => i['metadata']['name'] === item['metadata']['name']);
        assert.ok(want, `group ${item['metadata']['name']} exists upstream`);
        assert.deepEqual(item['metadata'], want['metadata']);
        assert.equal(item['versions'].length, 1);
        const [v] = item['versions'] as Doc[];
        const wantV = (want['versions'] as Doc[]).find((x) => x['version'] === v!['version'])!;
        assert.equal(v!['freshness'], wantV['freshness']);
        for (const r of v!['resources'] as Doc[]) {
          const wantR = (wantV['resources'] as Doc[]).find((x) => x['resource'] === r['resource']);
          assert.deepEqual(r, wantR, `${item['metadata']['name'] ?? 'core'}/${r['resource']}`);
        }
      }
    });
  }

  test('If-None-Match with the ETag answers 304 without a body', async () => {
    const accept = loadRecorded('discovery/apis-aggregated-v2.json').accept ?? '';
    const first = await send(server, 'GET', '/apis', { headers: { Accept: accept } });
    const again = await send(server, 'GET', '/apis', { headers: { Accept: accept, 'If-None-Match': String(first.headers['etag']) } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
  });

  test('legacy /api and /apis match APIVersions and APIGroupList', async () => {
    const api = await send(server, 'GET', '/api', { headers: { Accept: 'application/json' } });
    const wantApi = loadBody<Doc>('discovery/api-legacy-APIVersions.json');
    assert.equal(api.headers['content-type'], 'application/json');
    assert.equal(api.json.kind, wantApi['kind']);
    assert.deepEqual(api.json.versions, wantApi['versions']);
    assert.deepEqual(Object.keys(api.json.serverAddressByClientCIDRs[0]), Object.keys(wantApi['serverAddressByClientCIDRs'][0]));
    const apis = await send(server, 'GET', '/apis', { headers: { Accept: 'application/json, */*' } });
    const wantApis = loadBody<Doc>('discovery/apis-legacy-APIGroupList.json');
    assert.equal(apis.json.kind, wantApis['kind']);
    assert.equal(apis.json.apiVersion, wantApis['apiVersion']);
    for (const g of apis.json.groups as Doc[]) {
      assert.deepEqual(
        g,
        (wantApis['groups'] as Doc[]).find((x) => x['name'] === g['name']),
      );
    }
    const apps = await send(server, 'GET', '/apis/apps', { headers: { Accept: 'application/json' } });
    assert.deepEqual(apps.json, loadBody('discovery/apis-apps-APIGroup.json'));
  });

  test('legacy APIResourceLists list the same entries (storageVersionHash included)', async () => {
    const docs = loadBody<{ documents?: Record<string, Doc> } & Doc>('discovery/legacy-group-version-APIResourceLists.json');
    const all = (docs['documents'] ?? docs) as Record<string, Doc>;
    for (const path of [
      '/api/v1',
      '/apis/apps/v1',
      '/apis/batch/v1',
      '/apis/rbac.authorization.k8s.io/v1',
      '/apis/authentication.k8s.io/v1',
      '/apis/authorization.k8s.io/v1',
    ]) {
      const want = (all[path]!['body'] ?? all[path]) as Doc;
      const res = await send(server, 'GET', path, { headers: { Accept: 'application/json, */*' } });
      assert.equal(res.status, 200, path);
      assert.equal(res.json.kind, want['kind']);
      assert.equal(res.json.apiVersion, want['apiVersion']);
      assert.equal(res.json.groupVersion, want['groupVersion']);
      for (const r of res.json.resources as Doc[]) {
        assert.deepEqual(
          r,
          (want['resources'] as Doc[]).find((x) => x['name'] === r['name']),
          `${path} ${r['name']}`,
        );
      }
    }
  });

  test('aggregated Accept on a group path is the 406 of the fixture', async () => {
    const res = await send(server, 'GET', '/apis/apps', { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } });
    assert.equal(res.status, 406);
    assert.deepEqual(res.json, loadBody('errors/406-aggregated-discovery-on-group-path.json'));
  });

  test('unknown group and non-API paths are the text/plain 404 of the Go mux', async () => {
    for (const path of ['/apis/nosuchgroup.example.com/v1/widgets', '/nonexistent/path', '/readyz/nosuchcheck']) {
      const res = await send(server, 'GET', path, { headers: { Accept: 'application/json' } });
      assert.equal(res.status, 404, path);
      assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(res.text, '404 page not found\n');
    }
  });

  test('/version, /healthz and /readyz?verbose have the recorded shapes', async () => {
    const version = await send(server, 'GET', '/version');
    const want = loadBody<Doc>('health/version.json');
    assert.deepEqual(Object.keys(version.json), Object.keys(want));
    assert.equal(version.json.gitVersion, 'v1.32.6');
    assert.match(version.json.gitCommit, /hoopctl/);
    assert.ok(version.text.startsWith('{\n  "major": "1"'));
    const healthz = await send(server, 'GET', '/healthz');
    assert.equal(healthz.text, 'ok');
    assert.equal(healthz.headers['content-type'], 'text/plain; charset=utf-8');
    const readyz = await send(server, 'GET', '/readyz?verbose=');
    assert.match(readyz.text, /^\[\+\]ping ok\n[\s\S]*readyz check passed\n$/);
  });
  test('a trailing slash answers like kube-apiserver (fixture 100): same 200 body, no redirect; /healthz/ 404; /apis/ legacy', async () => {
    const rows = loadBody<{ answers: Doc[] }>('discovery/trailing-slash-answers.json').answers.filter((a) => a['client'] === 'curl');
    server.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fix2' } });
    server.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fix2-config', namespace: 'fix2' }, data: { a: 'b' } });
    assert.ok(rows.length >= 16);
    for (const row of rows) {
      const path = String(row['request']).replace(/^GET /, '');
      const headers = { Accept: String(row['accept']) };
      const res = await send(server, 'GET', path, { headers });
      const label = `${path} (${row['accept']})`;
      assert.equal(res.status, row['status'], label);
      assert.equal(res.headers['location'], undefined, label);
      assert.equal(res.headers['content-type'], row['contentType'], label);
      assert.equal(res.headers['etag'] !== undefined, row['etag'] !== null, `${label}: Etag`);
      assert.ok(res.text.startsWith(String(row['bodyStartsWith']).slice(0, 12)), `${label}: ${res.text.slice(0, 60)}`);
      if (row['sameBodyAsWithoutSlash'] !== undefined) {
        const plain = await send(server, 'GET', path.replace(/\/$/, ''), { headers });
        assert.equal(res.text === plain.text, row['sameBodyAsWithoutSlash'], `${label}: same body as without the slash`);
      }
    }
  });
});
