// How a session's end reads in real kubectl (1.27 SPDY, 1.32/1.33 WebSocket, and 1.32 over SPDY as its fallback)
// through the whole chain: cut watches end with an ERROR event carrying a Status, cut execs with that Status on
// the error channel (WebSocket) or error stream (SPDY) — kubectl prints `error: <message>`, not a 1006 dump —,
// new commands run the tombstone kubeconfig's plugin, and nothing secret stays on disk. A killed session daemon is swept by
// `hoopctl status` and ended at the gateway.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { startChain, hoopExec, type Chain } from './chain-harness.js';
import { runCli, startCli, type RunningCli, type TempHome } from '../support/cli-runner.js';
import { kubectlBinaries, type KubectlBinary } from '../support/kubectl-binaries.js';

const KUBECTLS = kubectlBinaries(['1.27', '1.33']);
const WEBSOCKET_KUBECTLS = KUBECTLS.filter((k) => k.label !== '1.27');
/** kubectl over SPDY/3.1: 1.27 (its only transport) and the default kubectl with WebSocket turned off (the 1.30+ fallback). */
const SPDY_KUBECTLS: (KubectlBinary & { env?: NodeJS.ProcessEnv })[] = [
  ...KUBECTLS.filter((k) => k.label === '1.27'),
  ...KUBECTLS.filter((k) => k.label.startsWith('default')).map((k) => ({
    label: 'default over SPDY',
    path: k.path,
    env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' },
  })),
];
let chain: Chain;
let alice: TempHome;
let pod: string;

before(async () => {
  chain = await startChain();
  alice = await chain.loginAs('alice');
  const pods = await hoopExec(alice, 'demo', ['kubectl', 'get', 'pods', '-n', 'demo', '-o', 'name']);
  assert.equal(pods.code, 0, pods.stderr);
  pod = pods.stdout.trim().split('\n')[0]!.replace('pod/', '');
});
after(async () => {
  await chain?.close();
});

interface Connected {
  kubeconfig: string;
  sessionId: string;
  dir: string;
  localToken: string;
  env: NodeJS.ProcessEnv;
}

async function connect(connection: string, extra: string[] = []): Promise<Connected> {
  const r = await runCli(['connect', connection, '--print-env', '-n', 'demo', ...extra], alice.env);
  assert.equal(r.code, 0, r.stderr);
  const kubeconfig = /export KUBECONFIG='([^']+)'/.exec(r.stdout)![1]!;
  const sessionId = /export HOOP_SESSION='([^']+)'/.exec(r.stdout)![1]!;
  const localToken = /token: (\S+)/.exec(await readFile(kubeconfig, 'utf8'))![1]!;
  return { kubeconfig, sessionId, dir: join(kubeconfig, '..'), localToken, env: { ...alice.env, KUBECONFIG: kubeconfig } };
}

function kubectl(k: KubectlBinary, args: string[], env: NodeJS.ProcessEnv): RunningCli {
  return startCli(args, env, { command: k.path });
}

/** A watch that has printed its list, so the next bytes it gets are events. */
async function openWatch(k: KubectlBinary, env: NodeJS.ProcessEnv): Promise<RunningCli> {
  const w = kubectl(k, ['get', 'configmaps', '-n', 'demo', '-w'], env);
  await w.waitFor(/NAME/, 15_000);
  return w;
}

/** An interactive `exec -i … cat` whose stream is up (an echoed line came back). */
async function openExec(k: KubectlBinary, env: NodeJS.ProcessEnv): Promise<RunningCli> {
  const e = kubectl(k, ['exec', '-i', '-n', 'demo', pod, '--', 'cat'], env);
  e.child.stdin!.write(`ping-${k.label}\n`);
  await e.waitFor(new RegExp(`ping-${k.label.replace(/[().]/g, '.')}`), 15_000);
  return e;
}

