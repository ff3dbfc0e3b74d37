// Objects, Tables, protobuf requests, reviews and paging compared with kube-apiserver 1.32's
// recorded answers to the same requests (replayed from the fixtures' scenarios).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createKubeApiServer, type KubeApiServer } from './index.js';
import { FIXTURES_DIR, loadScenario, replayHeaders, requestBody, type Exchange } from '../../test/support/recorded-fixtures.js';
import { send, type Answer } from '../../test/support/simulated-cluster-client.js';

const skip = FIXTURES_DIR ? false : 'kube-apiserver fixtures not found (set KUBE_FIXTURES_DIR)';
type Doc = Record<string, any>;

function exchange(prefix: string, seq: number): Exchange {
  const e = loadScenario(prefix).exchanges.find((x) => x.seq === seq);
  assert.ok(e, `exchange ${seq} of scenario ${prefix}`);
  return e;
}
function recorded(prefix: string, seq: number): Doc {
  return JSON.parse(exchange(prefix, seq).response.body!.text!) as Doc;
}
async function replay(server: KubeApiServer, prefix: string, seq: number): Promise<Answer> {
  const e = exchange(prefix, seq);
  const body = requestBody(e);
  const res = await send(server, e.request.method, e.request.url, { headers: replayHeaders(e), body: body.length > 0 ? body : undefined });
  assert.ok(res.status < 300, `${prefix}/${seq}: ${res.status} ${res.text}`);
  assert.equal(res.status, e.response.status, `${prefix}/${seq} status`);
  return res;
}
/** A Table's cells with the Age-like (duration) cells blanked, since times differ. */
function cellsWithoutAge(table: Doc): unknown[][] {
  const ages = (table['columnDefinitions'] as Doc[]).map((c, i) => (c['name'] === 'Age' ? i : -1)).filter((i) => i >= 0);
  return (table['rows'] as Doc[]).map((r) => (r['cells'] as unknown[]).map((c, i) => (ages.includes(i) ? 'AGE' : c)));
}

