// `hoopctl quickstart --tour` as a user runs it: one process, embedded IdP, gateway and simulated cluster, real kubectl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempHome, runCli } from '../support/cli-runner.js';

test('quickstart --tour reads, gets refused, prints the audit trail, tears down and exits 0', async () => {
  const home = await createTempHome();
  // A temp dir of its own: other test files start quickstarts of their own at the same time.
  const tmp = await mkdtemp(join(tmpdir(), 'hoop-qs-tmp-'));
  try {
    const r = await runCli(['quickstart', '--tour'], { ...home.env, TMPDIR: tmp }, { timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /SIMULATED demo cluster/);
    assert.match(r.stderr, /logged in as alice@example\.com/);
    assert.match(r.stdout, /web-\S+\s+1\/1\s+Running/);
    assert.match(r.stdout, /Forbidden.*no-namespace-deletion/);
    assert.match(r.stdout, /alice@example\.com\s+demo\s+deny\s+403\s+delete\s+namespaces/);
    assert.match(r.stdout, /alice@example\.com\s+demo\s+allow\s+200\s+list\s+pods -n demo/);
    assert.match(r.stderr, /tour complete/);
    const left = (await readdir(tmp)).filter((f) => f.startsWith('hoopctl-quickstart-'));
    assert.deepEqual(left, [], 'the quickstart removes its temporary state');
    // The quickstart never touches the user's own hoopctl login.
    assert.deepEqual(await readdir(home.env.XDG_CONFIG_HOME!).catch(() => []), []);
  } finally {
    await home.cleanup();
    await rm(tmp, { recursive: true, force: true });
  }
});

test('quickstart: a --print-env session started in its subshell is ended when the quickstart ends', async () => {
  const home = await createTempHome({ SHELL: '/bin/sh' });
  const statusFile = join(home.dir, 'status.json');
  try {
    // The subshell reads its commands from stdin: start a background session, note it, leave.
    const script = `hoopctl connect demo --print-env > /dev/null && hoopctl status -o json > ${statusFile}\nexit\n`;
    const r = await runCli(['quickstart'], home.env, { timeoutMs: 90_000, stdin: script });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const sessions = JSON.parse(await readFile(statusFile, 'utf8')) as { pid: number }[];
    assert.equal(sessions.length, 2, 'the subshell session and the background one');
    assert.match(r.stderr, /ended 1 session\(s\) still running in the quickstart/);
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    // Ending is asked by signal: give the daemons a moment to finish their teardown.
    for (let i = 0; i < 100 && sessions.some((s) => alive(s.pid)); i++) await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(
      sessions.filter((s) => alive(s.pid)),
      [],
      'no session process outlives the quickstart',
    );
  } finally {
    await home.cleanup();
  }
});