/** A cut exec: kubectl exits 1 having printed `error: <message>`, and no WebSocket close dump. */
async function assertExecSays(e: RunningCli, label: string, message: string): Promise<void> {
  const r = await e.done;
  console.log(`# kubectl ${label} exec cut: exit ${r.code}\n${r.stderr.replace(/^/gm, '#   ')}`);
  assert.equal(r.code, 1, `${label}: ${r.stderr}`);
  assert.ok(r.stderr.includes(`error: ${message}`), `${label} printed:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /1006|unexpected EOF/, label);
}

const openSpdyExecs = (env: NodeJS.ProcessEnv): Promise<RunningCli[]> => Promise.all(SPDY_KUBECTLS.map((k) => openExec(k, { ...env, ...k.env })));

/** Only the tombstone is left: no local bearer token, no gateway credential (JWT), 0600 files in the 0700 dir. */
async function assertNothingSecret(c: Connected): Promise<void> {
  // Cut streams get their Status first; the daemon then finishes its teardown (within its 1 s close deadline).
  for (let i = 0; i < 100 && (await readdir(c.dir)).length > 2; i++) await new Promise((res) => setTimeout(res, 50));
  assert.deepEqual((await readdir(c.dir)).sort(), ['ended.json', 'kubeconfig']);
  assert.equal((await stat(c.dir)).mode & 0o777, 0o700);
  for (const f of ['ended.json', 'kubeconfig']) {
    const text = await readFile(join(c.dir, f), 'utf8');
    assert.equal((await stat(join(c.dir, f))).mode & 0o777, 0o600, f);
    assert.ok(!text.includes(c.localToken), `${f} holds the local bearer token`);
    assert.doesNotMatch(text, /eyJ[\w-]+\.[\w-]+\./, `${f} holds a JWT`);
    assert.doesNotMatch(text, /token:|client-key|BEGIN/, f);
  }
}

/** Every kubectl version on the machine, run afresh with the ended session's KUBECONFIG, prints `message` and fails. */
async function assertNewCommandsSay(c: Connected, message: string): Promise<void> {
  for (const k of KUBECTLS) {
    const r = await runCli(['get', 'pods', '-n', 'demo'], c.env, { command: k.path });
    assert.equal(r.code, 1, `${k.label}: ${r.stderr}`);
    assert.ok(r.stderr.includes(message), `${k.label} printed:\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /localhost:8080/, k.label);
    // What each version prints is kept in the test log (see the report of issue 11 item 5).
    console.log(`# kubectl ${k.label} after the end:\n${r.stderr.replace(/^/gm, '#   ')}`);
  }
}

const ended = (connection: string, why: string): string => `hoopctl session for ${connection} ended (${why}); run: hoopctl connect ${connection}`;