describe('object and Table conformance', { skip }, () => {
  let server: KubeApiServer;
  let ns: Answer;
  let secret: Answer;
  let cm: Answer;
  before(async () => {
    server = await createKubeApiServer({ seed: 'empty' });
    ns = await replay(server, '10', 1095);
    secret = await replay(server, '11', 1097);
    cm = await replay(server, '12', 1099);
  });
  after(async () => {
    await server.close();
  });

  test('protobuf create namespace, secret and configmap (kubectl 1.32) store what kube-apiserver stored', () => {
    assert.equal(ns.headers['content-type'], 'application/json');
    const wantNs = recorded('13', 1104);
    assert.deepEqual(ns.json.metadata.labels, wantNs['metadata']['labels']);
    assert.deepEqual([ns.json.spec, ns.json.status], [wantNs['spec'], wantNs['status']]);
    assert.deepEqual(
      ns.json.metadata.managedFields.map((m: Doc) => [m['manager'], m['operation'], m['fieldsV1']]),
      wantNs['metadata']['managedFields'].map((m: Doc) => [m['manager'], m['operation'], m['fieldsV1']]),
    );
    const wantSecret = recorded('24', 1135);
    assert.deepEqual([secret.json.data, secret.json.type], [wantSecret['data'], wantSecret['type']]);
    assert.deepEqual(secret.json.metadata.managedFields[0].fieldsV1, wantSecret['metadata']['managedFields'][0]['fieldsV1']);
    const wantCm = recorded('26', 1146);
    assert.deepEqual(cm.json.data, wantCm['data']);
    assert.deepEqual(cm.json.metadata.managedFields[0].fieldsV1, wantCm['metadata']['managedFields'][0]['fieldsV1']);
  });

  test('kubectl 1.27 (JSON) and 1.33 (protobuf) create secret', async () => {
    const json = await replay(server, '18', 1294);
    assert.deepEqual(json.json.data, recorded('18', 1294)['data']);
    const pb = await replay(server, '18', 1296);
    assert.equal(pb.json.kind, 'Secret');
    assert.ok(Object.keys(pb.json.data).length > 0);
  });

  test('client-side apply of a Deployment (create, then strategic merge patch) gets the recorded defaults', async () => {
    const created = await replay(server, '13', 1105);
    const want = recorded('13', 1105);
    assert.deepEqual(created.json.spec, want['spec']);
    assert.deepEqual(created.json.metadata.annotations, want['metadata']['annotations']);
    assert.equal(created.json.metadata.generation, 1);
    const patched = await replay(server, '14', 1109);
    assert.deepEqual(patched.json.spec, recorded('14', 1109)['spec']);
    assert.equal(patched.json.metadata.generation, 2);
  });

  test('server-side apply creates (201) then updates (200) like fixture 15', async () => {
    const first = await replay(server, '15', 1112);
    assert.deepEqual(first.json.spec, recorded('15', 1112)['spec']);
    assert.equal(first.json.metadata.managedFields[0].manager, 'kubectl');
    assert.equal(first.json.metadata.managedFields[0].operation, 'Apply');
    const second = await replay(server, '15', 1115);
    assert.deepEqual(second.json.spec, recorded('15', 1115)['spec']);
  });

  test('Secret stringData is folded into base64 data on create and on strategic merge patch', async () => {
    const created = await replay(server, '16', 1121);
    const want = recorded('16', 1121);
    assert.deepEqual([created.json.data, created.json.type, created.json.stringData], [want['data'], want['type'], undefined]);
    assert.deepEqual(created.json.metadata.annotations, want['metadata']['annotations']);
    const patched = await replay(server, '19', 1463);
    assert.deepEqual(patched.json.data, recorded('19', 1463)['data']);
  });

  test('a Pod gets the recorded defaults and stays Pending without nodes', async () => {
    const created = await replay(server, '70', 1301);
    const want = structuredClone(recorded('70', 1301));
    delete want['spec']['volumes'];
    for (const c of want['spec']['containers']) delete c['volumeMounts'];
    assert.deepEqual(created.json.spec, want['spec']);
    assert.deepEqual(created.json.status, want['status']);
  });

  test('Tables: column definitions, cells and row objects of pods, secrets, configmaps and namespaces', async () => {
    const cases: [string, number][] = [
      ['70', 1303],
      ['20', 1125],
      ['25', 1138],
      ['26', 1144],
      ['50', 1212],
    ];
    for (const [prefix, seq] of cases) {
      const res = await replay(server, prefix, seq);
      const want = recorded(prefix, seq);
      assert.equal(res.json.kind, 'Table');
      assert.equal(res.json.apiVersion, 'meta.k8s.io/v1');
      assert.deepEqual(res.json.columnDefinitions, want['columnDefinitions'], `${prefix}/${seq}`);
      const ourNames = new Set((res.json.rows as Doc[]).map((r) => r['cells'][0]));
      const comparable = { ...want, rows: (want['rows'] as Doc[]).filter((r) => ourNames.has(r['cells'][0])) };
      assert.ok(comparable.rows.length > 0, `${prefix}/${seq} has rows in common`);
      assert.deepEqual(
        cellsWithoutAge({ ...res.json, rows: (res.json.rows as Doc[]).filter((r) => comparable.rows.some((w: Doc) => w['cells'][0] === r['cells'][0])) }),
        cellsWithoutAge(comparable),
        `${prefix}/${seq} cells`,
      );
      for (const row of res.json.rows as Doc[]) {
        assert.equal(row['object'].kind, 'PartialObjectMetadata');
        assert.ok(row['object'].metadata.uid && row['object'].metadata.creationTimestamp);
      }
    }
  });

  test('Table includeObject=Object/None/Metadata and PartialObjectMetadata(List)', async () => {
    const object = await replay(server, '27', 1148);
    assert.equal(object.json.rows[0].object.kind, 'Secret');
    assert.ok(object.json.rows[0].object.data);
    const none = await replay(server, '27', 1150);
    assert.equal(none.json.rows[0].object, null);
    assert.ok('object' in none.json.rows[0]);
    const meta = await replay(server, '27', 1152);
    const annotated = (meta.json.rows as Doc[]).find((r) => r['cells'][0] === 'applied-secret')!;
    assert.match(annotated['object'].metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'], /S3NT1NEL-STRTOKEN/);
    const list = await replay(server, '27', 1158);
    assert.deepEqual([list.json.kind, list.json.apiVersion, list.json.items[0].kind], ['PartialObjectMetadataList', 'meta.k8s.io/v1', 'PartialObjectMetadata']);
    assert.equal((await replay(server, '27', 1160)).json.kind, 'PartialObjectMetadata');
    const yaml = await replay(server, '27', 1164);
    assert.equal(yaml.headers['content-type'], 'application/yaml');
    const want = exchange('27', 1164).response.body!.text!;
    const shape = (y: string) =>
      y
        .replace(/"\d{4}-[^"]+"/g, 'T')
        .replace(/(uid|resourceVersion): .*/g, '$1')
        .replace(/"\."/g, '.');
    assert.equal(shape(yaml.text), shape(want));
  });

  test('plain lists: <Kind>List whose items carry no kind/apiVersion', async () => {
    const res = await replay(server, '21', loadScenario('21').exchanges[0]!.seq);
    const want = JSON.parse(loadScenario('21').exchanges[0]!.response.body!.text!) as Doc;
    assert.deepEqual([res.json.kind, res.json.apiVersion, Object.keys(res.json.metadata)], [want['kind'], want['apiVersion'], Object.keys(want['metadata'])]);
    assert.deepEqual(Object.keys(res.json.items[0]).slice(0, 1), ['metadata']);
  });

  test('SelfSubjectReview in protobuf answers the caller, impersonation included (fixtures 55, 56, 58)', async () => {
    const admin = await replay(server, '55', 1245);
    assert.deepEqual(Object.keys(admin.json), Object.keys(recorded('58', 1475)));
    assert.deepEqual(admin.json.status.userInfo, { username: 'admin', groups: ['system:masters', 'system:authenticated'] });
    const alice = await replay(server, '56', 1251);
    assert.deepEqual(alice.json.status.userInfo, { username: 'alice', uid: 'uid-alice-x', groups: ['dev', 'qa', 'system:authenticated'] });
    assert.deepEqual(server.lastImpersonation, { user: 'alice', groups: ['dev', 'qa'], uid: 'uid-alice-x', extra: {} });
    const json = await replay(server, '58', 1477);
    assert.deepEqual({ ...json.json, metadata: {} }, { ...recorded('58', 1477), metadata: {} });
    const ssar = await replay(server, '57', 1254);
    assert.equal(ssar.json.status.allowed, true);
    assert.equal(ssar.json.spec.resourceAttributes.resource, 'secrets');
  });

  test('limit/continue paging: the token format of fixture 40, every object exactly once', async () => {
    for (const ns of ['pa', 'pb']) {
      await send(server, 'POST', '/api/v1/namespaces', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: ns } }) });
      for (const n of ['x', 'y']) {
        await send(server, 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ metadata: { name: n } }),
        });
      }
    }
    const wantToken = JSON.parse(Buffer.from(recorded('40', 1421)['metadata']['continue'], 'base64url').toString()) as Doc;
    const all = await send(server, 'GET', '/api/v1/configmaps', { headers: { Accept: 'application/json' } });
    const seen: string[] = [];
    let path = '/api/v1/configmaps?limit=2';
    for (;;) {
      const page = await send(server, 'GET', path, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
      assert.ok(page.json.columnDefinitions.length > 0);
      seen.push(...(page.json.rows as Doc[]).map((r) => `${r['object'].metadata.namespace}/${r['cells'][0]}`));
      const token = page.json.metadata.continue as string | undefined;
      if (!token) {
        assert.deepEqual(Object.keys(page.json.metadata), ['resourceVersion']);
        break;
      }
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString()) as Doc;
      assert.deepEqual(Object.keys(decoded), Object.keys(wantToken));
      assert.equal(decoded['v'], wantToken['v']);
      assert.match(decoded['start'], /^[a-z0-9.-]+\/[a-z0-9.-]+\u0000$/);
      assert.equal(typeof page.json.metadata.remainingItemCount, 'number');
      path = `/api/v1/configmaps?continue=${token}&limit=2`;
    }
    assert.deepEqual(
      seen,
      (all.json.items as Doc[]).map((i) => `${i['metadata'].namespace}/${i['metadata'].name}`),
    );
  });
});
