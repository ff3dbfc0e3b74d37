// GUI launchers for AI agents (`cursor .`, `code .`) return at once and leave a detached editor
// behind: with the built CLI, a fake `cursor` that starts a detached grandchild and exits, the
// session must outlive the launcher (served in the background) until `hoopctl disconnect`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hoopExec, startChain, type Chain } from './chain-harness.js';
import { assertOnlyTombstones } from '../support/session-tombstones.js';
import { runCli, type TempHome } from '../support/cli-runner.js';

let chain: Chain;
let alice: TempHome;
let env: NodeJS.ProcessEnv;

// Like `cursor .`: hands the work to a detached process and exits 0 at once; `--wait` blocks instead.
const LAUNCHER = `#!/bin/sh
work='sleep 2.5; kubectl get configmaps -n demo -o name --request-timeout=5s > "$OUT" 2>&1; echo "exit=$? session=$HOOP_SESSION" >> "$OUT"'
if [ "$1" = "--wait" ]; then sh -c "$work"; exit 0; fi
setsid sh -c "$work" </dev/null >/dev/null 2>&1 &
exit 0
`;

const sessionsDir = (): string => join(alice.env.XDG_RUNTIME_DIR!, 'hoopctl', 'sessions');
const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

async function grandchildResult(file: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (/exit=\d+/.test(text)) return text;
    await sleep(100);
  }
  throw new Error(`the detached grandchild wrote nothing to ${file}`);
}

before(async () => {
  chain = await startChain();
  alice = await chain.loginAs('alice');
  const bin = join(alice.dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'cursor'), LAUNCHER);
  await chmod(join(bin, 'cursor'), 0o755);
  env = { ...alice.env, PATH: `${bin}:${alice.env.PATH ?? ''}` };
});
after(async () => {
  await chain?.close();
});

describe('exec with a launcher that returns at once', () => {
  test('cursor . keeps the session for its detached window until hoopctl disconnect', async () => {
    const out = join(alice.dir, 'kept.txt');
    const r = await runCli(['exec', 'demo', '--', 'cursor', '.'], { ...env, OUT: out });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /cursor returned at once/);
    assert.match(r.stderr, /hoopctl disconnect demo/);
    assert.match(r.stderr, /cursor --wait/);
    const text = await grandchildResult(out);
    assert.match(text, /configmap\/app-config/);
    assert.match(text, /exit=0 session=\S+/);
    const status = await runCli(['status', '-o', 'json'], alice.env);
    assert.equal((JSON.parse(status.stdout) as unknown[]).length, 1);
    const d = await runCli(['disconnect', 'demo'], alice.env);
    assert.equal(d.code, 0, d.stderr);
    // The daemon's kubeconfig escaped to the editor: a credential-free tombstone stays to tell it why it lost access.
    assert.equal((await assertOnlyTombstones(sessionsDir())).length, 1);
    await rm(sessionsDir(), { recursive: true, force: true });
  });

  test('--no-keep-alive ends the session with the launcher: the window loses access', async () => {
    const out = join(alice.dir, 'ended.txt');
    const r = await runCli(['exec', 'demo', '--no-keep-alive', '--', 'cursor', '.'], { ...env, OUT: out });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /returned at once/);
    assert.match(await grandchildResult(out), /exit=[1-9]/);
    assert.deepEqual(await readdir(sessionsDir()).catch(() => []), []);
  });

  test('cursor --wait ties the session to the window, as a plain exec', async () => {
    const out = join(alice.dir, 'waited.txt');
    const r = await runCli(['exec', 'demo', '--', 'cursor', '--wait', '.'], { ...env, OUT: out });
    assert.equal(r.code, 0, r.stderr);
    assert.match(await readFile(out, 'utf8'), /exit=0/);
    assert.deepEqual(await readdir(sessionsDir()).catch(() => []), []);
  });

  test("--keep-alive keeps any command's session; its children see HOOP_SESSION and the expiry", async () => {
    const r = await hoopExec(alice, 'demo', ['sh', '-c', 'echo "$HOOP_SESSION|$HOOP_CONNECTION|$HOOP_EXPIRES_AT"'], ['--keep-alive']);
    assert.equal(r.code, 0, r.stderr);
    const [id, conn, expires] = r.stdout.trim().split('|');
    assert.ok(id !== undefined && id !== '');
    assert.equal(conn, 'demo');
    assert.ok(Date.parse(expires ?? '') > Date.now());
    const status = await runCli(['status', '-o', 'json'], alice.env);
    assert.deepEqual(
      (JSON.parse(status.stdout) as { sessionId: string }[]).map((s) => s.sessionId),
      [id],
    );
    assert.equal((await runCli(['disconnect', 'demo'], alice.env)).code, 0);
    assert.deepEqual(await assertOnlyTombstones(sessionsDir()), [id]);
    await rm(sessionsDir(), { recursive: true, force: true });
  });
});
