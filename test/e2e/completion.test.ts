// Shell completion in real shells: the script `hoopctl completion bash|zsh|fish` prints is loaded into
// a real bash, zsh and fish, which are then asked for the candidates of a command line the way each
// asks when Tab is pressed: bash through its completion function (COMP_WORDS/COMP_CWORD), zsh through
// its line editor on a pseudo-terminal (zpty, compinit, Tab typed, the matches zsh offers captured),
// fish through `complete -C`. Connection names and session ids come from the real gateway, cached
// briefly, and nothing is printed without a login. .ci/run installs zsh and fish; without them the
// zsh and fish cases skip, and in CI that skip fails the run.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startChain, type Chain } from './chain-harness.js';
import { createTempHome, hoopctlBin, runCli, startCli, type TempHome } from '../support/cli-runner.js';

type Shell = 'bash' | 'zsh' | 'fish';

let chain: Chain;
let alice: TempHome;

const BASH = `source <(hoopctl completion bash)
read -r -a COMP_WORDS <<< "$LINE"
[[ "$LINE" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_hoopctl
printf '%s\\n' "\${COMPREPLY[@]}"`;

// An interactive `zsh -f` on a pseudo-terminal with compinit and the script loaded; compadd is wrapped
// to print the matches zsh would offer (-O: after zsh's own filtering by the typed prefix), and a
// comppostfuncs hook marks the end of the completion. LINE is typed followed by a Tab.
const ZSH = `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'PS1=""; autoload -Uz compinit && compinit -u -D'
zpty -w z 'source <(hoopctl completion zsh)'
zpty -w z 'compadd() { local -a __m; builtin compadd -O __m "$@"; print -rl -- "<hit>"\${^__m}; builtin compadd "$@"; }'
zpty -w z '__hoop_done() { print -r -- "<done>"; }; comppostfuncs=(__hoop_done)'
zpty -w z 'print -r -- "<re""ady>"'
while zpty -r z line; do [[ $line == *'<ready>'* ]] && break; done
zpty -n -w z "$LINE"$'\\t'
while zpty -r z line; do
  [[ $line == *'<done>'* ]] && break
  [[ $line == *'<hit>'* ]] && print -r -- "\${\${line##*<hit>}%%$'\\r'*}"
done
zpty -d z`;

const FISH = `hoopctl completion fish | source; complete -C "$LINE"`;

function installed(shell: Shell): boolean {
  return spawnSync(shell, ['-c', 'exit 0']).status === 0;
}

/** The candidates the real `shell` offers for the command line `line` (the cursor at its end). */
function complete(shell: Shell, home: TempHome, line: string): { words: string[]; stderr: string } {
  const argv = shell === 'bash' ? ['--norc', '--noprofile', '-c', BASH] : shell === 'zsh' ? ['-f', '-c', ZSH] : ['--no-config', '-c', FISH];
  const r = spawnSync(shell, argv, { env: { ...home.env, LINE: line }, encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, `${shell}: ${r.stderr}${r.error?.message ?? ''}`);
  // fish prints "candidate<TAB>description"; only the candidate is compared.
  const words = r.stdout
    .split('\n')
    .map((w) => w.split('\t')[0]!)
    .filter((w) => w !== '');
  return { words: words.sort(), stderr: r.stderr };
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

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  const skip = installed(shell) ? false : `${shell} is not installed (apt-get install ${shell}; .ci/run installs it)`;
  describe(`hoopctl completion ${shell}`, { skip }, () => {
    test('commands, subcommands, flags and flag choices from the program', () => {
      assert.deepEqual(complete(shell, alice, 'hoopctl co').words, ['completion', 'connect', 'connections']);
      assert.deepEqual(complete(shell, alice, 'hoopctl policy ').words, ['check', 'explain']);
      assert.deepEqual(complete(shell, alice, 'hoopctl connect --ro').words, ['--role']);
      assert.deepEqual(complete(shell, alice, 'hoopctl sessions -o ').words, ['json', 'text']);
      assert.deepEqual(complete(shell, alice, 'hoopctl completion ').words, ['bash', 'fish', 'zsh']);
      assert.deepEqual(complete(shell, alice, 'hoopctl exec demo -- kubectl ').words, []);
    });

    test('connection names and session ids from the gateway, then from the cache', async () => {
      const cacheFile = join(alice.dir, '.cache', 'hoopctl', 'completion.json');
      await rm(cacheFile, { force: true }); // the shell before this one filled it
      assert.deepEqual(complete(shell, alice, 'hoopctl connect ').words, ['demo', 'short']);
      assert.deepEqual(complete(shell, alice, 'hoopctl exec d').words, ['demo']);
      const job = startCli(['exec', 'demo', '--', 'sh', '-c', 'echo ready; exec sleep 60'], alice.env);
      try {
        await job.waitFor(/ready/);
        const listed = await runCli(['sessions', '-o', 'json'], alice.env);
        assert.equal(listed.code, 0, listed.stderr);
        const ids = (JSON.parse(listed.stdout) as { id: string }[]).map((x) => x.id);
        assert.equal(ids.length, 1, listed.stdout);
        assert.deepEqual(complete(shell, alice, 'hoopctl revoke ').words, ids);
        assert.deepEqual(complete(shell, alice, `hoopctl revoke ${ids[0]!.slice(0, 4)}`).words, ids);
      } finally {
        job.child.kill('SIGTERM');
        await job.done;
      }
      // Within the minute, the cache answers (the gateway is not asked again).
      const cache = JSON.parse(await readFile(cacheFile, 'utf8')) as Record<string, { at: number; values: string[] }>;
      await writeFile(cacheFile, JSON.stringify({ ...cache, connections: { at: Date.now(), values: ['from-cache'] } }));
      assert.deepEqual(complete(shell, alice, 'hoopctl connect ').words, ['from-cache']);
      await writeFile(cacheFile, JSON.stringify({ ...cache, connections: { at: Date.now() - 120_000, values: ['from-cache'] } }));
      assert.deepEqual(complete(shell, alice, 'hoopctl connect ').words, ['demo', 'short']);
    });

    test('silent without a login: no candidates, nothing on stderr', async () => {
      const nobody = await createTempHome();
      try {
        await withHoopctlOnPath(nobody);
        const r = complete(shell, nobody, 'hoopctl connect ');
        assert.deepEqual(r.words, []);
        assert.equal(r.stderr, '');
        assert.deepEqual(complete(shell, nobody, 'hoopctl disc').words, ['disconnect']);
      } finally {
        await nobody.cleanup();
      }
    });

    test('silent when the gateway takes the connection and never answers: the shell gets its answer, without candidates or a word', async () => {
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const stuck = await createTempHome();
      try {
        await withHoopctlOnPath(stuck);
        const { port } = silent.address() as AddressInfo;
        const stored = JSON.parse(await readFile(join(alice.env.XDG_CONFIG_HOME!, 'hoopctl', 'tokens.json'), 'utf8')) as Record<string, unknown>;
        await mkdir(join(stuck.env.XDG_CONFIG_HOME!, 'hoopctl'), { recursive: true });
        await writeFile(join(stuck.env.XDG_CONFIG_HOME!, 'hoopctl', 'tokens.json'), JSON.stringify({ ...stored, gateway: `http://127.0.0.1:${port}` }), {
          mode: 0o600,
        });
        const r = complete(shell, stuck, 'hoopctl connect ');
        assert.deepEqual(r.words, []);
        assert.equal(r.stderr, '');
      } finally {
        silent.close();
        await stuck.cleanup();
      }
    });
  });
}
