// Session use cases with hand-written fakes: fixed clock, manual timers, in-memory dirs and proxy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CreateSessionRequest, CreateSessionResponse } from '../api/wire.js';
import type { LocalProxyOptions } from '../local-proxy/create-local-proxy.js';
import type { SpawnChildOptions, ChildExit } from '../process/spawn-child.js';
import { formatExports, runSessionDaemon } from './background.js';
import { describeEnd, gatewayEnd, startSession, type RunningSession } from './connect.js';
import { HoopError } from '../errors.js';
import { chooseSessions } from './disconnect.js';
import { runExec } from './exec.js';
import type { ChildDeps, ConnectDeps } from './session-deps.js';
import { remainingSeconds, type LocalSessionStatus } from './status.js';
import { runSubshell } from './subshell.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function world() {
  let t = Date.parse('2026-11-26T12:00:00Z');
  const timers: { id: number; at: number; fn: () => void }[] = [];
  let nextId = 0;
  const log: string[] = [];
  const files = new Map<string, string>();
  const proxyOptions: LocalProxyOptions[] = [];
  let proxyClosed = 0;
  const ended: string[] = [];
  const requests: CreateSessionRequest[] = [];
  let failCreateDir = false;
  const deps: ConnectDeps = {
    now: () => t,
    randomBytes: (n) => Buffer.alloc(n, 7),
    setTimeout: (fn, ms) => {
      timers.push({ id: ++nextId, at: t + ms, fn });
      return nextId;
    },
    clearTimeout: (h) => {
      const i = timers.findIndex((x) => x.id === h);
      if (i !== -1) timers.splice(i, 1);
    },
    pid: 4242,
    isAlive: () => true,
    sessionsDir: '/run/hoopctl/sessions',
    sessionDirs: {
      create: async (dir, input) => {
        if (failCreateDir) throw new Error('disk full');
        const path = `${dir}/${input.sessionId}`;
        files.set(`${path}/kubeconfig`, input.kubeconfigYaml);
        const { kubeconfigYaml: _, ...rest } = input;
        return { dir: path, kubeconfigPath: `${path}/kubeconfig`, record: { ...rest, kubeconfig: `${path}/kubeconfig` } };
      },
      remove: async (dir) => {
        log.push(`remove ${dir}`);
        for (const k of [...files.keys()]) if (k.startsWith(dir)) files.delete(k);
      },
      find: async () => [],
      sweep: async () => {
        log.push('sweep');
        return [];
      },
    },
    createCertificate: async () => ({ certPem: PEM, keyPem: 'KEY', notAfter: new Date(t) }),
    createLocalProxy: async (o) => {
      proxyOptions.push(o);
      return {
        url: 'https://127.0.0.1:40000',
        port: 40000,
        close: async () => {
          proxyClosed += 1;
        },
        whenStopped: async () => undefined,
        openConnections: () => 0,
      };
    },
    gateway: {
      baseUrl: 'https://gw.example',
      createSession: async (idToken, req): Promise<CreateSessionResponse> => {
        log.push(`create ${idToken}`);
        requests.push(req);
        return {
          sessionId: 'sess-1',
          connection: req.connection,
          token: 'JWT',
          server: 'https://gw.example/k8s/prod',
          expiresAt: new Date(t + (req.ttlSeconds ?? 900) * 1000).toISOString(),
          user: 'alice',
          groups: ['dev'],
        };
      },
      endSession: async (bearer, id) => {
        ended.push(`${bearer}:${id}`);
      },
    },
    getIdToken: async () => 'ID',
  };
  const advance = (ms: number): void => {
    t += ms;
    for (const x of [...timers].sort((a, b) => a.at - b.at)) {
      if (x.at <= t && timers.includes(x)) {
        timers.splice(timers.indexOf(x), 1);
        x.fn();
      }
    }
  };
  return {
    deps,
    advance,
    log,
    files,
    proxyOptions,
    ended,
    requests,
    timers,
    proxyClosed: () => proxyClosed,
    failDir: () => {
      failCreateDir = true;
    },
  };
}

