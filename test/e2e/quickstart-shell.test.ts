// `kubectl exec -it POD -- sh` in the quickstart, as a newcomer types it: the real kubectl on a pseudo-terminal
// (util-linux `script`), driven by keystrokes, through the quickstart's local proxy, gateway and simulated cluster.
// The shell says it is a simulation, shows a prompt, answers echo/ls/cat/env; with -t every line ends in "\r\n"
// (no staircase on a raw-mode terminal); Ctrl-D and Ctrl-C leave a `cat`, Ctrl-C stops a `sleep`; `exit N` and
// Ctrl-D leave the shell, and kubectl exits with the shell's code. The session is recorded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempHome, runCli, startCli, type RunningCli, type TempHome } from '../support/cli-runner.js';

let home: TempHome;
let quickstart: RunningCli;
let kenv: NodeJS.ProcessEnv;
let pod: string;
const f = (n: string): string => join(home.dir, n);

const PROMPT = '/ # ';
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Matches once the terminal has shown `n` prompts. */
const prompts = (n: number): RegExp => new RegExp(`(?:[\\s\\S]*?${escape(PROMPT)}){${n}}`);

/** `kubectl exec -it POD -- sh` on a pseudo-terminal; keystrokes go to its stdin. */
function onTerminal(): RunningCli {
  return startCli(['-qefc', `kubectl exec -it -n demo ${pod} -- sh`, '/dev/null'], { ...kenv, TERM: 'xterm' }, { command: 'script' });
}

/** Types `keys` once the terminal shows `re`. */
async function type(term: RunningCli, re: RegExp, keys: string): Promise<void> {
  await term.waitFor(re, 30_000);
  term.child.stdin!.write(keys);
}

before(async () => {
  home = await createTempHome({ SHELL: '/bin/sh' });
  quickstart = startCli(['quickstart'], home.env);
  // The quickstart's subshell reads these lines from its stdin; every command gets /dev/null so none eats the rest.
  quickstart.child.stdin!.write(
    [
      `hoopctl exec demo --role exec --reason try-exec --no-wait -- true < /dev/null 2> ${f('req')}`,
      `id=$(grep -o 'access request [^ ]*' ${f('req')} | head -1 | cut -d' ' -f3)`,
      `hoopctl quickstart approve "$id" < /dev/null 2> ${f('approve')}`,
      `hoopctl connect demo --request "$id" --print-env -n demo < /dev/null > ${f('env.sh')} 2> ${f('connect')}`,
      'echo "connected: $?"',
      '',
    ].join('\n'),
  );
  await quickstart.waitFor(/connected: \d+/, 120_000);
  const envSh = await readFile(f('env.sh'), 'utf8');
  const kubeconfig = /export KUBECONFIG='([^']+)'/.exec(envSh)?.[1];
  assert.ok(kubeconfig !== undefined, `no session: ${envSh}\n${await readFile(f('connect'), 'utf8')}\n${await readFile(f('approve'), 'utf8')}`);
  kenv = { ...home.env, KUBECONFIG: kubeconfig };
  const pods = await runCli(['get', 'pods', '-n', 'demo', '-o', 'name'], kenv, { command: 'kubectl' });
  assert.equal(pods.code, 0, pods.stderr);
  pod = pods.stdout.trim().split('\n')[0]!.replace('pod/', '');
});

after(async () => {
  quickstart?.child.stdin!.end('exit\n');
  await quickstart?.done;
  await home?.cleanup();
});

test('exec -it sh: banner, prompt, echo, ls, cat left with Ctrl-D, sleep stopped with Ctrl-C, env, exit 3; no staircase', async () => {
  const term = onTerminal();
  await type(term, prompts(1), 'echo hi there\r');
  await type(term, prompts(2), 'ls /\r');
  await type(term, prompts(3), 'cat\r');
  await type(term, /cat\r\n/, 'typed line\r');
  await type(term, /typed line\r\ntyped line\r\n/, '\x04');
  await type(term, prompts(4), 'sleep 600\r');
  await type(term, /sleep 600\r\n/, '\x03');
  await type(term, prompts(5), 'env\r');
  await type(term, prompts(6), 'exit 3\r');
  const r = await term.done;
  const shown = r.stdout;
  assert.equal(r.code, 3, shown + r.stderr);
  assert.match(shown, /simulated shell in pod .*no real container runs here/);
  assert.ok(shown.includes(`${PROMPT}echo hi there\r\nhi there\r\n${PROMPT}`), shown);
  assert.ok(shown.includes('bin\r\ndev\r\netc\r\n'), shown);
  assert.ok(shown.includes('sleep 600\r\n^C\r\n'), shown);
  assert.ok(shown.includes(`HOSTNAME=${pod}\r\n`), shown);
  assert.match(shown, /command terminated with exit code 3/);
  // No staircase: with -t the terminal is raw, so every newline the container sends must come with its carriage return.
  assert.doesNotMatch(shown, /[^\r]\n/, JSON.stringify(shown));
});

test('exec -it sh: Ctrl-C leaves a cat too, Ctrl-C at the prompt gives a new one, Ctrl-D leaves the shell; the session is recorded', async () => {
  const term = onTerminal();
  await type(term, prompts(1), 'cat\r');
  await type(term, /cat\r\n/, 'abc\r');
  await type(term, /abc\r\nabc\r\n/, '\x03');
  await type(term, prompts(2), 'half a li\x7f\x7fline');
  await type(term, /li(\x08 \x08){2}line/, '\x03');
  await type(term, prompts(3), 'echo bye\r');
  // At EOF sh exits with the last command's status (the interrupted cat's 130 before this echo).
  await type(term, prompts(4), '\x04');
  const r = await term.done;
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /abc\r\n\^C\r\n\/ # half a li(\x08 \x08){2}line\^C\r\n\/ # echo bye\r\nbye\r\n\/ # exit\r\n/);
  assert.doesNotMatch(r.stdout, /[^\r]\n/, JSON.stringify(r.stdout));

  // Recorded by the gateway as the newcomer would replay it: exported as asciicast, a terminal session.
  quickstart.child.stdin!.write(
    `. ${f('env.sh')}; hoopctl replay "$HOOP_SESSION" --export ${f('cast')} --exec 2 < /dev/null > ${f('replay')} 2>&1; echo "replayed: $?"\n`,
  );
  await quickstart.waitFor(/replayed: \d+/, 60_000);
  const cast = (await readFile(f('cast'), 'utf8')).split('\n').filter((l) => l !== '');
  const header = JSON.parse(cast[0]!) as { command?: string; title?: string };
  assert.match(`${header.title ?? ''} ${header.command ?? ''}`, /sh/, cast[0]);
  const output = cast
    .slice(1)
    .map((l) => JSON.parse(l) as [number, string, string])
    .filter((e) => e[1] === 'o')
    .map((e) => e[2])
    .join('');
  assert.match(output, /simulated shell/);
  assert.ok(output.includes('abc\r\nabc\r\n'), output);
});
