// After the quickstart ends, commands say the demo stack stopped and how to bring it back, not "not logged in".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createTempHome, runCli } from '../support/cli-runner.js';

test('quickstart --dir: once it ends, sessions names the stopped stack and the --dir command; a rerun keeps the history', async () => {
  const home = await createTempHome({ SHELL: '/bin/sh' });
  const dir = join(home.dir, 'demo');
  try {
    const first = await runCli(['quickstart', '--dir', dir], home.env, { timeoutMs: 90_000, stdin: 'kubectl get pods -n demo >/dev/null\nexit\n' });
    assert.equal(first.code, 0, first.stderr + first.stdout);

    const after = await runCli(['sessions'], home.env);
    assert.equal(after.code, 3, after.stderr);
    assert.match(after.stderr, /quickstart stack stopped/);
    assert.ok(after.stderr.includes(`hoopctl quickstart --dir ${dir}`), after.stderr);
    assert.doesNotMatch(after.stderr, /error: not logged in\n/);

    // Inside the quickstart's own config, the remembered gateway is gone: same explanation.
    const inside = await runCli(['sessions'], { ...home.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_RUNTIME_DIR: join(dir, 'run') });
    assert.notEqual(inside.code, 0);
    assert.match(inside.stderr, /quickstart stack stopped/, inside.stderr);

    const again = await runCli(['quickstart', '--dir', dir], home.env, { timeoutMs: 90_000, stdin: 'hoopctl sessions\nexit\n' });
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout, /alice@example\.com/, "the first run's session is still listed");
  } finally {
    await home.cleanup();
  }
});

test('a temporary quickstart: once it ends, not-logged-in says its state is gone and suggests --dir', async () => {
  const home = await createTempHome({ SHELL: '/bin/sh' });
  try {
    const first = await runCli(['quickstart'], home.env, { timeoutMs: 90_000, stdin: 'exit\n' });
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const after = await runCli(['replay', 'nope'], home.env);
    assert.equal(after.code, 3, after.stderr);
    assert.match(after.stderr, /quickstart stack stopped and removed its temporary state/);
    assert.match(after.stderr, /hoopctl quickstart --dir/);
  } finally {
    await home.cleanup();
  }
});
