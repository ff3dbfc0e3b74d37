// "Where am I?": inside a session the prompt segment names it, status marks it with `>`, and a nested connect warns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempHome, runCli } from '../support/cli-runner.js';

test('in the quickstart subshell: hoopctl prompt, status marks the current session, a nested connect warns', async () => {
  const home = await createTempHome({ SHELL: '/bin/sh' });
  const f = (n: string): string => join(home.dir, n);
  try {
    const script = [
      `hoopctl prompt > ${f('prompt')}`,
      `echo "$HOOP_SESSION" > ${f('session')}`,
      `hoopctl connect demo --print-env > /dev/null`,
      `hoopctl status > ${f('status')}`,
      `hoopctl connect demo < /dev/null 2> ${f('nested')}`,
      `KUBECONFIG=${f('gone')} hoopctl prompt > ${f('prompt-ended')}`,
      `hoopctl exec demo --ttl 3h -- true 2> ${f('ttl')}`,
      'exit',
      '',
    ].join('\n');
    const r = await runCli(['quickstart'], home.env, { timeoutMs: 90_000, stdin: script });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const session = (await readFile(f('session'), 'utf8')).trim();
    assert.match(await readFile(f('prompt'), 'utf8'), /^⎈ demo(:[\w-]+)? (\d+m|\d+s)$/);
    assert.match(await readFile(f('prompt-ended'), 'utf8'), /^⎈ demo(:[\w-]+)? ended$/);
    const status = (await readFile(f('status'), 'utf8')).trim().split('\n');
    assert.match(status[0]!, /^\s*CONNECTION\s+ENDS\s+SESSION\s+KUBECONFIG$/, 'a header row');
    assert.equal(status.length, 3, 'the header, the subshell session and the background one');
    assert.deepEqual(
      status.filter((l) => l.startsWith('> ')).map((l) => l.includes(session)),
      [true],
      status.join('\n'),
    );
    const nested = await readFile(f('nested'), 'utf8');
    assert.ok(nested.includes(`already in session ${session} for demo`), nested);
    // The quickstart gateway's maxTtl is 1h.
    assert.match(await readFile(f('ttl'), 'utf8'), /--ttl 3h is above the maximum this connection allows; the session lasts (1h|59m)/);
  } finally {
    await home.cleanup();
  }
});

test('hoopctl prompt: empty outside a session, no network or login needed inside one', async () => {
  const home = await createTempHome();
  try {
    const outside = await runCli(['prompt'], home.env);
    assert.equal(outside.code, 0, outside.stderr);
    assert.equal(outside.stdout, '');
    const kubeconfig = join(home.dir, 'kubeconfig');
    await writeFile(kubeconfig, 'apiVersion: v1\n');
    const expires = new Date(Date.now() + 30 * 60_000 + 30_000).toISOString();
    const started = performance.now();
    const inside = await runCli(['prompt'], {
      ...home.env,
      KUBECONFIG: kubeconfig,
      HOOP_SESSION: 's-1',
      HOOP_CONNECTION: 'prod',
      HOOP_ROLE: 'edit',
      HOOP_EXPIRES_AT: expires,
    });
    const ms = performance.now() - started;
    assert.equal(inside.code, 0, inside.stderr);
    assert.equal(inside.stdout, '⎈ prod:edit 30m');
    process.stdout.write(`# hoopctl prompt took ${ms.toFixed(0)} ms\n`);
  } finally {
    await home.cleanup();
  }
});
