// Two gateway replicas on one PostgreSQL: a session revoked through replica B has its watch on replica A cut
// within a second and its credential refused by A at once (LISTEN/NOTIFY), though A caches sessions for a minute.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateSessionResponse } from '../../src/api/wire.js';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import { createGateway, type RunningGateway } from '../../src/gateway/create-gateway.js';
import { startGatewayFromConfigFile } from '../../src/gateway/serve.js';
import { createEmbeddedIdp, type EmbeddedIdp } from '../../src/quickstart/embedded-idp.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { createKubeApiServer, type KubeApiServer } from '../../src/simulated-cluster/index.js';
import { createTestDatabase, postgresSkip, type TestDatabase } from '../support/postgres-test-db.js';
import { idTokenFor, send, USERS, writeGatewayConfig, type EchoUpstream } from './gateway-harness.js';

const skip = postgresSkip();
const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

describe('gateway replicas on PostgreSQL', { skip }, () => {
  let dir: string;
  let db: TestDatabase;
  let idp: EmbeddedIdp;
  let kube: KubeApiServer;
  let storeA: Store;
  let a: RunningGateway;
  let b: RunningGateway;
  const logB: string[] = [];
  let aliceIdToken: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hoop-replicas-'));
    db = await createTestDatabase();
    idp = await createEmbeddedIdp({ users: USERS });
    kube = await createKubeApiServer({ tls: true });
    // The exec upstream is not used here; its connection only needs a URL.
    const echo = { url: 'http://127.0.0.1:9' } as EchoUpstream;
    // Behind a load balancer every replica issues and accepts tokens for one public URL.
    const file = await writeGatewayConfig(dir, idp, kube, echo, {
      publicUrl: 'https://gateway.replicas.test',
      store: { postgres: { urlEnv: 'TEST_GATEWAY_DATABASE_URL', maxConnections: 4 } },
    });
    const env = { TEST_GATEWAY_DATABASE_URL: db.url };
    // A: in-process, with a session cache far longer than the test, so only the NOTIFY can make it refuse in time.
    const config = await loadGatewayConfig(file, { readFile: (p) => readFile(p, 'utf8'), env });
    storeA = await openPostgresStore({ url: config.store.postgres!.url });
    a = await createGateway({ config, store: storeA, sessionCacheMs: 60_000 });
    // B: the `hoopctl gateway serve` composition root, started after A so both use the signing key A created.
    b = await startGatewayFromConfigFile(file, { env, log: (line) => logB.push(line) });
    aliceIdToken = await idTokenFor(idp, 'alice');
  });

  after(async () => {
    for (const step of [() => a?.close(), () => storeA?.close(), () => b?.close(), () => kube?.close(), () => idp?.close(), () => db?.drop()]) {
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    }
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('B logs its store without the password', () => {
    const line = logB.find((l) => l.startsWith('gateway listening on')) ?? '';
    const password = new URL(db.url).password;
    assert.match(line, /store postgres postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/hoopctl_test_/);
    assert.ok(password !== '' && !logB.join('\n').includes(password), 'the password is in no log line');
  });

  test('both replicas mask a value with the same digest marker (one key in the store)', async () => {
    const created = await send(
      a.url,
      'POST',
      '/v1/sessions',
      { ...bearer(aliceIdToken), 'content-type': 'application/json' },
      JSON.stringify({ connection: 'prod' }),
    );
    assert.equal(created.status, 201, created.body);
    const s = created.json as CreateSessionResponse;
    kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'replica-masked', namespace: 'default' }, data: { db_password: 'hunter2' } });
    const path = '/k8s/prod/api/v1/namespaces/default/configmaps/replica-masked';
    const [fromA, fromB] = await Promise.all([send(a.url, 'GET', path, bearer(s.token)), send(b.url, 'GET', path, bearer(s.token))]);
    assert.match(fromA.json.data.db_password, /^\*\*hoopctl-masked:[0-9a-f]{16}\*\*$/);
    assert.equal(fromB.json.data.db_password, fromA.json.data.db_password);
  });

  test('DELETE on B cuts the watch held by A within 1 s, and A refuses the credential at once', async () => {
    const created = await send(
      a.url,
      'POST',
      '/v1/sessions',
      { ...bearer(aliceIdToken), 'content-type': 'application/json' },
      JSON.stringify({ connection: 'prod' }),
    );
    assert.equal(created.status, 201, created.body);
    const s = created.json as CreateSessionResponse;
    // Through A: list (A now caches the session as live), then a watch that stays open.
    const list = await send(a.url, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(s.token));
    assert.equal(list.status, 200, list.body);
    const rv = list.json.metadata.resourceVersion as string;
    const watch = http.get(`${a.url}/k8s/prod/api/v1/namespaces/default/configmaps?resourceVersion=${rv}&watch=true`, {
      headers: bearer(s.token),
      agent: false,
    });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      watch.on('response', resolve);
      watch.on('error', reject);
    });
    assert.equal(res.statusCode, 200);
    const closed = new Promise<number>((resolve) => {
      res.on('close', () => resolve(Date.now()));
      res.on('error', () => undefined);
    });
    const first = new Promise<string>((resolve) => res.once('data', (c: Buffer) => resolve(c.toString('utf8'))));
    kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'replica-watched', namespace: 'default' }, data: { a: '1' } });
    assert.equal(JSON.parse((await first).split('\n')[0]!).object.metadata.name, 'replica-watched');
    // B knows the session and accepts its credential too.
    assert.equal((await send(b.url, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(s.token))).status, 200);

    const t0 = Date.now();
    const del = await send(b.url, 'DELETE', `/v1/sessions/${s.sessionId}`, bearer(s.token));
    assert.equal(del.status, 204, del.body);
    const closedAt = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(Infinity), 3_000))]);
    assert.ok(closedAt - t0 < 1000, `A closed the watch ${closedAt - t0} ms after the DELETE on B`);

    const refused = await send(a.url, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(s.token));
    assert.equal(refused.status, 401, refused.body);
    assert.match(refused.json.message, /has ended/);
    for (let i = 0; i < 50 && kube.counts().openWatches > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(kube.counts().openWatches, 0, 'the upstream watch was closed too');
    const ended = await storeA.getSession(s.sessionId);
    assert.match(ended?.endReason ?? '', /^ended by alice/);
  });
});
