// startSession / runExec / runBackground / disconnect with real sockets, real children and real kubectl.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createGatewayClient } from '../../src/platform/gateway-client.js';
import { spawnDaemon } from '../../src/process/daemon.js';
import { createChildEdges, createSessionEdges } from '../../src/process/session-edges.js';
import { runBackground } from '../../src/usecases/background.js';
import { startSession } from '../../src/usecases/connect.js';
import { disconnect } from '../../src/usecases/disconnect.js';
import type { ConnectDeps } from '../../src/usecases/session-deps.js';
import { listSessions } from '../../src/usecases/status.js';
import { runExec } from '../../src/usecases/exec.js';
import { assertOnlyTombstones } from '../support/session-tombstones.js';
import { startFakeSessionGateway, type FakeSessionGateway } from '../support/fake-session-gateway.js';

const root = resolve(import.meta.dirname, '../..');
const KUBECTL_132 = '/usr/bin/kubectl';
const sdkBin = existsSync('/usr/lib/google-cloud-sdk/bin') ? '/usr/lib/google-cloud-sdk/bin' : undefined;
const KUBECTL_127 = sdkBin === undefined ? undefined : join(sdkBin, 'kubectl.1.27');

describe('connect and exec', () => {
  let gw: FakeSessionGateway;
  let work: string;
  let sessionsDir: string;
  let stderr: string;
  const deps = (): ConnectDeps => ({
    ...createSessionEdges({ sessionsDir }),
    gateway: createGatewayClient({ baseUrl: gw.url }),
    getIdToken: async () => 'id-token-ok',
  });
  const child = (env: Record<string, string> = {}) =>
    createChildEdges({
      env: { ...process.env, ...env },
      stderr: {
        write: (t: string) => {
          stderr += t;
        },
      },
      stdinIsTTY: false,
    });

  before(async () => {
    gw = await startFakeSessionGateway();
    work = await mkdtemp(join(tmpdir(), 'hoop-connect-'));
    sessionsDir = join(work, 'runtime', 'hoopctl', 'sessions');
  });
  after(async () => {
    await gw.close();
    await rm(work, { recursive: true, force: true });
  });

  test('exit code passes through; session dir is private while running and gone afterwards; gateway told', async () => {
    stderr = '';
    const session = await startSession(deps(), { connection: 'prod', namespace: 'demo', ttl: '15m' });
    assert.equal((await stat(dirname(session.kubeconfigPath))).mode & 0o777, 0o700);
    assert.equal((await stat(session.kubeconfigPath)).mode & 0o777, 0o600);
    const kubeconfig = await readFile(session.kubeconfigPath, 'utf8');
    const jwt = [...gw.tokens].at(-1) ?? '';
    assert.ok(!kubeconfig.includes(jwt), 'the session JWT never touches the disk');
    assert.ok(!(await readFile(join(dirname(session.kubeconfigPath), 'session.json'), 'utf8')).includes(jwt));
    assert.match(kubeconfig, /namespace: demo/);
    assert.equal(session.env.KUBECONFIG, session.kubeconfigPath);
    assert.equal(session.env.HOOP_CONNECTION, 'prod');
    const code = await runExec(child(), session, ['sh', '-c', 'test "$HOOP_SESSION" = "$1" && exit 3', 'sh', session.sessionId]);
    assert.equal(code, 3);
    assert.equal(await session.done, 'exited');
    assert.equal(existsSync(dirname(session.kubeconfigPath)), false);
    assert.ok(gw.ended.includes(session.sessionId));
    await session.end('disconnected'); // idempotent
    assert.equal(gw.ended.filter((id) => id === session.sessionId).length, 1);
  });

  test('a child killed by a signal gives 128+n; an unknown command gives 127', async () => {
    stderr = '';
    const s1 = await startSession(deps(), { connection: 'prod' });
    assert.equal(await runExec(child(), s1, ['sh', '-c', 'kill -TERM $$']), 143);
    const s2 = await startSession(deps(), { connection: 'prod' });
    assert.equal(await runExec(child(), s2, ['hoopctl-no-such-command-xyz']), 127);
    assert.match(stderr, /command not found: hoopctl-no-such-command-xyz/);
    assert.equal(existsSync(dirname(s2.kubeconfigPath)), false);
  });

  for (const [label, kubectl] of [
    ['1.32', KUBECTL_132],
    ['1.27', KUBECTL_127],
  ] as const) {
    test(
      `real kubectl ${label} reaches the gateway through the proxy and accepts the pinned certificate`,
      { skip: kubectl === undefined || !existsSync(kubectl) },
      async () => {
        const out = join(work, `version-${label}.json`);
        const session = await startSession(deps(), { connection: 'prod' });
        const script = `"$KUBECTL" --kubeconfig "$KUBECONFIG" get --raw /version > "$OUT" && echo >> "$OUT" && stat -c %a "$KUBECONFIG" >> "$OUT"`;
        const code = await runExec(child({ KUBECTL: kubectl ?? '', OUT: out }), session, ['sh', '-c', script]);
        assert.equal(code, 0);
        const [json, mode] = (await readFile(out, 'utf8')).split('\n');
        assert.equal((JSON.parse(json ?? '') as { gitVersion: string }).gitVersion, 'v1.32.6');
        assert.equal(mode, '600');
        const seen = gw.requests.filter((r) => r.url === '/k8s/prod/version').at(-1);
        assert.match(String(seen?.headers['user-agent']), /^kubectl/);
        assert.ok(gw.tokens.has(/^Bearer (.+)$/.exec(seen?.headers.authorization ?? '')?.[1] ?? ''));
      },
    );
  }

  test('real kubectl exec (WebSocket v5.channel.k8s.io) is piped through the proxy', { skip: !existsSync(KUBECTL_132) }, async () => {
    const out = join(work, 'exec.txt');
    const session = await startSession(deps(), { connection: 'prod', namespace: 'demo' });
    const code = await runExec(child({ OUT: out }), session, ['sh', '-c', `${KUBECTL_132} exec p -- hoop-hi > "$OUT" 2>&1`]);
    assert.equal(await readFile(out, 'utf8'), 'hi from exec\n');
    assert.equal(code, 0);
    const upgrade = gw.requests.filter((r) => r.url.includes('/pods/p/exec')).at(-1);
    assert.equal(upgrade?.headers.upgrade, 'websocket');
    assert.ok(gw.tokens.has(/^Bearer (.+)$/.exec(upgrade?.headers.authorization ?? '')?.[1] ?? ''));
  });

  test('@kubernetes/client-node accepts the kubeconfig and the pinned certificate', async () => {
    const { KubeConfig, VersionApi } = await import('@kubernetes/client-node');
    const session = await startSession(deps(), { connection: 'prod' });
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(session.kubeconfigPath);
      const version = await kc.makeApiClient(VersionApi).getCode();
      assert.equal(version.gitVersion, 'v1.32.6');
    } finally {
      await session.end('exited');
    }
  });

  test('at expiry the proxy closes and a tombstone says why to the child that keeps running; its exit removes the dir', async () => {
    stderr = '';
    const out = join(work, 'after-expiry.txt');
    const session = await startSession(deps(), { connection: 'prod', ttl: '2s' });
    const script = `sleep 2.6; grep -c 'token:' "$KUBECONFIG" > "$OUT"; "$KUBECTL" get --raw /version >/dev/null 2>>"$OUT.err"; echo "rc=$?" >> "$OUT"`;
    const code = await runExec(child({ OUT: out, KUBECTL: KUBECTL_132 }), session, ['sh', '-c', script]);
    assert.equal(code, 0);
    assert.equal(await session.done, 'expired');
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    assert.equal(lines[0], '0', 'no token in the tombstone kubeconfig');
    assert.notEqual(lines[1], 'rc=0');
    assert.match(await readFile(`${out}.err`, 'utf8'), /hoopctl session for prod ended \(expired\); run: hoopctl connect prod/);
    assert.match(stderr, /expired; sh keeps running without cluster access/);
    await session.end('exited');
    await assert.rejects(readFile(session.kubeconfigPath), { code: 'ENOENT' });
  });

  test('--print-env: a detached daemon serves the session; disconnect ends it and leaves only a tombstone', async () => {
    const env = { ...process.env, HOOP_TEST_SESSIONS_DIR: sessionsDir };
    const bg = await runBackground(
      {
        ...deps(),
        spawnDaemon: (grant) =>
          spawnDaemon({ command: process.execPath, args: ['--import', 'tsx', join(root, 'test/support/session-daemon-entry.ts')], env, cwd: root }, grant),
      },
      { connection: 'staging' },
    );
    assert.match(bg.exports, /^export KUBECONFIG='.+'\nexport HOOP_SESSION='.+'\n/);
    const jwt = [...gw.tokens].at(-1) ?? '';
    const cmdline = await readFile(`/proc/${bg.pid}/cmdline`, 'utf8');
    const environ = await readFile(`/proc/${bg.pid}/environ`, 'utf8');
    assert.ok(!cmdline.includes(jwt) && !environ.includes(jwt), 'the session JWT is in neither argv nor env of the daemon');
    const live = await listSessions({ ...createSessionEdges({ sessionsDir }) });
    assert.deepEqual(
      live.map((s) => [s.connection, s.pid]),
      [['staging', bg.pid]],
    );

    const { execFile } = await import('node:child_process');
    const version = await new Promise<string>((ok, ko) =>
      execFile(KUBECTL_132, ['--kubeconfig', bg.kubeconfigPath, 'get', '--raw', '/version'], (e, so) => (e ? ko(e) : ok(so))),
    );
    assert.equal((JSON.parse(version) as { gitVersion: string }).gitVersion, 'v1.32.6');

    const result = await disconnect(
      { ...createSessionEdges({ sessionsDir }), kill: (pid, sig) => process.kill(pid, sig), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
      { connection: 'staging' },
    );
    assert.deepEqual(
      result.ended.map((e) => [e.sessionId, e.confirmed]),
      [[bg.sessionId, true]],
    );
    for (let i = 0; i < 100 && gw.ended.indexOf(bg.sessionId) === -1; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(gw.ended.includes(bg.sessionId), 'the daemon told the gateway');
    assert.deepEqual(await assertOnlyTombstones(sessionsDir), [bg.sessionId]);
  });
});
