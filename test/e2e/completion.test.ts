// Shell completion in a real bash: `source <(hoopctl completion bash)`, then the completion function
// is called the way bash calls it (COMP_WORDS/COMP_CWORD) against the built CLI; connection names
// and session ids come from the real gateway, cached briefly, and nothing is printed without a login.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startChain, type Chain } from './chain-harness.js';
import { createTempHome, hoopctlBin, runCli, startCli, type TempHome } from '../support/cli-runner.js';

let chain: Chain;
let alice: TempHome;

/** COMPREPLY for the command line `line` (the cursor at its end) in a fresh bash with the script sourced. */
function complete(home: TempHome, line: string): { words: string[]; stderr: string } {
  const script = `source <(hoopctl completion bash)
read -r -a COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_hoopctl
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { env: { ...home.env, LINE: line }, encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  return { words: r.stdout.split('\n').filter((w) => w !== ''), stderr: r.stderr };
}

async function withHoopctlOnPath(home: TempHome): Promise<void> {
  const bin = join(home.dir, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'hoopctl'), `#!/bin/sh\nexec "${process.execPath}" "${hoopctlBin}" "$@"\n`);
  await chmod(join(bin, 'hoopctl'), 0o755);
  home.env.PATH = `${bin}:${home.env.PATH ?? ''}`;
}

before(async () => {
  chain = await startChain();
  alice = await chain.loginAs('alice');
  await withHoopctlOnPath(alice);
});

after(async () => {
  await chain?.close();
});

describe('hoopctl completion bash', () => {
  test('commands, subcommands, flags and flag choices from the program', () => {
    assert.deepEqual(complete(alice, 'hoopctl co').words, ['completion', 'connect', 'connections']);
    assert.deepEqual(complete(alice, 'hoopctl policy ').words, ['check', 'explain']);
    assert.deepEqual(complete(alice, 'hoopctl connect --ro').words, ['--role']);
    assert.deepEqual(complete(alice, 'hoopctl sessions -o ').words, ['json', 'text']);
    assert.deepEqual(complete(alice, 'hoopctl completion ').words, ['bash', 'fish', 'zsh']);
    assert.deepEqual(complete(alice, 'hoopctl exec demo -- kubectl ').words, []);
  });

  test('connection names and session ids from the gateway, then from the cache', async () => {
    assert.deepEqual(complete(alice, 'hoopctl connect ').words, ['demo', 'short']);
    assert.deepEqual(complete(alice, 'hoopctl exec d').words, ['demo']);
    const job = startCli(['exec', 'demo', '--', 'sh', '-c', 'echo ready; sleep 60'], alice.env);
    try {
      await job.waitFor(/ready/);
      const listed = await runCli(['sessions', '-o', 'json'], alice.env);
      assert.equal(listed.code, 0, listed.stderr);
      const ids = (JSON.parse(listed.stdout) as { id: string }[]).map((x) => x.id);
      assert.equal(ids.length, 1, listed.stdout);
      assert.deepEqual(complete(alice, 'hoopctl revoke ').words, ids);
      assert.deepEqual(complete(alice, `hoopctl revoke ${ids[0]!.slice(0, 4)}`).words, ids);
    } finally {
      job.child.kill('SIGTERM');
      await job.done;
    }
    // Within the minute, the cache answers (the gateway is not asked again).
    const cacheFile = join(alice.dir, '.cache', 'hoopctl', 'completion.json');
    const cache = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, { at: number; values: string[] }>;
    await writeFile(cacheFile, JSON.stringify({ ...cache, connections: { at: Date.now(), values: ['from-cache'] } }));
    assert.deepEqual(complete(alice, 'hoopctl connect ').words, ['from-cache']);
    await writeFile(cacheFile, JSON.stringify({ ...cache, connections: { at: Date.now() - 120_000, values: ['from-cache'] } }));
    assert.deepEqual(complete(alice, 'hoopctl connect ').words, ['demo', 'short']);
  });

  test('silent without a login: no candidates, nothing on stderr', async () => {
    const nobody = await createTempHome();
    try {
      await withHoopctlOnPath(nobody);
      const r = complete(nobody, 'hoopctl connect ');
      assert.deepEqual(r.words, []);
      assert.equal(r.stderr, '');
      assert.deepEqual(complete(nobody, 'hoopctl disc').words, ['disconnect']);
    } finally {
      await nobody.cleanup();
    }
  });
});
