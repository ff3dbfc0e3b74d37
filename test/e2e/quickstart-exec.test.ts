// The quickstart can show exec: an `exec` role behind bob's approval, approved from the subshell with `hoopctl quickstart approve`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempHome, runCli } from '../support/cli-runner.js';

test('quickstart: request the exec role, approve it as bob, kubectl exec runs and the approval reaches the requester', async () => {
  const home = await createTempHome({ SHELL: '/bin/sh' });
  const f = (n: string): string => join(home.dir, n);
  try {
    const script = [
      `hoopctl exec demo --role exec --reason try-exec --no-wait -- true 2> ${f('req')}; echo $? > ${f('code')}`,
      `id=$(grep -o 'access request [^ ]*' ${f('req')} | head -1 | cut -d' ' -f3)`,
      `hoopctl quickstart approve "$id" --comment 'go ahead' 2> ${f('approve')}`,
      `hoopctl exec demo --request "$id" -- sh -c 'kubectl exec -n demo $(kubectl get pods -n demo -o name | head -1) -- echo hi-from-exec' > ${f('out')} 2> ${f('err')}`,
      'exit',
      '',
    ].join('\n');
    const r = await runCli(['quickstart'], home.env, { timeoutMs: 120_000, stdin: script });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /hoopctl quickstart approve ID/, 'the quickstart says how to act as bob');
    const req = await readFile(f('req'), 'utf8');
    assert.equal((await readFile(f('code'), 'utf8')).trim(), '5', req);
    assert.match(req, /quickstart approve \S+/);
    assert.match(await readFile(f('approve'), 'utf8'), /acting as bob@example\.com[\s\S]*approved alice@example\.com's request/);
    const err = await readFile(f('err'), 'utf8');
    assert.match(await readFile(f('out'), 'utf8'), /hi-from-exec/, err);
  } finally {
    await home.cleanup();
  }
});
