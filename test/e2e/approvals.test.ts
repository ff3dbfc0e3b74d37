// Approvals end to end: the built CLI as two logged-in people (alice asks, bob approves, each in
// their own temporary HOME), the gateway process, real kubectl, the Kubernetes API test server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccessRequestView, SessionView } from '../../src/api/wire.js';
import { APPROVAL_FLOW, startChain, type Chain } from './chain-harness.js';
import { runCli, startCli, type TempHome } from '../support/cli-runner.js';

const policy = {
  roles: [
    {
      name: 'view',
      rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'configmaps', 'deployments', 'namespaces', 'events'] }],
    },
    {
      name: 'edit',
      rules: [{ verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], apiGroups: ['', 'apps'], resources: ['configmaps', 'deployments'] }],
    },
  ],
  ...APPROVAL_FLOW,
};

let chain: Chain;
let alice: TempHome;
let bob: TempHome;
const ID = /access request ([0-9a-f]{12})/;

before(async () => {
  chain = await startChain({ policy });
  [alice, bob] = await Promise.all([chain.loginAs('alice'), chain.loginAs('bob')]);
});
after(async () => {
  await chain?.close();
});

async function requests(home: TempHome, all = false): Promise<AccessRequestView[]> {
  const r = await runCli(['requests', '-o', 'json', ...(all ? ['--all'] : [])], home.env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as AccessRequestView[];
}

describe('session elevation', () => {
  test('without waiting: exit 5 naming the request; bob denies it; hoopctl wait exits 4', async () => {
    const r = await runCli(['exec', 'demo', '--role', 'edit', '--reason', 'INC-1', '--no-wait', '--', 'true'], alice.env);
    assert.equal(r.code, 5, r.stderr);
    const id = ID.exec(r.stderr)?.[1];
    assert.ok(id, r.stderr);
    assert.match(r.stderr, new RegExp(`hint: hoopctl wait ${id}`));
    const pending = (await requests(bob)).find((x) => x.id === id);
    assert.deepEqual([pending?.status, pending?.canApprove, pending?.reason, pending?.user], ['pending', true, 'INC-1', 'alice@example.com']);
    const table = await runCli(['requests'], bob.env);
    assert.match(table.stdout, new RegExp(`^${id}\\s+session\\s+pending\\s+alice@example.com\\s+demo\\s+role edit for 10m\\s+0/1 \\(approvers\\)`, 'm'));
    assert.equal((await runCli(['deny', id!, '--comment', 'not today'], bob.env)).code, 0);
    const w = await runCli(['wait', id!], alice.env);
    assert.equal(w.code, 4, w.stderr);
    assert.match(w.stderr, /denied by bob@example.com \(not today\)/);
  });

  test('waiting: a status line names the approvers; alice cannot approve herself; bob approves and kubectl runs with the elevated role', async () => {
    const run = startCli(
      [
        'exec',
        'demo',
        '--role',
        'edit',
        '--reason',
        'INC-123',
        '--ttl',
        '20m',
        '--wait',
        '--',
        'kubectl',
        'create',
        'configmap',
        'jit-made',
        '-n',
        'demo',
        '--from-literal=a=b',
      ],
      alice.env,
    );
    const id = (await run.waitFor(ID))[1]!;
    await run.waitFor(new RegExp(`request ${id} \\(role edit for 20m on demo\\): 0/1 approval from approvers — waiting`));
    const self = await runCli(['approve', id], alice.env);
    assert.equal(self.code, 4, self.stderr);
    assert.match(self.stderr, /your own/);
    const ok = await runCli(['approve', id, '--comment', 'go'], bob.env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /approved alice@example.com's request/);
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/jit-made created/);
    assert.ok(chain.kube.get({ kind: 'configmaps', namespace: 'demo', name: 'jit-made' }));
    const again = await runCli(['exec', 'demo', '--request', id, '--', 'true'], alice.env);
    assert.equal(again.code, 4, 'one approval opens one session');
    assert.match(again.stderr, /already used/);
  });

  test('Ctrl-C while waiting withdraws the request and exits 130', async () => {
    const run = startCli(['exec', 'demo', '--role', 'edit', '--reason', 'oops', '--wait', '--', 'true'], alice.env);
    const id = (await run.waitFor(ID))[1]!;
    await run.waitFor(/Ctrl-C withdraws it/);
    run.child.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, new RegExp(`withdrew access request ${id}`));
    assert.equal((await requests(alice, true)).find((x) => x.id === id)?.status, 'withdrawn');
  });
});

