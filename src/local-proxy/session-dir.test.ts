import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TOMBSTONE_GRACE_MS } from './tombstone.js';
import { createSessionDir, findSessions, removeSessionDir, sessionDirPath, sweepStaleSessions, type SessionRecord } from './session-dir.js';

const now = new Date('2026-11-26T12:00:00Z');
const base = { connection: 'prod', gateway: 'http://gw', createdAt: now.toISOString(), kubeconfigYaml: 'apiVersion: v1\n' };

const made: string[] = [];
after(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

async function sessionsDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'hoop-sessions-'));
  made.push(d);
  return join(d, 'sessions');
}

test('createSessionDir writes a 0700 dir with 0600 kubeconfig and session.json (no secrets in it)', async () => {
  const dir = await sessionsDir();
  const s = await createSessionDir(dir, { ...base, sessionId: 's1', pid: 4242, expiresAt: '2026-11-26T12:15:00Z' });
  assert.equal((await stat(s.dir)).mode & 0o777, 0o700);
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  assert.equal((await stat(s.kubeconfigPath)).mode & 0o777, 0o600);
  assert.equal((await stat(join(s.dir, 'session.json'))).mode & 0o777, 0o600);
  assert.equal(await readFile(s.kubeconfigPath, 'utf8'), 'apiVersion: v1\n');
  const record = JSON.parse(await readFile(join(s.dir, 'session.json'), 'utf8')) as SessionRecord;
  assert.deepEqual(Object.keys(record).sort(), ['connection', 'createdAt', 'expiresAt', 'gateway', 'kubeconfig', 'pid', 'sessionId']);
  assert.equal(record.kubeconfig, s.kubeconfigPath);
  await removeSessionDir(s.dir);
  assert.deepEqual(await findSessions(dir), []);
});

test('sessionDirPath refuses ids that could leave the sessions dir', () => {
  for (const bad of ['..', '.', 'a/b', '../x', '', 'a\\b', '.hidden']) assert.throws(() => sessionDirPath('/s', bad), { code: 'gateway_error' }, bad);
  assert.equal(sessionDirPath('/s', 'sess-1_a.b'), '/s/sess-1_a.b');
});

test('sweepStaleSessions without tombstones removes dead-owner, expired and old half-written dirs; keeps live, fresh and just-expired-with-owner ones', async () => {
  const dir = await sessionsDir();
  const later = '2026-11-26T13:00:00Z';
  await createSessionDir(dir, { ...base, sessionId: 'live', pid: 1, expiresAt: later });
  await createSessionDir(dir, { ...base, sessionId: 'dead', pid: 2, expiresAt: later });
  await createSessionDir(dir, { ...base, sessionId: 'expired', pid: 2, expiresAt: '2026-11-26T11:59:59Z' });
  // Its owner (alive) is tearing it down right now and writes the tombstone itself.
  await createSessionDir(dir, { ...base, sessionId: 'ending', pid: 1, expiresAt: '2026-11-26T11:59:59Z' });
  await createSessionDir(dir, { ...base, sessionId: 'long-expired', pid: 1, expiresAt: '2026-11-26T11:00:00Z' });
  await mkdir(join(dir, 'fresh-half'), { mode: 0o700 });
  await mkdir(join(dir, 'old-half'), { mode: 0o700 });
  await writeFile(join(dir, 'old-half', 'session.json'), '{not json');
  const old = new Date(now.getTime() - 120_000);
  await utimes(join(dir, 'old-half'), old, old);
  const fresh = new Date(now.getTime() - 1000);
  await utimes(join(dir, 'fresh-half'), fresh, fresh);
  const told: string[] = [];
  const removed = await sweepStaleSessions({
    sessionsDir: dir,
    now,
    isAlive: (pid) => pid === 1,
    endSession: async (r) => {
      told.push(r.sessionId);
      throw new Error('gateway down is fine');
    },
  });
  assert.deepEqual(removed.map((r) => r.dir.split('/').pop()).sort(), ['dead', 'expired', 'long-expired', 'old-half']);
  // Only a session whose owner vanished is still active at the gateway; expired ones are over there too.
  assert.deepEqual(told.sort(), ['dead']);
  assert.equal(removed.find((r) => r.record?.sessionId === 'dead')?.endedAtGateway, false);
  assert.deepEqual((await findSessions(dir)).map((f) => f.dir.split('/').pop()).sort(), ['ending', 'fresh-half', 'live']);
});

