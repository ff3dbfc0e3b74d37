// Terminal pickers through a real pseudo-terminal (util-linux `script -qefc`), driven by keystrokes: connect
// without a connection offers the connections and roles and asks a reason for an elevation; approve without
// an id lists the pending requests; revoke asks first. Without a TTY, with --no-input or in CI: no prompt.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessRequestView, SessionView } from '../../src/api/wire.js';
import { startChain, type Chain } from './chain-harness.js';
import { hoopctlBin, runCli, startCli, type RunningCli, type TempHome } from '../support/cli-runner.js';

const policy = {
  roles: [
    { name: 'view', rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'configmaps', 'namespaces'] }] },
    { name: 'edit', rules: [{ verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], apiGroups: ['', 'apps'], resources: ['configmaps'] }] },
  ],
  bindings: [
    { groups: ['engineers'], connections: ['demo'], roles: ['view'] },
    { groups: ['engineers'], connections: ['demo'], roles: ['edit'], approval: true, approvers: ['approvers'] },
    { groups: ['approvers'], connections: ['*'], roles: ['view'] },
  ],
};
const DOWN = '\x1b[B';
const ENTER = '\r';

let chain: Chain;
let alice: TempHome;
let bob: TempHome;

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** `hoopctl args…` on a pseudo-terminal; keystrokes go to `run.child.stdin`. */
function onTerminal(args: string[], home: TempHome, env: NodeJS.ProcessEnv = {}): RunningCli {
  const cmd = [process.execPath, hoopctlBin, ...args].map(quote).join(' ');
  return startCli(['-qefc', cmd, '/dev/null'], { ...home.env, TERM: 'xterm', ...env }, { command: 'script' });
}

/** Waits for `re` in what the terminal showed after `from` characters, then types `keys`. */
async function answer(run: RunningCli, re: RegExp, keys: string): Promise<void> {
  await run.waitFor(re);
  run.child.stdin!.write(keys);
}

async function requests(home: TempHome, all = false): Promise<AccessRequestView[]> {
  const r = await runCli(['requests', '-o', 'json', ...(all ? ['--all'] : [])], home.env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as AccessRequestView[];
}

before(async () => {
  chain = await startChain({ policy, extraConfig: { admins: { groups: ['approvers'] } } });
  [alice, bob] = await Promise.all([chain.loginAs('alice'), chain.loginAs('bob')]);
});
after(async () => {
  await runCli(['disconnect', '--all'], alice.env).catch(() => undefined);
  await chain?.close();
});

describe('pickers on a terminal', () => {
  test('connect without a connection: pick demo, pick the edit role, type a reason; bob picks the request from a list and approves it', async () => {
    const connect = onTerminal(['connect', '--print-env'], alice);
    await answer(connect, /Connection/, ENTER);
    await answer(connect, /edit — needs approval/, DOWN + ENTER);
    await answer(connect, /Reason \(approvers read it\)/, `INC-77 from the picker${ENTER}`);
    const id = (await connect.waitFor(/access request ([0-9a-f]{12})/))[1]!;
    const pending = (await requests(bob)).find((r) => r.id === id);
    assert.deepEqual([pending?.connection, pending?.role, pending?.reason], ['demo', 'edit', 'INC-77 from the picker']);

    const approve = onTerminal(['approve'], bob);
    // The pty is 80 columns wide: the line wraps, so its parts are matched apart.
    await approve.waitFor(new RegExp(`${id}\\s+alice@example.com: role edit for \\S+ on demo — “INC-77`));
    await answer(approve, /0\/1 approvals from approvers/, ENTER);
    const a = await approve.done;
    assert.equal(a.code, 0, a.stdout);
    assert.match(a.stdout, new RegExp(`approved alice@example.com's request ${id}`));

    const c = await connect.done;
    assert.equal(c.code, 0, c.stdout);
    assert.match(c.stdout, /export KUBECONFIG=/);
  });

  test('exec -- CMD without a connection: pick it and the default role, then the command runs in the session', async () => {
    const run = onTerminal(['exec', '--', 'kubectl', 'get', 'configmaps', '-n', 'demo', '-o', 'name'], alice);
    await answer(run, /Connection/, ENTER);
    await answer(run, /your default roles \(view\)/, ENTER);
    const r = await run.done;
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /configmap\//);
  });

  test('revoke asks first: n keeps the session, y revokes it', async () => {
    const active = JSON.parse((await runCli(['sessions', '-o', 'json'], alice.env)).stdout) as SessionView[];
    const id = active[0]!.id;
    const no = onTerminal(['revoke', id], alice);
    await no.waitFor(new RegExp(`Revoke session ${id} of alice@example.com`));
    await answer(no, /\(y\/N\)/, `n${ENTER}`);
    assert.equal((await no.done).code, 0);
    assert.match(no.stdout(), /not revoked/);
    assert.ok((JSON.parse((await runCli(['sessions', '-o', 'json'], alice.env)).stdout) as SessionView[]).some((s) => s.id === id));
    const yes = onTerminal(['revoke', id], alice);
    await answer(yes, /\(y\/N\)/, `y${ENTER}`);
    const r = await yes.done;
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`revoked session ${id}`));
    assert.ok(!(JSON.parse((await runCli(['sessions', '-o', 'json'], alice.env)).stdout) as SessionView[]).some((s) => s.id === id));
  });
});

describe('no prompt without a terminal, with --no-input or in CI', () => {
  test('approve and connect without an operand exit 2 with a hint instead of asking', async () => {
    const pipe = await runCli(['approve'], bob.env);
    assert.equal(pipe.code, 2, pipe.stderr);
    assert.match(pipe.stderr, /missing request id/);
    assert.match(pipe.stderr, /hint: run hoopctl requests, then hoopctl approve ID/);
    for (const [args, env] of [
      [['approve', '--no-input'], {}],
      [['connect', '--print-env'], { CI: 'true' }],
      [['connect', '--no-input'], {}],
    ] as const) {
      const home = args[0] === 'approve' ? bob : alice;
      const t = onTerminal([...args], home, env);
      const r = await t.done;
      assert.match(r.stdout, /missing (request id|connection)/, `${args.join(' ')}: ${r.stdout}`);
      assert.doesNotMatch(r.stdout, /\? (Connection|Request to)/);
    }
    const revoke = await runCli(['revoke', '00000000-0000-4000-8000-000000000000'], alice.env);
    assert.notEqual(revoke.code, 0);
    assert.doesNotMatch(revoke.stderr, /Revoke session/);
  });
});
