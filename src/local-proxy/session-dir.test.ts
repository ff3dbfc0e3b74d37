import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSessionDir, findSessions, removeSessionDir, sessionDirPath, sweepStaleSessions, type SessionRecord } from './session-dir.js';

const now = new Date('2026-11-26T12:00:00Z');
const base = { connection: 'prod', gateway: 'http://gw', createdAt: now.toISOString(), kubeconfigYaml: 'apiVersion: v1\n' };

const made: string[] = [];
after(async () => { for (const d of made) await rm(d, { recursive: true, force: true }); });

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

test('sweepStaleSessions removes dead-owner and expired sessions, keeps live and fresh half-written ones', async () => {
  const dir = await sessionsDir();
  const later = '2026-11-26T13:00:00Z';
  await createSessionDir(dir, { ...base, sessionId: 'live', pid: 1, expiresAt: later });
  await createSessionDir(dir, { ...base, sessionId: 'dead', pid: 2, expiresAt: later });
  await createSessionDir(dir, { ...base, sessionId: 'expired', pid: 1, expiresAt: '2026-11-26T11:59:59Z' });
  await mkdir(join(dir, 'fresh-half'), { mode: 0o700 });
  await mkdir(join(dir, 'old-half'), { mode: 0o700 });
  await writeFile(join(dir, 'old-half', 'session.json'), '{not json');
  const old = new Date(now.getTime() - 120_000);
  await utimes(join(dir, 'old-half'), old, old);
  const fresh = new Date(now.getTime() - 1000);
  await utimes(join(dir, 'fresh-half'), fresh, fresh);
  const told: string[] = [];
  const removed = await sweepStaleSessions({
    sessionsDir: dir, now, isAlive: (pid) => pid === 1,
    endSession: async (r) => { told.push(r.sessionId); throw new Error('gateway down is fine'); },
  });
  assert.deepEqual(removed.map((r) => r.dir.split('/').pop()).sort(), ['dead', 'expired', 'old-half']);
  assert.deepEqual(told.sort(), ['dead', 'expired']);
  assert.deepEqual((await findSessions(dir)).map((f) => f.dir.split('/').pop()).sort(), ['fresh-half', 'live']);
});

test('findSessions on a missing dir is empty', async () => {
  assert.deepEqual(await findSessions(join(tmpdir(), 'hoop-does-not-exist', 'sessions')), []);
});