describe('a session that ends tells every kubectl why', () => {
  test('disconnect: cut watches (1.27/1.32/1.33) print the Status, WebSocket and SPDY execs exit 1 with it, new commands print it; no secret left', async () => {
    const c = await connect('demo');
    const watches = await Promise.all(KUBECTLS.map((k) => openWatch(k, c.env)));
    const execs = await Promise.all(WEBSOCKET_KUBECTLS.map((k) => openExec(k, c.env)));
    const spdyExecs = await openSpdyExecs(c.env);
    const d = await runCli(['disconnect', 'demo'], alice.env);
    assert.equal(d.code, 0, d.stderr);
    const message = ended('demo', 'disconnected');
    for (const [i, w] of watches.entries()) {
      const r = await w.done;
      // kubectl get -w prints the ERROR event's Status as a row and, like for every watch end, exits 0.
      assert.ok(r.stdout.includes(message), `${KUBECTLS[i]!.label} printed:\n${r.stdout}\n${r.stderr}`);
      assert.equal(r.code, 0, KUBECTLS[i]!.label);
    }
    for (const [i, e] of execs.entries()) await assertExecSays(e, WEBSOCKET_KUBECTLS[i]!.label, message);
    for (const [i, e] of spdyExecs.entries()) await assertExecSays(e, SPDY_KUBECTLS[i]!.label, message);
    await assertNothingSecret(c);
    await assertNewCommandsSay(c, message);
  });

  test('revoke at the gateway: the cut watch and execs (WebSocket and SPDY) say who revoked it, and so do new commands', async () => {
    const c = await connect('demo');
    const k = KUBECTLS.find((x) => x.label.startsWith('default'))!;
    const w = await openWatch(k, c.env);
    const e = await openExec(WEBSOCKET_KUBECTLS.at(-1)!, c.env);
    const spdyExecs = await openSpdyExecs(c.env);
    const r = await runCli(['revoke', c.sessionId], alice.env);
    assert.equal(r.code, 0, r.stderr);
    const message = ended('demo', 'revoked by alice@example.com');
    const wr = await w.done;
    assert.ok(wr.stdout.includes(message), wr.stdout + wr.stderr);
    await assertExecSays(e, WEBSOCKET_KUBECTLS.at(-1)!.label, message);
    for (const [i, se] of spdyExecs.entries()) await assertExecSays(se, SPDY_KUBECTLS[i]!.label, message);
    // The daemon learned it from the cut streams and ended the session here too.
    const st = await runCli(['status', '-o', 'json'], alice.env);
    assert.deepEqual(JSON.parse(st.stdout), []);
    await assertNothingSecret(c);
    await assertNewCommandsSay(c, message);
  });

  test('revoke at the gateway with nothing open: the very next command says who revoked it', async () => {
    const c = await connect('demo');
    const k = KUBECTLS.find((x) => x.label.startsWith('default'))!;
    const before = await runCli(['get', 'configmaps', '-n', 'demo'], c.env, { command: k.path });
    assert.equal(before.code, 0, before.stderr);
    assert.equal((await runCli(['revoke', c.sessionId], alice.env)).code, 0);
    const message = ended('demo', 'revoked by alice@example.com');
    const r = await runCli(['get', 'configmaps', '-n', 'demo'], c.env, { command: k.path });
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(message), r.stderr);
    console.log(`# kubectl ${k.label}, first command after a revoke:\n${r.stderr.replace(/^/gm, '#   ')}`);
    await assertNothingSecret(c);
    await assertNewCommandsSay(c, message);
  });

  test('expiry: the cut watch and execs (WebSocket and SPDY) say the session expired', async () => {
    // The shortest session the gateway grants (60 s): the 6 s "short" connection can expire before two
    // kubectl processes have started on a loaded machine.
    const c = await connect('demo', ['--ttl', '1m']);
    const k = KUBECTLS.find((x) => x.label.startsWith('default'))!;
    const w = await openWatch(k, c.env);
    const e = await openExec(k, c.env);
    const spdyExecs = await openSpdyExecs(c.env);
    const message = ended('demo', 'expired');
    const wr = await w.done;
    assert.ok(wr.stdout.includes(message), wr.stdout + wr.stderr);
    await assertExecSays(e, k.label, message);
    for (const [i, se] of spdyExecs.entries()) await assertExecSays(se, SPDY_KUBECTLS[i]!.label, message);
    await assertNothingSecret(c);
    await assertNewCommandsSay(c, message);
  });

  test('a session daemon killed with SIGKILL is swept by hoopctl status: credentials gone, ended at the gateway, kubectl says so', async () => {
    const c = await connect('demo');
    const before = JSON.parse((await runCli(['status', '-o', 'json'], alice.env)).stdout) as { sessionId: string; pid: number }[];
    const pid = before.find((s) => s.sessionId === c.sessionId)!.pid;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((res) => setTimeout(res, 50));
    }
    const st = await runCli(['status'], alice.env);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stderr, new RegExp(`session ${c.sessionId} for demo lost its process \\(pid ${pid}\\): removed its credentials, ended it at the gateway`));
    const all = await runCli(['sessions', '--all', '-o', 'json'], alice.env);
    const s = (JSON.parse(all.stdout) as { id: string; endedAt: string | null; endReason: string | null }[]).find((x) => x.id === c.sessionId)!;
    assert.notEqual(s.endedAt, null);
    assert.match(s.endReason ?? '', /alice@example\.com/);
    await assertNothingSecret(c);
    await assertNewCommandsSay(c, ended('demo', `its hoopctl process ${pid} stopped`));
  });
});
