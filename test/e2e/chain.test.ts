// End to end on real parts: built CLI + gateway processes, real oidc-provider device flow,
// real kubectl (default 1.32 and older/newer versions), the Kubernetes API test server upstream.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startChain, hoopExec, type Chain } from './chain-harness.js';
import { hoopctlBin, runCli, startCli, type TempHome } from '../support/cli-runner.js';
import { assertOnlyTombstones } from '../support/session-tombstones.js';
import { kubectlBinaries } from '../support/kubectl-binaries.js';

const KUBECTLS = kubectlBinaries(['1.27', '1.33']);
let chain: Chain;
let alice: TempHome;

const sessionsDir = (h: TempHome): string => join(h.env.XDG_RUNTIME_DIR!, 'hoopctl', 'sessions');
async function sessionDirs(h: TempHome): Promise<string[]> {
  return readdir(sessionsDir(h)).catch(() => []);
}
const mode = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;

before(async () => {
  chain = await startChain();
  alice = await chain.loginAs('alice');
});
after(async () => {
  await chain?.close();
});

describe('login', () => {
  test('whoami shows the person, groups, expiry and the file store; tokens are 0600 in a 0700 dir', async () => {
    const r = await runCli(['whoami', '-o', 'json'], alice.env);
    assert.equal(r.code, 0, r.stderr);
    const who = JSON.parse(r.stdout) as {
      user: string;
      groups: string[];
      expiresInSeconds: number;
      store: { kind: string; location: string };
      gateway: string;
    };
    assert.equal(who.user, 'alice@example.com');
    assert.deepEqual(who.groups, ['engineers']);
    assert.equal(who.gateway, chain.gatewayUrl);
    assert.ok(who.expiresInSeconds > 60);
    assert.equal(who.store.kind, 'file');
    assert.equal(await mode(who.store.location), 0o600);
    assert.equal(await mode(join(alice.env.XDG_CONFIG_HOME!, 'hoopctl')), 0o700);
    assert.doesNotMatch(r.stdout + r.stderr, /eyJ/); // no JWT printed
  });

  test('without a login, exec fails with exit 3 and names the fix', async () => {
    const { createTempHome } = await import('../support/cli-runner.js');
    const nobody = await createTempHome();
    try {
      const r = await runCli(['exec', 'demo', '--', 'true'], nobody.env);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /hint: run hoopctl login/);
    } finally {
      await nobody.cleanup();
    }
  });
});