describe('single-command review', () => {
  test('kubectl delete is refused naming the review; after bob approves, the same delete passes once', async () => {
    const connect = startCli(['connect', 'demo', '--print-env', '-n', 'demo', '--role', 'edit', '--reason', 'cleanup', '--wait'], alice.env);
    const jit = (await connect.waitFor(ID))[1]!;
    assert.equal((await runCli(['approve', jit], bob.env)).code, 0);
    const c = await connect.done;
    assert.equal(c.code, 0, c.stderr);
    const kubeconfig = /export KUBECONFIG='([^']+)'/.exec(c.stdout)?.[1];
    assert.ok(kubeconfig, c.stdout);
    const kubectl = (...args: string[]) => runCli(args, { ...alice.env, KUBECONFIG: kubeconfig }, { command: 'kubectl' });
    try {
      assert.equal((await kubectl('create', 'configmap', 'doomed', '--from-literal=a=b')).code, 0);
      const refused = await kubectl('delete', 'configmap', 'doomed');
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /Error from server \(Forbidden\): configmaps "doomed" is forbidden: .*configmap-deletes-reviewed/);
      const review = /review ([0-9a-f]{12}) waits for 1 approval from approvers: hoopctl approve \1/.exec(refused.stderr)?.[1];
      assert.ok(review, refused.stderr);
      assert.ok(chain.kube.get({ kind: 'configmaps', namespace: 'demo', name: 'doomed' }), 'still there');

      // What bob reads before he votes: the exact request and its body as the gateway recorded it.
      const shown = await runCli(['requests', review!], bob.env);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(`^request +${review} \\(single-command review, pending\\)$`, 'm'));
      assert.match(shown.stdout, /^request +delete \/api\/v1\/namespaces\/demo\/configmaps\/doomed/m);
      assert.match(shown.stdout, /^rule +guardrails\[0\] \(configmap-deletes-reviewed\)/m);
      assert.match(shown.stdout, /^body \(as the gateway recorded it, secret values masked\):\n {2}(kind: DeleteOptions|propagationPolicy)/m);
      assert.doesNotMatch(shown.stdout, /not recorded/);
      assert.match(shown.stderr, new RegExp(`approve with: hoopctl approve ${review}`));
      const wait = startCli(['wait', review!], alice.env);
      await wait.waitFor(new RegExp(`request ${review} \\(delete configmaps doomed -n demo on demo\\)`));
      assert.equal((await runCli(['approve', review!], bob.env)).code, 0);
      const w = await wait.done;
      assert.equal(w.code, 0, w.stderr);
      const deleted = await kubectl('delete', 'configmap', 'doomed');
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.match(deleted.stdout, /configmap "doomed" deleted/);
      assert.equal(chain.kube.get({ kind: 'configmaps', namespace: 'demo', name: 'doomed' }), undefined);

      assert.equal((await kubectl('create', 'configmap', 'doomed', '--from-literal=a=b')).code, 0);
      const once = await kubectl('delete', 'configmap', 'doomed');
      assert.notEqual(once.code, 0, 'the approval was used');
      assert.notEqual(/review ([0-9a-f]{12})/.exec(once.stderr)?.[1], review);
    } finally {
      await runCli(['disconnect', 'demo'], alice.env);
    }
  });
});

describe('access that really ends', () => {
  test('hoopctl revoke cuts a running kubectl get -w within a second and the session shows as revoked', async () => {
    const w = startCli(['exec', 'demo', '--', 'sh', '-c', 'echo "session=$HOOP_SESSION" >&2; exec kubectl get configmaps -n demo -w'], alice.env);
    const session = (await w.waitFor(/session=(\S+)/))[1]!;
    await w.waitFor(/^NAME\s+DATA\s+AGE/m);
    chain.kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched-before-revoke', namespace: 'demo' }, data: { a: '1' } });
    await w.waitFor(/watched-before-revoke/, 5000);
    const listed = JSON.parse((await runCli(['sessions', '-o', 'json'], alice.env)).stdout) as SessionView[];
    assert.ok(listed.some((s) => s.id === session && s.endedAt === null));
    const revoke = await runCli(['revoke', session], alice.env);
    const revokedAt = Date.now();
    assert.equal(revoke.code, 0, revoke.stderr);
    const r = await w.done;
    assert.ok(Date.now() - revokedAt < 1000, `kubectl ran ${Date.now() - revokedAt} ms after the revoke`);
    assert.ok(r.code !== null, 'kubectl ended on its own');
    const all = await runCli(['sessions', '--all'], alice.env);
    assert.match(all.stdout, new RegExp(`^${session}\\s+alice@example.com\\s+demo\\s+view \\(default\\)\\s+ended \\(revoked by alice@example.com\\)`, 'm'));
    const audit = await runCli(['audit', '--session', session, '-o', 'json'], alice.env);
    assert.ok(
      audit.stdout.split('\n').some((l) => l.includes('"SessionEnded"') && l.includes('revoked by alice@example.com')),
      audit.stdout,
    );
  });
});
