// The built CLI as an operator runs it: `gateway migrate`, `policy check` of the whole config, `gateway serve`
// with JSON logs, `gateway rotate-key` picked up by the running gateway, SIGTERM with a held watch (drained,
// exit 0), a port in use (config error naming listen) and a schema newer than the build (refused).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse, stringify } from 'yaml';
import { createEmbeddedIdp, type EmbeddedIdp } from '../../src/quickstart/embedded-idp.js';
import { createKubeApiServer, type KubeApiServer } from '../../src/simulated-cluster/index.js';
import { createTempHome, runCli, startCli, type TempHome } from '../support/cli-runner.js';
import { idTokenFor, send, USERS, writeGatewayConfig, type EchoUpstream } from '../integration/gateway-harness.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('hoopctl gateway as operators run it', () => {
  let dir: string;
  let home: TempHome;
  let idp: EmbeddedIdp;
  let kube: KubeApiServer;
  let config: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hoop-ops-e2e-'));
    home = await createTempHome({ HOOPCTL_LOG_FORMAT: 'json' });
    idp = await createEmbeddedIdp({ users: USERS });
    kube = await createKubeApiServer({ tls: true });
    config = await writeGatewayConfig(dir, idp, kube, { url: 'http://127.0.0.1:9' } as EchoUpstream);
  });
  after(async () => {
    for (const step of [() => kube?.close(), () => idp?.close(), () => home?.cleanup()])
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('policy check validates the whole config; gateway migrate creates the store alone', async () => {
    const check = await runCli(['policy', 'check', config], home.env);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /: ok \(gateway config; 3 roles, 3 bindings, 1 guardrails\)/);
    const migrate = await runCli(['gateway', 'migrate', '-c', config], home.env);
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.match(migrate.stdout, /state\/gw\.db: schema at version \d+\n$/);
    assert.equal((await stat(join(dir, 'state', 'gw.db'))).mode & 0o777, 0o600);
  });

  test('serve: JSON logs; rotate-key reaches it; SIGTERM closes the held watch and exits 0', { timeout: 60_000 }, async () => {
    const serve = startCli(['gateway', 'serve', '-c', config], home.env);
    try {
      const url = (await serve.waitFor(/gateway listening on (http:\/\/127\.0\.0\.1:\d+)/))[1]!;
      const kids = async (): Promise<string[]> => ((await send(url, 'GET', '/.well-known/jwks.json')).json.keys as { kid: string }[]).map((k) => k.kid);
      const [oldKid] = await kids();
      const created = await send(
        url,
        'POST',
        '/v1/sessions',
        { ...bearer(await idTokenFor(idp, 'alice')), 'content-type': 'application/json' },
        JSON.stringify({ connection: 'prod' }),
      );
      assert.equal(created.status, 201, created.body);
      const token = created.json.token as string;

      const rotate = await runCli(['gateway', 'rotate-key', '-c', config], home.env);
      assert.equal(rotate.code, 0, rotate.stderr);
      const newKid = /signing key (\S+) is current/.exec(rotate.stdout)![1]!;
      await until('the running gateway publishes the new key', async () => (await kids()).includes(newKid), 15_000);
      assert.ok((await kids()).includes(oldKid!), 'the previous key stays published');
      assert.equal((await send(url, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(token))).status, 200, 'the session survives');

      const watchReq = http.get(`${url}/k8s/prod/api/v1/namespaces/default/configmaps?watch=true`, { headers: bearer(token), agent: false });
      const watch = await new Promise<http.IncomingMessage>((resolve, reject) => {
        watchReq.on('response', resolve);
        watchReq.on('error', reject);
      });
      assert.equal(watch.statusCode, 200);
      const watchEnded = new Promise<void>((resolve) => {
        watch.on('close', () => resolve());
        watch.on('error', () => undefined);
        watch.resume();
      });
      await until('the watch reached the upstream', async () => kube.counts().openWatches === 1, 5_000);

      serve.child.kill('SIGTERM');
      await watchEnded;
      const r = await serve.done;
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      const logged = lines.map((l) => JSON.parse(l) as { level: string; msg: string; time: string });
      assert.ok(logged.every((l) => typeof l.msg === 'string' && typeof l.level === 'string' && typeof l.time === 'string'));
      const msgs = logged.map((l) => l.msg);
      assert.ok(
        msgs.some((m) => m.startsWith('received SIGTERM: draining')),
        msgs.join('\n'),
      );
      assert.ok(msgs.includes('drained: 1 long stream(s) closed'), msgs.join('\n'));
      assert.equal(msgs.at(-1), 'gateway stopped');
      assert.ok(!r.stderr.includes(token) && !r.stderr.includes(kube.token), 'no credential in the log');
    } finally {
      serve.child.kill('SIGKILL');
    }
  });

  test('a port in use is a config error naming listen (exit 1), not an internal error', async () => {
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as AddressInfo;
    try {
      const doc = parse(await readFile(config, 'utf8')) as Record<string, unknown>;
      const busy = join(dir, 'busy.yaml');
      await writeFile(busy, stringify({ ...doc, listen: `127.0.0.1:${port}` }));
      const r = await runCli(['gateway', 'serve', '-c', busy], home.env);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`listen: 127\\.0\\.0\\.1:${port} is already in use \\(EADDRINUSE\\)`));
      assert.doesNotMatch(r.stderr, /internal error|a bug in hoopctl/);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  test('a store schema newer than this build: serve and migrate refuse, naming the fix', async () => {
    const doc = parse(await readFile(config, 'utf8')) as Record<string, unknown>;
    const file = join(dir, 'newer.yaml');
    await writeFile(file, stringify({ ...doc, store: { sqlite: './newer.db' } }));
    const migrated = await runCli(['gateway', 'migrate', '-c', file], home.env);
    assert.equal(migrated.code, 0, migrated.stderr);
    const db = new Database(join(dir, 'newer.db'));
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (99, ?)').run(new Date().toISOString());
    db.close();
    for (const args of [
      ['gateway', 'serve', '-c', file],
      ['gateway', 'migrate', '-c', file],
    ]) {
      const r = await runCli(args, home.env, { timeoutMs: 20_000 });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /schema is version 99, newer than this gateway knows/);
      assert.match(r.stderr, /upgrade hoopctl/);
    }
  });
});