function fakeChild() {
  let exit!: (e: ChildExit) => void;
  const kills: string[] = [];
  const handlers = new Map<string, (s: NodeJS.Signals) => void>();
  const spawned: SpawnChildOptions[] = [];
  const deps: ChildDeps = {
    spawnChild: (o) => {
      spawned.push(o);
      return {
        pid: 99,
        exited: new Promise((r) => {
          exit = r;
        }),
        kill: (s) => {
          kills.push(s);
          return true;
        },
      };
    },
    onSignal: (signals, h) => {
      for (const s of signals) handlers.set(s, h);
      return () => {
        for (const s of signals) handlers.delete(s);
      };
    },
    baseEnv: { PATH: '/bin' },
    stderr: {
      write: (s: string) => {
        out.push(s);
      },
    },
    stdinIsTTY: true,
  };
  const out: string[] = [];
  return { deps, kills, handlers, spawned, out, exit: (e: ChildExit) => exit(e) };
}

const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

test('startSession sweeps, asks the gateway with the parsed TTL, serves with a local token and a kubeconfig', async () => {
  const w = world();
  const s = await startSession(w.deps, { connection: 'prod', namespace: 'demo', ttl: '15m', role: 'view', reason: 'INC-1' });
  assert.deepEqual(w.log.slice(0, 2), ['sweep', 'create ID']);
  assert.deepEqual(w.requests, [{ connection: 'prod', namespace: 'demo', ttlSeconds: 900, role: 'view', reason: 'INC-1' }]);
  const local = Buffer.alloc(32, 7).toString('base64url');
  assert.equal(w.proxyOptions[0]?.upstreamToken, 'JWT');
  assert.equal(w.proxyOptions[0]?.localToken, local);
  const kubeconfig = w.files.get(s.kubeconfigPath) ?? '';
  assert.match(kubeconfig, /server: https:\/\/127\.0\.0\.1:40000/);
  assert.match(kubeconfig, new RegExp(`token: ${local}`));
  assert.match(kubeconfig, /namespace: demo/);
  assert.ok(!kubeconfig.includes('JWT'));
  assert.deepEqual(s.env, { KUBECONFIG: s.kubeconfigPath, HOOP_SESSION: 'sess-1', HOOP_CONNECTION: 'prod', HOOP_EXPIRES_AT: '2026-11-26T12:15:00.000Z' });
  assert.equal(remainingSeconds(s, new Date('2026-11-26T12:14:00.500Z')), 59);
});

test('expiry ends the session without calling the gateway; end() is idempotent', async () => {
  const w = world();
  const s = await startSession(w.deps, { connection: 'prod', ttl: '1m' });
  w.advance(59_000);
  await flush();
  assert.equal(w.proxyClosed(), 0);
  w.advance(1_000);
  assert.equal(await s.done, 'expired');
  assert.equal(w.proxyClosed(), 1);
  assert.equal(w.files.size, 0);
  await s.end('disconnected');
  assert.deepEqual(w.ended, []);
  assert.equal(w.proxyClosed(), 1);
});

test('end() tells the gateway once with the session token, and disarms the timer', async () => {
  const w = world();
  const s = await startSession(w.deps, { connection: 'prod' });
  await Promise.all([s.end('disconnected'), s.end('exited')]);
  assert.equal(await s.done, 'disconnected');
  assert.deepEqual(w.ended, ['JWT:sess-1']);
  assert.equal(w.timers.length, 0);
});

test('a bad --ttl fails with a usage error before the gateway is asked', async () => {
  const w = world();
  await assert.rejects(startSession(w.deps, { connection: 'prod', ttl: '15' }), { code: 'usage' });
  assert.deepEqual(w.requests, []);
});

test('if serving fails, the proxy is closed and the gateway session ended', async () => {
  const w = world();
  w.failDir();
  await assert.rejects(startSession(w.deps, { connection: 'prod' }), /disk full/);
  assert.equal(w.proxyClosed(), 1);
  assert.deepEqual(w.ended, ['JWT:sess-1']);
});

