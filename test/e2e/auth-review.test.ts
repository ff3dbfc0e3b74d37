// `kubectl auth whoami` and `kubectl auth can-i` through the chain (kubectl → local proxy → gateway →
// API test server) with real kubectl 1.27 (JSON reviews), 1.32 and 1.33 (protobuf reviews): the gateway
// answers with hoopctl's policy, asks the upstream's RBAC for what hoopctl allows, and audits each answer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startChain, hoopExec, POLICY, type Chain } from './chain-harness.js';
import { runCli, type TempHome } from '../support/cli-runner.js';
import { kubectlBinaries } from '../support/kubectl-binaries.js';

const KUBECTLS = kubectlBinaries(['1.27', '1.33']);

// Engineers: view without approval, edit only after approval; the e2e guardrail against namespace deletion.
const AUTH_POLICY = {
  ...POLICY,
  bindings: [
    { groups: ['engineers'], connections: ['*'], roles: ['view'] },
    { groups: ['engineers'], connections: ['*'], roles: ['edit'], approval: true, approvers: ['approvers'] },
  ],
};

let chain: Chain;
let alice: TempHome;

before(async () => {
  chain = await startChain({ policy: AUTH_POLICY });
  alice = await chain.loginAs('alice');
  // The cluster's RBAC (the test server's stand-in) refuses what hoopctl would allow: can-i must say no.
  chain.kube.denyAccess({ user: 'oidc:alice@example.com', verb: 'watch', group: 'apps', resource: 'deployments' });
});
after(async () => {
  await chain?.close();
});

/** Runs several kubectl commands in one session; returns each one's output (stdout + stderr) and exit code. */
async function inOneSession(kubectl: string, commands: Record<string, string>): Promise<Record<string, { out: string; code: number }>> {
  const script = Object.entries(commands)
    .map(([name, args]) => `echo "### ${name}"; "${kubectl}" ${args} 2>&1; echo "### exit $?"`)
    .join('; ');
  const r = await hoopExec(alice, 'demo', ['sh', '-c', `echo "session=$HOOP_SESSION"; ${script}`]);
  assert.equal(r.code, 0, r.stderr);
  const out: Record<string, { out: string; code: number }> = { session: { out: /session=(\S+)/.exec(r.stdout)?.[1] ?? '', code: 0 } };
  for (const m of r.stdout.matchAll(/### (\S+)\n([\s\S]*?)### exit (\d+)\n/g)) out[m[1]!] = { out: m[2]!, code: Number(m[3]) };
  return out;
}

describe('kubectl auth through hoopctl', () => {
  for (const k of KUBECTLS) {
    test(`kubectl ${k.label}: whoami, can-i and can-i --list answer with hoopctl's policy`, async () => {
      const since = chain.kube.requests.length;
      const r = await inOneSession(k.path, {
        whoami: 'auth whoami',
        getPods: 'auth can-i get pods -n demo',
        deleteNs: 'auth can-i delete namespaces',
        createCm: 'auth can-i create configmaps -n demo',
        watchDeploy: 'auth can-i watch deployments.apps -n demo',
        list: 'auth can-i --list -n demo',
      });

      assert.equal(r.whoami!.code, 0, r.whoami!.out);
      assert.match(r.whoami!.out, /^Username\s+oidc:alice@example\.com$/m);
      assert.match(r.whoami!.out, /^Groups\s+\[oidc:engineers system:authenticated\]$/m);
      assert.match(r.whoami!.out, /^Extra: hoopctl\.dev\/connection\s+\[demo\]$/m);
      assert.match(r.whoami!.out, /^Extra: hoopctl\.dev\/role\s+\[view\]$/m);
      assert.ok(r.session!.out !== '');
      assert.match(r.whoami!.out, new RegExp(`^Extra: hoopctl\\.dev/session\\s+\\[${r.session!.out}\\]$`, 'm'));

      assert.deepEqual([r.getPods!.out, r.getPods!.code], ['yes\n', 0]);
      assert.equal(r.deleteNs!.code, 1);
      assert.match(
        r.deleteNs!.out,
        /^no - denied by guardrail "no-namespace-deletion": namespaces are never deleted through hoopctl \(hoopctl rule guardrails\[0\] \(no-namespace-deletion\)\)$/m,
      );
      assert.equal(r.createCm!.code, 1);
      assert.match(
        r.createCm!.out,
        /^no - needs approval: hoopctl connect demo --role edit --reason "…" \(hoopctl rule bindings\[1\] → roles\[1\] \(edit\)\.rules\[0\]\)$/m,
      );
      assert.equal(r.watchDeploy!.code, 1);
      assert.match(
        r.watchDeploy!.out,
        /^no - hoopctl allows this \(allowed by role "view" .*\) but the cluster's RBAC does not allow it for "oidc:alice@example\.com"$/m,
      );

      assert.equal(r.list!.code, 0, r.list!.out);
      assert.match(r.list!.out, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      assert.match(r.list!.out, /^deployments\.apps\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      assert.match(r.list!.out, /^selfsubjectreviews\.authentication\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
      // edit (create/update/patch/delete configmaps) needs approval, so only view's read rule is listed.
      assert.match(r.list!.out, /^configmaps\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
      assert.doesNotMatch(r.list!.out, /create update/);
      assert.match(r.list!.out, /no-namespace-deletion/, 'the guardrail makes the list incomplete, and kubectl says so');

      // The upstream answered only the SelfSubjectAccessReviews hoopctl allowed, as the impersonated person, in JSON.
      const upstream = chain.kube.requests.slice(since).filter((q) => /self\w*reviews/.test(q.url));
      assert.deepEqual(
        upstream.map((q) => q.url),
        ['/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'],
      );
      for (const q of upstream) {
        assert.equal(q.headers['impersonate-user'], 'oidc:alice@example.com');
        assert.equal(q.headers['content-type'], 'application/json');
      }
    });
  }

  test('every answer is audited as allowed by gateway:self-review', async () => {
    const r = await runCli(['audit', '-o', 'json', '--limit', '1000'], alice.env);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const reviews = events.filter((e) => /^self\w*reviews$/.test(String(e.resource)));
    assert.equal(reviews.length, KUBECTLS.length * 6);
    for (const e of reviews) {
      assert.equal(e.decision, 'allow');
      assert.equal(e.rule, 'gateway:self-review');
      assert.equal(e.responseStatus, 201);
      assert.equal(e.user, 'alice@example.com');
    }
    const denied = reviews.find((e) => /can-i delete namespaces: no/.test(String(e.message)));
    assert.ok(denied, 'the audit message says what was asked and answered');
    assert.match(String(denied.message), /no-namespace-deletion/);
  });
});
