// `hoopctl quickstart --tour` as a user runs it: one process, embedded IdP, gateway and simulated cluster, real kubectl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createTempHome, runCli } from '../support/cli-runner.js';

test('quickstart --tour reads, gets refused, prints the audit trail, tears down and exits 0', async () => {
  const home = await createTempHome();
  const before = new Set(await readdir(tmpdir()));
  try {
    const r = await runCli(['quickstart', '--tour'], home.env, { timeoutMs: 90_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /SIMULATED demo cluster/);
    assert.match(r.stderr, /logged in as alice@example\.com/);
    assert.match(r.stdout, /web-\S+\s+1\/1\s+Running/);
    assert.match(r.stdout, /Forbidden.*no-namespace-deletion/);
    assert.match(r.stdout, /alice@example\.com\s+demo\s+deny\s+403\s+delete\s+namespaces/);
    assert.match(r.stdout, /alice@example\.com\s+demo\s+allow\s+200\s+list\s+pods -n demo/);
    assert.match(r.stderr, /tour complete/);
    const left = (await readdir(tmpdir())).filter((f) => f.startsWith('hoopctl-quickstart-') && !before.has(f));
    assert.deepEqual(left, [], 'the quickstart removes its temporary state');
    // The quickstart never touches the user's own hoopctl login.
    assert.deepEqual(await readdir(home.env.XDG_CONFIG_HOME!).catch(() => []), []);
  } finally {
    await home.cleanup();
  }
});