describe('kubectl through local proxy → gateway → upstream', () => {
  for (const k of KUBECTLS) {
    test(`kubectl ${k.label}: get, get -o yaml, discovery`, async () => {
      const pods = await hoopExec(alice, 'demo', [k.path, 'get', 'pods', '-n', 'demo']);
      assert.equal(pods.code, 0, pods.stderr);
      assert.match(pods.stdout, /^NAME\s+READY\s+STATUS/m);
      assert.match(pods.stdout, /web-\S+\s+1\/1\s+Running/);
      const yaml = await hoopExec(alice, 'demo', [k.path, 'get', 'deployment', 'web', '-n', 'demo', '-o', 'yaml']);
      assert.equal(yaml.code, 0, yaml.stderr);
      assert.match(yaml.stdout, /^kind: Deployment$/m);
      assert.match(yaml.stdout, /^ {2}name: web$/m);
      const res = await hoopExec(alice, 'demo', [k.path, 'api-resources', '--api-group=apps']);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/);
    });

    test(`kubectl ${k.label}: a refused request prints the gateway's Status naming the rule`, async () => {
      const r = await hoopExec(alice, 'demo', [k.path, 'delete', 'namespace', 'demo']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Error from server \(Forbidden\)/);
      assert.match(r.stderr, /no-namespace-deletion/);
      assert.ok(chain.kube.get({ kind: 'namespaces', name: 'demo' }), 'the namespace must still exist');
    });
  }

  test('create, apply (twice), delete change the upstream', async () => {
    const manifest = join(alice.dir, 'cm.yaml');
    const cm = (v: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: e2e-cm\n  namespace: demo\ndata:\n  color: ${v}\n`;
    await writeFile(manifest, cm('blue'));
    const created = await hoopExec(alice, 'demo', ['kubectl', 'apply', '-f', manifest]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /configmap\/e2e-cm created/);
    await writeFile(manifest, cm('green'));
    const configured = await hoopExec(alice, 'demo', ['kubectl', 'apply', '-f', manifest]);
    assert.equal(configured.code, 0, configured.stderr);
    assert.match(configured.stdout, /configmap\/e2e-cm configured/);
    assert.equal((chain.kube.get({ kind: 'configmaps', namespace: 'demo', name: 'e2e-cm' }) as { data?: Record<string, string> })?.data?.color, 'green');
    const create = await hoopExec(alice, 'demo', ['kubectl', 'create', 'configmap', 'e2e-two', '-n', 'demo', '--from-literal=a=b']);
    assert.equal(create.code, 0, create.stderr);
    assert.ok(chain.kube.get({ kind: 'configmaps', namespace: 'demo', name: 'e2e-two' }));
    const del = await hoopExec(alice, 'demo', ['kubectl', 'delete', 'configmap', 'e2e-cm', 'e2e-two', '-n', 'demo']);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /configmap "e2e-cm" deleted/);
    assert.equal(chain.kube.get({ kind: 'configmaps', namespace: 'demo', name: 'e2e-cm' }), undefined);
  });

  test('the upstream sees the gateway credential and impersonation of the real caller, never client headers', async () => {
    const r = await hoopExec(alice, 'demo', ['kubectl', 'get', 'pods', '-n', 'kube-system', '--as=system:admin', '--as-group=system:masters']);
    assert.equal(r.code, 0, r.stderr);
    const seen = chain.kube.requests.filter((q) => q.url.startsWith('/api/v1/namespaces/kube-system/pods'));
    assert.ok(seen.length > 0);
    for (const q of seen) {
      const h = q.headers;
      assert.equal(h['impersonate-user'], 'oidc:alice@example.com');
      assert.deepEqual([h['impersonate-group']].flat().sort(), ['oidc:engineers']);
      assert.equal(h.authorization, `Bearer ${chain.kube.token}`);
    }
  });

  test('get -w streams event by event; Ctrl-C tears the session down and leaves nothing', async () => {
    const w = startCli(['exec', 'demo', '--', 'kubectl', 'get', 'configmaps', '-n', 'demo', '-w'], alice.env);
    await w.waitFor(/^NAME\s+DATA\s+AGE/m);
    chain.kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched-one', namespace: 'demo' }, data: { a: '1' } });
    await w.waitFor(/watched-one/, 5000);
    chain.kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched-two', namespace: 'demo' }, data: { a: '2' } });
    await w.waitFor(/watched-two/, 5000);
    assert.ok((await sessionDirs(alice)).length >= 1, 'a session dir exists while the session runs');
    const t0 = Date.now();
    w.child.kill('SIGINT');
    const r = await w.done;
    assert.ok(Date.now() - t0 < 5000, 'teardown took too long');
    assert.notEqual(r.code, 0);
    assert.deepEqual(await sessionDirs(alice), []);
  });

  test('logs and logs -f', async () => {
    const pod = chain.kube.requests.length >= 0 ? await firstPod() : '';
    const logs = await hoopExec(alice, 'demo', ['kubectl', 'logs', '-n', 'demo', pod]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.ok(logs.stdout.trim().length > 0);
    const f = startCli(['exec', 'demo', '--', 'kubectl', 'logs', '-f', '--tail=1', '-n', 'demo', pod], alice.env);
    await f.waitFor(/\S/, 10_000);
    chain.kube.appendLog('demo', pod, 'e2e-follow-line-42');
    await f.waitFor(/e2e-follow-line-42/, 5000);
    f.child.kill('SIGTERM');
    await f.done;
    assert.deepEqual(await sessionDirs(alice), []);
  });

  test('exec passes the exit code through (128+n for a signal)', async () => {
    assert.equal((await hoopExec(alice, 'demo', ['sh', '-c', 'exit 7'])).code, 7);
    assert.equal((await hoopExec(alice, 'demo', ['sh', '-c', 'kill -TERM $$'])).code, 143);
    const env = await hoopExec(alice, 'demo', ['sh', '-c', 'echo "$KUBECONFIG|$HOOP_SESSION"']);
    assert.match(env.stdout, /sessions\/[^|]+\/kubeconfig\|\S+/);
  });
});

async function firstPod(): Promise<string> {
  const r = await hoopExec(alice, 'demo', ['kubectl', 'get', 'pods', '-n', 'demo', '-o', 'name']);
  const name = r.stdout.split('\n')[0]?.replace('pod/', '') ?? '';
  assert.ok(name !== '', r.stderr);
  return name;
}

describe('connect --print-env, disconnect, expiry', () => {
  test('the kubeconfig pins the proxy CA, is 0600 in a 0700 dir, works, and disconnect removes it', async () => {
    const r = await runCli(['connect', 'demo', '--print-env', '-n', 'demo'], alice.env);
    assert.equal(r.code, 0, r.stderr);
    const kubeconfig = /export KUBECONFIG='([^']+)'/.exec(r.stdout)?.[1];
    assert.ok(kubeconfig, r.stdout);
    assert.equal(await mode(kubeconfig), 0o600);
    assert.equal(await mode(join(kubeconfig, '..')), 0o700);
    const text = await readFile(kubeconfig, 'utf8');
    assert.match(text, /certificate-authority-data: /);
    assert.match(text, /server: https:\/\/127\.0\.0\.1:\d+/);
    assert.doesNotMatch(text, /insecure-skip-tls-verify/);
    assert.doesNotMatch(text, /eyJ/); // the gateway credential stays in the proxy's memory
    const get = await runCli(['get', 'pods'], { ...alice.env, KUBECONFIG: kubeconfig }, { command: 'kubectl' });
    assert.equal(get.code, 0, get.stderr);
    const status = await runCli(['status', '-o', 'json'], alice.env);
    assert.equal((JSON.parse(status.stdout) as unknown[]).length, 1);
    const d = await runCli(['disconnect', 'demo'], alice.env);
    assert.equal(d.code, 0, d.stderr);
    assert.equal((await assertOnlyTombstones(sessionsDir(alice))).length, 1);
    const after = await runCli(['get', 'pods', '--request-timeout=3s'], { ...alice.env, KUBECONFIG: kubeconfig }, { command: 'kubectl' });
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /hoopctl session for demo ended \(disconnected\); run: hoopctl connect demo/);
    await rm(sessionsDir(alice), { recursive: true, force: true });
  });

  test('at expiry the background session ends by itself and only its tombstone is left', async () => {
    const r = await runCli(['connect', 'short', '--print-env'], alice.env);
    assert.equal(r.code, 0, r.stderr);
    const kubeconfig = /export KUBECONFIG='([^']+)'/.exec(r.stdout)?.[1] ?? assert.fail(`no KUBECONFIG in ${r.stdout}`);
    const expiresAt = Date.parse(/export HOOP_EXPIRES_AT='([^']+)'/.exec(r.stdout)?.[1] ?? '');
    assert.ok(Number.isFinite(expiresAt), r.stdout);
    // Timing-tolerant: the connection's TTL is short, and a loaded CI machine may be slow to start kubectl.
    if (Date.now() < expiresAt - 1500) await stat(kubeconfig);
    let goneAt = 0;
    for (let i = 0; i < 200 && goneAt === 0; i++) {
      if ((await readdir(join(kubeconfig, '..')).catch(() => [])).sort().join() === 'ended.json,kubeconfig') goneAt = Date.now();
      else await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(goneAt > 0, 'the session dir must become a tombstone at expiry');
    await assertOnlyTombstones(sessionsDir(alice));
    await rm(sessionsDir(alice), { recursive: true, force: true });
    assert.ok(goneAt >= expiresAt - 1000, `removed ${expiresAt - goneAt} ms before expiry`);
    assert.ok(goneAt <= expiresAt + 3000, `removed ${goneAt - expiresAt} ms after expiry`);
  });
});

describe('audit', () => {
  test('one event per request with who, verb, resource, decision, rule and status', async () => {
    const r = await runCli(['audit', '-o', 'json', '--limit', '1000'], alice.env);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const list = events.find((e) => e.verb === 'list' && e.resource === 'pods' && e.namespace === 'demo' && e.decision === 'allow');
    assert.ok(list, 'list pods event');
    assert.equal(list.user, 'alice@example.com');
    assert.equal(list.connection, 'demo');
    assert.equal(list.responseStatus, 200);
    assert.equal(typeof list.latencyMs, 'number');
    const denied = events.find((e) => e.verb === 'delete' && e.resource === 'namespaces');
    assert.ok(denied, 'delete namespace event');
    assert.equal(denied.decision, 'deny');
    assert.match(String(denied.rule), /no-namespace-deletion/);
    assert.equal(denied.responseStatus, 403);
  });

  test('the table: a header, the session column, discovery folded away (--all shows it), -o wide adds code and rule; nothing cut or coloured in a pipe', async () => {
    const r = await runCli(['audit', '--limit', '1000'], alice.env);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trimEnd().split('\n');
    assert.match(rows[0]!, /^TIME {3,}SESSION {3,}USER {3,}DECISION {3}REQUEST$/);
    const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    assert.match(r.stdout, new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d {3}${uuid} {3}alice@example\\.com {3}allow {6}list pods -n demo$`, 'm'));
    assert.match(r.stdout, /deny {7}delete namespaces demo$/m);
    assert.doesNotMatch(r.stdout, / get \/(api|apis|version|openapi)\b/, 'discovery is folded away');
    assert.doesNotMatch(r.stdout, /\x1b\[|…/, 'a pipe gets neither colour nor cut cells');
    const folded = /^(\d+) discovery request\(s\) \(GET \/api, \/apis, \/version, \/openapi …\) not shown; --all shows them$/m.exec(r.stderr);
    assert.ok(folded, r.stderr);
    const all = await runCli(['audit', '--limit', '1000', '--all'], alice.env);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /allow {6}get \/api(\?\S*)?$/m);
    assert.match(all.stdout, /allow {6}get \/apis(\?\S*)?$/m);
    assert.ok(all.stdout.trimEnd().split('\n').length >= rows.length + Number(folded[1]), 'every folded row is back');
    assert.doesNotMatch(all.stderr, /not shown/);
    const wide = await runCli(['audit', '--limit', '1000', '-o', 'wide'], alice.env);
    assert.match(wide.stdout, /^TIME\s+SESSION\s+USER\s+CONNECTION\s+DECISION\s+CODE\s+REQUEST\s+RULE$/m);
    assert.match(wide.stdout, /alice@example\.com {3}demo {9}deny {7}403 {4}delete namespaces demo +guardrails\[\d+\] \(no-namespace-deletion\)$/m);
    // A session id's first characters name the session, as the terminal table shows them.
    const session = new RegExp(`(${uuid}) {3}alice@example\\.com {3}allow {6}list pods -n demo$`, 'm').exec(r.stdout)![1]!;
    const one = await runCli(['audit', '--session', session.slice(0, 8), '-o', 'json'], alice.env);
    assert.equal(one.code, 0, one.stderr);
    const sessions = new Set(
      one.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { session: string }).session),
    );
    assert.deepEqual([...sessions], [session]);
  });

  test('on an 80-column terminal: every line fits, session ids are short, deny is red; NO_COLOR turns colour off', async () => {
    // The test homes set NO_COLOR; a person's terminal usually does not.
    const { NO_COLOR: _, ...colourful } = alice.env;
    const onTerminal = async (env: NodeJS.ProcessEnv): Promise<string[]> => {
      const cmd = `stty cols 80 && ${[process.execPath, hoopctlBin, 'audit', '--limit', '1000'].map((a) => `'${a}'`).join(' ')}`;
      const run = startCli(['-qefc', cmd, '/dev/null'], { ...colourful, TERM: 'xterm', ...env }, { command: 'script' });
      const r = await run.done;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      return r.stdout
        .replace(/\r/g, '')
        .trimEnd()
        .split('\n')
        .filter((l) => /^(TIME|\d{4}-)/.test(l));
    };
    const lines = await onTerminal({});
    assert.match(lines[0]!, /^TIME {3,}SESSION {4}USER/);
    const plain = (l: string): string => l.replace(/\x1b\[[0-9;]*m/g, '');
    for (const l of lines) assert.ok([...plain(l)].length <= 80, `${[...plain(l)].length} columns: ${plain(l)}`);
    assert.ok(
      lines.some((l) => /^\S+ \S+ {3}[0-9a-f]{8} {3}alice@example\.com/.test(l)),
      'short session ids',
    );
    assert.ok(
      lines.some((l) => l.includes('\x1b[31mdeny\x1b[39m')),
      'deny in red',
    );
    assert.ok(
      lines.some((l) => plain(l).endsWith('…')),
      'a long request is cut with an ellipsis',
    );
    const noColor = await onTerminal({ NO_COLOR: '1' });
    assert.ok(
      noColor.every((l) => !l.includes('\x1b[')),
      'NO_COLOR: no escape codes',
    );
  });

  test('logout removes the stored login', async () => {
    const r = await runCli(['logout'], alice.env);
    assert.equal(r.code, 0, r.stderr);
    const who = await runCli(['whoami'], alice.env);
    assert.equal(who.code, 3);
    assert.deepEqual(await sessionDirs(alice), []);
  });
});