test('sweepStaleSessions with a node path leaves a credential-free tombstone whose plugin prints why, removed after its grace period', async () => {
  const dir = await sessionsDir();
  const secret = 'local-bearer-SENTINEL-1234';
  const s = await createSessionDir(dir, {
    ...base,
    sessionId: 'killed',
    pid: 2,
    expiresAt: '2026-11-26T13:00:00Z',
    proxyUrl: 'https://127.0.0.1:45678',
    kubeUser: 'alice@prod',
    namespace: 'demo',
    kubeconfigYaml: `apiVersion: v1\nusers:\n- name: alice@prod\n  user:\n    token: ${secret}\n`,
  });
  await writeFile(join(s.dir, 'transcript.jsonl'), '{"uri":"/api"}\n', { mode: 0o600 });
  const told: string[] = [];
  const swept = await sweepStaleSessions({
    sessionsDir: dir,
    now,
    isAlive: () => false,
    nodePath: process.execPath,
    endSession: async (r) => {
      told.push(r.sessionId);
    },
  });
  assert.deepEqual(
    swept.map((x) => [x.reason, x.endedAtGateway]),
    [['owner_gone', true]],
  );
  assert.deepEqual(told, ['killed']);
  assert.deepEqual((await readdir(s.dir)).sort(), ['ended.json', 'kubeconfig']);
  for (const f of ['ended.json', 'kubeconfig']) assert.equal((await stat(join(s.dir, f))).mode & 0o777, 0o600, f);
  assert.equal((await stat(s.dir)).mode & 0o777, 0o700);
  const text = await readFile(s.kubeconfigPath, 'utf8');
  assert.doesNotMatch(text, new RegExp(secret));
  assert.doesNotMatch(text, /token|client-key/);
  const kc = parse(text) as {
    users: { user: { exec: { command: string; args: string[]; apiVersion: string } } }[];
    clusters: { cluster: { server: string } }[];
    contexts: { context: { namespace?: string } }[];
  };
  assert.equal(kc.clusters[0]!.cluster.server, 'https://127.0.0.1:45678');
  assert.equal(kc.contexts[0]!.context.namespace, 'demo');
  const exec = kc.users[0]!.user.exec;
  assert.equal(exec.apiVersion, 'client.authentication.k8s.io/v1');
  const run = spawnSync(exec.command, exec.args, { encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, 'hoopctl session for prod ended (its hoopctl process 2 stopped); run: hoopctl connect prod\n');
  // A tombstone is no live session, and stays through later sweeps until its grace period is over.
  const found = await findSessions(dir);
  assert.equal(found[0]?.ended?.why, 'its hoopctl process 2 stopped');
  assert.deepEqual(
    await sweepStaleSessions({ sessionsDir: dir, now: new Date(now.getTime() + 3_600_000), isAlive: () => false, nodePath: process.execPath }),
    [],
  );
  const gone = await sweepStaleSessions({
    sessionsDir: dir,
    now: new Date(now.getTime() + TOMBSTONE_GRACE_MS + 1000),
    isAlive: () => false,
    nodePath: process.execPath,
  });
  assert.deepEqual(
    gone.map((x) => x.reason),
    ['tombstone_old'],
  );
  assert.deepEqual(await findSessions(dir), []);
});

test('findSessions on a missing dir is empty', async () => {
  assert.deepEqual(await findSessions(join(tmpdir(), 'hoop-does-not-exist', 'sessions')), []);
});
