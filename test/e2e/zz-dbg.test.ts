import { test } from 'node:test';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startChain } from './chain-harness.js';
import { runCli, startCli } from '../support/cli-runner.js';
test('dbg', async () => {
  const chain = await startChain();
  const alice = await chain.loginAs('alice');
  const r = await runCli(['connect', 'demo', '--print-env', '-n', 'demo'], alice.env);
  const kubeconfig = /export KUBECONFIG='([^']+)'/.exec(r.stdout)![1]!;
  const st = JSON.parse((await runCli(['status', '-o', 'json'], alice.env)).stdout);
  const pid = st[0].pid;
  const env = { ...alice.env, KUBECONFIG: kubeconfig };
  const w = startCli(['get', 'configmaps', '-n', 'demo', '-w'], env, { command: '/usr/bin/kubectl' });
  await w.waitFor(/NAME/, 15000);
  const pods = await runCli(['get', 'pods', '-n', 'demo', '-o', 'name'], env, { command: '/usr/bin/kubectl' });
  const pod = pods.stdout.trim().split('\n')[0]!.replace('pod/', '');
  const e = startCli(['exec', '-i', '-n', 'demo', pod, '--', 'cat'], env, { command: '/usr/bin/kubectl' });
  e.child.stdin!.write('ping\n');
  await e.waitFor(/ping/, 15000);
  const d = await runCli(['disconnect', 'demo'], alice.env);
  const er = await e.done;
  console.log('exec', er.code, er.stdout, er.stderr);
  console.log('disconnect', d.code, d.stderr);
  const wr = await w.done;
  console.log('watch', wr.code, wr.stdout, wr.stderr);
  for (let i = 0; i < 5; i++) {
    let alive = true; try { process.kill(pid, 0); } catch { alive = false; }
    console.log('alive', alive, await readdir(join(kubeconfig, '..')));
    await new Promise((res) => setTimeout(res, 1000));
  }
  await chain.close();
});
