// Signing-key rotation across two replicas on one PostgreSQL: a rotation made in the store reaches both,
// JWKS keeps the previous key while its tokens can live, sessions survive, and an emergency rotation
// (retire previous) makes both refuse the old tokens. The replicas have different publicUrls and still
// accept each other's sessions: the issuer comes from the store.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import type { CreateSessionResponse } from '../../src/api/wire.js';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import { createGateway, type RunningGateway } from '../../src/gateway/create-gateway.js';
import { rotateSigningKey } from '../../src/gateway/signing-keys.js';
import { createEmbeddedIdp, type EmbeddedIdp } from '../../src/quickstart/embedded-idp.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { createKubeApiServer, type KubeApiServer } from '../../src/simulated-cluster/index.js';
import { createTestDatabase, postgresSkip, type TestDatabase } from '../support/postgres-test-db.js';
import { idTokenFor, send, USERS, writeGatewayConfig, type EchoUpstream } from './gateway-harness.js';

const skip = postgresSkip();
const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('signing-key rotation across replicas on PostgreSQL', { skip }, () => {
  let dir: string;
  let db: TestDatabase;
  let idp: EmbeddedIdp;
  let kube: KubeApiServer;
  const stores: Store[] = [];
  const gateways: RunningGateway[] = [];
  const logs: string[][] = [[], []];
  let idToken: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hoop-rotate-'));
    db = await createTestDatabase();
    idp = await createEmbeddedIdp({ users: USERS });
    kube = await createKubeApiServer({ tls: true });
    const echo = { url: 'http://127.0.0.1:9' } as EchoUpstream;
    const env = { TEST_GATEWAY_DATABASE_URL: db.url };
    for (const [i, publicUrl] of ['https://a.gateway.test', 'https://b.gateway.test'].entries()) {
      const sub = join(dir, String(i));
      await rm(sub, { recursive: true, force: true });
      await import('node:fs/promises').then((fs) => fs.mkdir(sub));
      const file = await writeGatewayConfig(sub, idp, kube, echo, {
        publicUrl,
        store: { postgres: { urlEnv: 'TEST_GATEWAY_DATABASE_URL', maxConnections: 4 } },
      });
      const config = await loadGatewayConfig(file, { readFile: (p) => readFile(p, 'utf8'), env });
      const store = await openPostgresStore({ url: config.store.postgres!.url });
      stores.push(store);
      // Re-read the keys every 100 ms (10 s in production) so the test waits on the real pick-up path.
      gateways.push(await createGateway({ config, store, keyReloadMs: 100, logger: (l) => logs[i]!.push(l) }));
    }
    idToken = await idTokenFor(idp, 'alice');
  });

  after(async () => {
    for (const g of gateways) await g.close().catch(() => undefined);
    for (const s of stores) await s.close().catch(() => undefined);
    for (const step of [() => kube?.close(), () => idp?.close(), () => db?.drop()])
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const open = async (g: RunningGateway): Promise<CreateSessionResponse> => {
    const r = await send(g.url, 'POST', '/v1/sessions', { ...bearer(idToken), 'content-type': 'application/json' }, JSON.stringify({ connection: 'prod' }));
    assert.equal(r.status, 201, r.body);
    return r.json as CreateSessionResponse;
  };
  const list = (g: RunningGateway, token: string) => send(g.url, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(token));
  const jwksKids = async (g: RunningGateway): Promise<string[]> =>
    ((await send(g.url, 'GET', '/.well-known/jwks.json')).json.keys as { kid: string }[]).map((k) => k.kid).sort();

  test("replicas with different publicUrls share the issuer from the store and accept each other's sessions", async () => {
    const [a, b] = gateways as [RunningGateway, RunningGateway];
    const s = await open(b);
    assert.equal((await list(a, s.token)).status, 200);
    assert.equal((await list(b, (await open(a)).token)).status, 200);
    assert.ok(
      logs[1]!.some((l) => l.includes('keep the issuer https://a.gateway.test')),
      logs[1]!.join('\n'),
    );
  });

  test('rotate: both replicas sign with the new key, JWKS serves both, old sessions keep working', async () => {
    const [a, b] = gateways as [RunningGateway, RunningGateway];
    const old = await open(a);
    const oldKid = decodeProtectedHeader(old.token).kid!;
    const { kid } = await rotateSigningKey(stores[0]!, { now: Date.now });
    assert.notEqual(kid, oldKid);
    for (const g of [a, b]) {
      await until('the replica signs with the new key', async () => decodeProtectedHeader((await open(g)).token).kid === kid);
      assert.deepEqual(await jwksKids(g), [kid, oldKid].sort());
      assert.equal((await list(g, old.token)).status, 200, 'a session opened before the rotation survives it');
    }
  });

  test('rotate --retire-previous: both replicas refuse tokens of the retired keys, new sessions work', async () => {
    const [a, b] = gateways as [RunningGateway, RunningGateway];
    const old = await open(b);
    const oldKid = decodeProtectedHeader(old.token).kid!;
    assert.equal((await list(a, old.token)).status, 200, 'verified (and cached) before the retirement');
    const { kid, retired } = await rotateSigningKey(stores[1]!, { now: Date.now, retirePrevious: true });
    assert.ok(retired.includes(oldKid));
    for (const g of [a, b]) {
      await until('the replica refuses the retired key', async () => (await list(g, old.token)).status === 401);
      const refused = await list(g, old.token);
      assert.match(refused.json.message, /retired key/);
      assert.deepEqual(await jwksKids(g), [kid]);
      const fresh = await open(g);
      assert.equal(decodeProtectedHeader(fresh.token).kid, kid);
      assert.equal((await list(g === a ? b : a, fresh.token)).status, 200);
    }
  });
});