test('runSubshell: at expiry the shell gets a message and SIGHUP; its exit ends the session', async () => {
  const w = world();
  const c = fakeChild();
  const s = await startSession(w.deps, { connection: 'prod', ttl: '1m' });
  const code = runSubshell({ ...c.deps, shell: '/bin/zsh' }, s);
  assert.equal(c.spawned[0]?.command, '/bin/zsh');
  assert.deepEqual(c.spawned[0]?.env, s.env);
  w.advance(60_000);
  await s.done;
  await flush();
  assert.deepEqual(c.kills, ['SIGHUP']);
  assert.match(c.out.join(''), /expired; closing this shell \(run hoopctl connect prod/);
  c.exit({ code: 129, signal: 'SIGHUP' });
  assert.equal(await code, 129);
});

test('runSubshell: SIGTERM (hoopctl disconnect) ends the session and hangs up the shell', async () => {
  const w = world();
  const c = fakeChild();
  const s: RunningSession = await startSession(w.deps, { connection: 'prod' });
  const code = runSubshell(c.deps, s);
  assert.equal(c.spawned[0]?.command, '/bin/sh');
  c.handlers.get('SIGTERM')?.('SIGTERM');
  assert.equal(await s.done, 'disconnected');
  await flush();
  assert.deepEqual(c.kills, ['SIGHUP']);
  c.exit({ code: 0, signal: null });
  assert.equal(await code, 0);
  assert.equal(c.handlers.size, 0, 'signal handlers released');
});

test('runExec: the child outlives an expired session and its code still passes through', async () => {
  const w = world();
  const c = fakeChild();
  const s = await startSession(w.deps, { connection: 'prod', ttl: '1m' });
  const code = runExec(c.deps, s, ['cursor', '--wait']);
  assert.deepEqual(c.spawned[0]?.forwardSignals, ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']);
  assert.equal(c.spawned[0]?.terminalDeliversInterrupts, true);
  w.advance(60_000);
  await s.done;
  await flush();
  assert.deepEqual(c.kills, []);
  assert.match(c.out.join(''), /expired; cursor keeps running without cluster access/);
  c.exit({ code: 5, signal: null });
  assert.equal(await code, 5);
  await assert.rejects(runExec(c.deps, s, []), { code: 'usage' });
});

test('runSessionDaemon reports ready and ends on SIGTERM', async () => {
  const w = world();
  const c = fakeChild();
  const ready: unknown[] = [];
  const grant = {
    session: {
      sessionId: 'sess-9',
      connection: 'prod',
      token: 'JWT',
      server: 'https://gw/k8s/prod',
      expiresAt: '2026-11-26T12:15:00Z',
      user: 'alice',
      groups: [],
    },
    gateway: 'https://gw',
    localToken: 'L',
    certPem: PEM,
    keyPem: 'K',
  };
  const reason = runSessionDaemon(grant, {
    ...w.deps,
    gatewayFor: () => ({ listSessions: async () => [], ...w.deps.gateway }),
    onSignal: c.deps.onSignal,
    reportReady: async (i) => {
      ready.push(i);
    },
    reportFailed: async () => undefined,
  });
  while (ready.length === 0) await flush();
  assert.deepEqual(ready, [{ sessionId: 'sess-9', kubeconfigPath: '/run/hoopctl/sessions/sess-9/kubeconfig', expiresAt: '2026-11-26T12:15:00Z' }]);
  c.handlers.get('SIGTERM')?.('SIGTERM');
  assert.equal(await reason, 'disconnected');
  assert.deepEqual(w.ended, ['JWT:sess-9']);
  const failed: unknown[] = [];
  await assert.rejects(
    runSessionDaemon(
      { nope: 1 },
      {
        ...w.deps,
        gatewayFor: () => ({ listSessions: async () => [], ...w.deps.gateway }),
        onSignal: c.deps.onSignal,
        reportReady: async () => undefined,
        reportFailed: async (e) => {
          failed.push(e);
        },
      },
    ),
    { code: 'internal' },
  );
  assert.equal(failed.length, 1);
});

test('chooseSessions', () => {
  const mk = (connection: string, pid: number): LocalSessionStatus => ({
    sessionId: `${connection}-${pid}`,
    connection,
    gateway: 'g',
    pid,
    kubeconfig: 'k',
    expiresAt: 'e',
    remainingSeconds: 1,
  });
  const live = [mk('prod', 1), mk('staging', 2), mk('prod', 3)];
  assert.deepEqual(
    chooseSessions(live, { connection: 'prod' }).map((s) => s.pid),
    [1, 3],
  );
  assert.deepEqual(
    chooseSessions(live, { all: true }).map((s) => s.pid),
    [1, 2, 3],
  );
  assert.deepEqual(chooseSessions([], { all: true }), []);
  assert.deepEqual(
    chooseSessions([mk('dev', 7)], {}).map((s) => s.pid),
    [7],
  );
  assert.throws(() => chooseSessions(live, {}), { code: 'usage' });
  assert.throws(() => chooseSessions(live, { connection: 'dev' }), { code: 'not_found' });
  assert.throws(() => chooseSessions([], {}), { code: 'not_found' });
});

test('formatExports quotes for sh', () => {
  assert.equal(formatExports({ A: "/x/it's here", B: 'b' }), `export A='/x/it'\\''s here'\nexport B='b'\n`);
});

test('remainingSeconds is 0 once expired or unparsable', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  assert.equal(remainingSeconds({ expiresAt: '2026-11-26T11:00:00Z' }, now), 0);
  assert.equal(remainingSeconds({ expiresAt: 'soon' }, now), 0);
  assert.equal(remainingSeconds({ expiresAt: '2026-11-26T12:00:01Z' }, now), 1);
});

/** world() plus tombstones, a node path, and a gateway that ended the session (`revoked by bob`) once `revoked` is set. */
function worldWithTombstones() {
  const w = world();
  const closedWith: (string | undefined)[] = [];
  const pruned: string[] = [];
  let revoked = false;
  w.deps.nodePath = '/usr/bin/node';
  w.deps.sessionDirs.tombstones = {
    build: (i) => `tombstone for ${i.server}: ${i.message}`,
    write: async (dir, yaml, record) => {
      w.files.set(`${dir}/kubeconfig`, yaml);
      w.files.set(`${dir}/ended.json`, JSON.stringify(record));
    },
    prune: async (dir) => {
      pruned.push(dir);
    },
  };
  w.deps.createLocalProxy = async (o) => {
    w.proxyOptions.push(o);
    return {
      url: 'https://127.0.0.1:40000',
      port: 40000,
      close: async (status) => {
        closedWith.push(status?.message);
      },
      whenStopped: async () => undefined,
      openConnections: () => 0,
    };
  };
  w.deps.gateway.listSessions = async (bearer) => {
    assert.equal(bearer, 'JWT');
    if (revoked) throw new HoopError('session_expired', 'session sess-1 has ended (revoked by bob@example.com)', { hint: 'run hoopctl connect prod' });
    return [];
  };
  return {
    ...w,
    closedWith,
    pruned,
    revoke: () => {
      revoked = true;
    },
  };
}

test('a revoke at the gateway, learnt when a stream is cut, ends the session with a tombstone and a Status naming who', async () => {
  const w = worldWithTombstones();
  const s = await startSession(w.deps, { connection: 'prod' });
  const ask = w.proxyOptions[0]!.sessionEnded!;
  assert.equal(await ask(), undefined, 'a live session: the stream was cut for another reason');
  w.revoke();
  const status = await ask();
  const message = 'hoopctl session for prod ended (revoked by bob@example.com); run: hoopctl connect prod';
  assert.equal(status?.message, message);
  assert.equal(status?.code, 401);
  assert.equal(await s.done, 'revoked');
  assert.deepEqual(w.closedWith, [message]);
  assert.equal(w.files.get(s.kubeconfigPath), `tombstone for https://127.0.0.1:40000: ${message}`);
  assert.ok(!(w.files.get(s.kubeconfigPath) ?? '').includes(Buffer.alloc(32, 7).toString('base64url')), 'the local token is gone');
  assert.deepEqual(w.pruned, ['/run/hoopctl/sessions/sess-1']);
  // The gateway ended it itself: no DELETE.
  assert.deepEqual(w.ended, []);
  assert.equal((await ask())?.message, message);
});

test('disconnect leaves a tombstone; a later "exited" (the child is gone) removes it', async () => {
  const w = worldWithTombstones();
  const s = await startSession(w.deps, { connection: 'prod' });
  await s.end('disconnected');
  assert.deepEqual(w.closedWith, ['hoopctl session for prod ended (disconnected); run: hoopctl connect prod']);
  assert.match(w.files.get(s.kubeconfigPath) ?? '', /^tombstone/);
  await s.end('exited');
  assert.equal(w.files.size, 0);
});

test('gatewayEnd reads the gateway refusal; describeEnd words every reason', () => {
  assert.deepEqual(gatewayEnd('session s has ended (revoked by bob)'), { reason: 'revoked', detail: 'revoked by bob' });
  assert.deepEqual(gatewayEnd('session s has ended (ended by alice)'), { reason: 'revoked', detail: 'ended by alice' });
  assert.deepEqual(gatewayEnd('the session has expired'), { reason: 'expired' });
  assert.deepEqual(gatewayEnd('session s has expired'), { reason: 'expired' });
  assert.deepEqual(gatewayEnd('session s is unknown to this gateway'), { reason: 'revoked', detail: 'ended at the gateway' });
  assert.equal(describeEnd('revoked'), 'ended at the gateway');
  assert.equal(describeEnd('disconnected'), 'disconnected');
});
