// Signing-key rotation across two replicas on one PostgreSQL: a rotation made in the store reaches both,
// JWKS keeps the previous key while its tokens can live, sessions survive, and an emergency rotation
// (retire previous) makes both refuse the old tokens. The replicas have different publicUrls and still
// accept each other's sessions: the issuer comes from the store.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader } from 'jose';
import type { CreateSessionResponse } from '../../src/api/wire.js';
import type { RunningGateway } from '../../src/gateway/create-gateway.js';
import { rotateSigningKey } from '../../src/gateway/signing-keys.js';
import type { Store } from '../../src/store/store.js';
import { postgresSkip } from '../support/postgres-test-db.js';
import { idTokenFor, send } from './gateway-harness.js';
import { startPostgresReplicas, type PostgresReplicas } from './postgres-replicas.js';

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
  let replicas: PostgresReplicas;
  let stores: Store[];
  let gateways: RunningGateway[];
  const logs: string[][] = [[], []];
  let idToken: string;

  before(async () => {
    replicas = await startPostgresReplicas({
      count: 2,
      extra: (i) => ({ publicUrl: ['https://a.gateway.test', 'https://b.gateway.test'][i] }),
      // Re-read the keys every 100 ms (10 s in production) so the test waits on the real pick-up path.
      gatewayOptions: (i) => ({ keyReloadMs: 100, logger: (l) => logs[i]!.push(l) }),
    });
    ({ stores, gateways } = replicas);
    idToken = await idTokenFor(replicas.idp, 'alice');
  });

  after(async () => {
    await replicas?.close();
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
