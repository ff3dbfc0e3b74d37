// "No audit, no answer" under real store faults: the gateway's PostgreSQL database goes away mid-run (connections
// terminated, new ones refused) and comes back; a gateway process is killed with SIGKILL while a watch streams.
// Oracles: every success a client saw has its audit event; nothing reached the cluster unaudited; refusals are
// still Status bodies; /readyz reports the fault; service resumes by itself; the chain verifies afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import type { CreateSessionResponse } from '../../src/api/wire.js';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import { createGateway, type RunningGateway } from '../../src/gateway/create-gateway.js';
import { createEmbeddedIdp, type EmbeddedIdp } from '../../src/quickstart/embedded-idp.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { createKubeApiServer, type KubeApiServer } from '../../src/simulated-cluster/index.js';
import { createTestDatabase, postgresSkip, type TestDatabase } from '../support/postgres-test-db.js';
import { idTokenFor, POLICY, send, USERS, writeGatewayConfig, type EchoUpstream } from './gateway-harness.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
const EDIT_POLICY = { ...POLICY, bindings: [{ groups: ['dev'], connections: ['prod'], roles: ['edit'] }] };
const echo = { url: 'http://127.0.0.1:9' } as EchoUpstream;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('PostgreSQL goes away under a running gateway', { skip: postgresSkip() }, () => {
  let dir: string;
  let db: TestDatabase;
  let idp: EmbeddedIdp;
  let kube: KubeApiServer;
  let store: Store;
  let gw: RunningGateway;
  const logs: string[] = [];
  let s: CreateSessionResponse;

  // Cuts the gateway off its database the way a stopped server does: live connections die, new ones are refused.
  async function database(allow: boolean): Promise<void> {
    const name = new URL(db.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: process.env.HOOPCTL_TEST_POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS ${allow ? 'true' : 'false'}`);
      if (!allow) await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    } finally {
      await admin.end();
    }
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hoop-faults-'));
    db = await createTestDatabase();
    idp = await createEmbeddedIdp({ users: USERS });
    kube = await createKubeApiServer({ tls: true });
    const file = await writeGatewayConfig(dir, idp, kube, echo, {
      policy: EDIT_POLICY,
      store: { postgres: { urlEnv: 'TEST_GATEWAY_DATABASE_URL', maxConnections: 4 } },
    });
    const config = await loadGatewayConfig(file, { readFile: (p) => readFile(p, 'utf8'), env: { TEST_GATEWAY_DATABASE_URL: db.url } });
    store = await openPostgresStore({ url: config.store.postgres!.url, log: (l) => logs.push(l) });
    // Sessions are cached for the whole test, so requests get as far as the audit write while the database is away.
    gw = await createGateway({ config, store, sessionCacheMs: 120_000, logger: (l) => logs.push(l) });
    const created = await send(
      gw.url,
      'POST',
      '/v1/sessions',
      { ...bearer(await idTokenFor(idp, 'alice')), 'content-type': 'application/json' },
      JSON.stringify({ connection: 'prod' }),
    );
    assert.equal(created.status, 201, created.body);
    s = created.json as CreateSessionResponse;
  });

  after(async () => {
    await database(true).catch(() => undefined);
    for (const step of [() => gw?.close(), () => store?.close(), () => kube?.close(), () => idp?.close(), () => db?.drop()]) {
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    }
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('every request is refused with a 503 Status, nothing changes upstream, and service resumes by itself', async () => {
    const successes: string[] = [];
    const note = (r: { status: number; headers: http.IncomingHttpHeaders }): void => {
      if (r.status < 300) successes.push(String(r.headers['audit-id']));
    };
    note(await send(gw.url, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(s.token)));
    await database(false);
    try {
      for (let i = 0; i < 3; i++) {
        const list = await send(gw.url, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(s.token));
        note(list);
        assert.equal(list.status, 503, list.body);
        assert.equal(list.json.kind, 'Status');
        const create = await send(
          gw.url,
          'POST',
          '/k8s/prod/api/v1/namespaces/default/configmaps',
          { ...bearer(s.token), 'content-type': 'application/json' },
          JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `unaudited-${i}` }, data: { a: 'b' } }),
        );
        note(create);
        assert.equal(create.status, 503, create.body);
        assert.equal(kube.get({ kind: 'ConfigMap', namespace: 'default', name: `unaudited-${i}` }), undefined, 'nothing reached the cluster unaudited');
      }
      const refused = await send(gw.url, 'DELETE', '/k8s/prod/api/v1/namespaces/default', bearer(s.token));
      assert.equal(refused.status, 403, refused.body);
      assert.equal(refused.json.kind, 'Status');
      assert.equal((await send(gw.url, 'GET', '/readyz')).status, 503);
    } finally {
      await database(true);
    }
    const back = await waitFor('the gateway to serve again', async () => {
      const r = await send(gw.url, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(s.token));
      return r.status === 200 ? r : undefined;
    });
    note(back);
    const created = await send(
      gw.url,
      'POST',
      '/k8s/prod/api/v1/namespaces/default/configmaps',
      { ...bearer(s.token), 'content-type': 'application/json' },
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-recovery' }, data: { a: 'b' } }),
    );
    assert.equal(created.status, 201, created.body);
    note(created);
    await waitFor('readiness', async () => ((await send(gw.url, 'GET', '/readyz')).status === 200 ? true : undefined));

    const root = await idTokenFor(idp, 'root');
    const events = (await send(gw.url, 'GET', `/v1/audit?session=${s.sessionId}&limit=1000`, bearer(root))).json.items as AuditEvent[];
    for (const id of successes) {
      assert.ok(
        events.some((e) => e.auditID === id && e.stage === 'ResponseComplete'),
        `success ${id} has its audit event`,
      );
    }
    const received = events.find((e) => e.stage === 'RequestReceived' && e.verb === 'create' && e.name === null && e.responseStatus === null);
    assert.ok(received !== undefined, 'the create was recorded before it was forwarded');
    const verify = await send(gw.url, 'GET', '/v1/audit/verify', bearer(root));
    assert.equal(verify.status, 200, verify.body);
    assert.equal(verify.json.ok, true, verify.body);
    assert.ok(
      logs.some((l) => /audit write failed/.test(l)),
      'the failure is logged',
    );
  });
});

describe('a gateway killed with SIGKILL', () => {
  let dir: string;
  let idp: EmbeddedIdp;
  let kube: KubeApiServer;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hoop-kill9-'));
    idp = await createEmbeddedIdp({ users: USERS });
    kube = await createKubeApiServer({ tls: true });
  });
  after(async () => {
    await kube?.close();
    await idp?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test('a watch that reached the client already has its audit record', async () => {
    const file = await writeGatewayConfig(dir, idp, kube, echo, { policy: EDIT_POLICY });
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts'), 'gateway', 'serve', '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    try {
      const url = await waitFor('the gateway to listen', async () => /gateway listening on (\S+)/.exec(out)?.[1], 30_000);
      const created = await send(
        url,
        'POST',
        '/v1/sessions',
        { ...bearer(await idTokenFor(idp, 'alice')), 'content-type': 'application/json' },
        JSON.stringify({ connection: 'prod' }),
      );
      assert.equal(created.status, 201, created.body);
      const s = created.json as CreateSessionResponse;
      const u = new URL(url);
      const watch = http.get({
        host: u.hostname,
        port: u.port,
        path: '/k8s/prod/api/v1/namespaces/default/configmaps?watch=true',
        headers: bearer(s.token),
        agent: false,
      });
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        watch.on('response', resolve);
        watch.on('error', reject);
      });
      assert.equal(res.statusCode, 200);
      const auditID = String(res.headers['audit-id'] ?? '');
      res.on('error', () => undefined);
      await new Promise<void>((resolve) => res.once('data', () => resolve()));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const sqlite = new Database(join(dir, 'state', 'gw.db'), { readonly: true });
      try {
        const rows = sqlite.prepare('SELECT event_json FROM audit_events').pluck().all() as string[];
        const events = rows.map((r) => JSON.parse(r) as AuditEvent);
        const started = events.find((e) => e.stage === 'ResponseStarted' && e.verb === 'watch' && e.resource === 'configmaps');
        assert.ok(started !== undefined, `a ResponseStarted event exists for the watch: ${JSON.stringify(events.map((e) => [e.stage, e.verb, e.resource]))}`);
        assert.ok(auditID === '' || started.auditID === auditID || events.some((e) => e.auditID === auditID));
        assert.equal(started.responseStatus, 200);
      } finally {
        sqlite.close();
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
