// A held kubeconfig with a client-go credential plugin (ExecCredential, v1 and v1beta1): the gateway runs a
// real plugin process, keeps its token until expirationTimestamp, runs it again after, and the token reaches
// the (simulated) kube-apiserver; failures are typed errors and the gateway log never holds the token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { createKubeApiServer } from '../../src/simulated-cluster/index.js';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import { createUpstreamPools } from '../../src/gateway/pipeline/upstream-pools.js';
import { UpstreamCredentialError } from '../../src/gateway/pipeline/exec-credential.js';

const PLUGIN = fileURLToPath(new URL('../support/fake-exec-plugin.mjs', import.meta.url));

async function setup(apiVersion: string) {
  const dir = await mkdtemp(join(tmpdir(), 'hoop-exec-'));
  const kube = await createKubeApiServer({ tls: true, tokens: ['first-token-aaaa', 'second-token-bbbb'] });
  const exec: Record<string, unknown> = {
    apiVersion,
    command: process.execPath,
    args: [PLUGIN, dir],
    env: [{ name: 'PLUGIN_MARK', value: 'm' }],
    provideClusterInfo: true,
  };
  if (apiVersion.endsWith('/v1')) exec.interactiveMode = 'Never';
  await writeFile(
    join(dir, 'eks.kubeconfig'),
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'eks',
      clusters: [{ name: 'eks', cluster: { server: kube.url, 'certificate-authority-data': Buffer.from(kube.caPem!).toString('base64') } }],
      users: [{ name: 'eks', user: { exec } }],
      contexts: [{ name: 'eks', context: { cluster: 'eks', user: 'eks' } }],
    }),
  );
  await writeFile(
    join(dir, 'gw.yaml'),
    stringify({
      oidc: { issuers: [{ issuer: 'http://127.0.0.1:9000', clientId: 'hoopctl' }] },
      connections: [{ name: 'eks', credential: { kubeconfig: './eks.kubeconfig' } }],
      policy: { roles: [{ name: 'view', rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], namespaces: ['*'] }] }], bindings: [] },
    }),
  );
  const config = await loadGatewayConfig(join(dir, 'gw.yaml'), { readFile: (p) => readFile(p, 'utf8'), env: {} });
  const control = (c: Record<string, unknown>): Promise<void> => writeFile(join(dir, 'control.json'), JSON.stringify(c));
  const runs = async (): Promise<number> => (await readFile(join(dir, 'runs'), 'utf8').catch(() => '')).length;
  const clock = { skewMs: 0 };
  const logs: string[] = [];
  const pools = createUpstreamPools(config.connections, () => Date.now() + clock.skewMs, { log: (l) => logs.push(l), env: { PATH: process.env.PATH } });
  const up = pools.get('eks')!;
  // One real request with the produced credential: the simulated API server accepts only its known tokens.
  const get = async (): Promise<number> => {
    const auth = await up.authorization();
    const r = await up.pool.request({ path: '/api/v1/namespaces/default', method: 'GET', headers: { authorization: auth! } });
    await r.body.dump();
    return r.statusCode;
  };
  return {
    dir,
    kube,
    up,
    control,
    runs,
    clock,
    logs,
    get,
    close: async () => {
      await pools.close();
      await kube.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

for (const apiVersion of ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']) {
  test(`exec plugin (${apiVersion}): token cached until expirationTimestamp, refreshed after, used upstream`, async () => {
    const s = await setup(apiVersion);
    try {
      await s.control({ token: 'first-token-aaaa', expiresInMs: 3_600_000, stderr: 'plugin: fetched a token\n' });
      // Concurrent first requests share one plugin run.
      assert.deepEqual(await Promise.all([s.get(), s.get(), s.get()]), [200, 200, 200]);
      assert.equal(await s.runs(), 1);
      const info = JSON.parse(await readFile(join(s.dir, 'exec-info.json'), 'utf8'));
      assert.equal(info.apiVersion, apiVersion);
      assert.equal(info.kind, 'ExecCredential');
      assert.equal(info.spec.interactive, false);
      assert.equal(info.spec.cluster.server, s.kube.url);

      s.clock.skewMs = 30 * 60_000;
      assert.equal(await s.get(), 200);
      assert.equal(await s.runs(), 1, 'a token valid for another 30 min is reused');

      await s.control({ token: 'second-token-bbbb', expiresInMs: 7_200_000 });
      s.clock.skewMs = 3_600_000 - 5_000;
      assert.equal(await s.up.authorization(), 'Bearer second-token-bbbb', 'a token about to expire is replaced');
      assert.equal(await s.get(), 200);
      assert.equal(await s.runs(), 2);
      assert.ok(
        s.logs.some((l) => l.includes('credential plugin stderr: plugin: fetched a token')),
        s.logs.join('\n'),
      );
      for (const l of s.logs) assert.ok(!l.includes('first-token') && !l.includes('second-token'), l);
    } finally {
      await s.close();
    }
  });
}

test('exec plugin failure: typed error naming the connection, stderr logged, no run storm, recovery', async () => {
  const s = await setup('client.authentication.k8s.io/v1beta1');
  try {
    await s.control({ token: 'x', fail: true, stderr: 'error: could not assume role arn:aws:iam::1:role/x\n' });
    const err = await s.up.authorization().then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof UpstreamCredentialError, String(err));
    assert.equal(err.code, 'upstream_error');
    assert.equal(err.connection, 'eks');
    assert.match(err.message, /credential plugin of connection "eks" .* exited with code 3/);
    assert.ok(
      s.logs.some((l) => l.includes('could not assume role')),
      s.logs.join('\n'),
    );
    // Within the back-off window the failure is answered without another run.
    await assert.rejects(s.up.authorization(), UpstreamCredentialError);
    assert.equal(await s.runs(), 1);

    await s.control({ token: 'a-printed-token-that-is-not-json' });
    await writeFile(join(s.dir, 'control.json'), JSON.stringify({ token: 'first-token-aaaa', apiVersion: 'client.authentication.k8s.io/v1' }));
    s.clock.skewMs = 6_000;
    await assert.rejects(s.up.authorization(), /answered apiVersion "client.authentication.k8s.io\/v1", but the kubeconfig asks for/);

    await s.control({ token: 'first-token-aaaa' });
    s.clock.skewMs = 12_000;
    assert.equal(await s.get(), 200, 'recovers by itself once the plugin works');
    assert.equal(await s.runs(), 3);
    for (const l of s.logs) assert.ok(!l.includes('first-token'), l);
  } finally {
    await s.close();
  }
});
