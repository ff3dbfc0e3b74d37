// CI mode end to end: the built CLI with `--ci` (no login, no keychain, no prompt), a test issuer
// with GitHub Actions' and GitLab CI's claim shapes (discovery + JWKS on a local server), a fake
// ACTIONS_ID_TOKEN_REQUEST_URL, the real gateway process exchanging the token (RFC 8693) under a
// claim mapping, real kubectl, and the Kubernetes API test server upstream.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createKubeApiServer, writeKubeconfig, type KubeApiServer } from '../../src/simulated-cluster/index.js';
import { startCiIssuer, type CiIssuer, type GitHubJob } from '../support/ci-issuer.js';
import { assertOnlyTombstones } from '../support/session-tombstones.js';
import { createTempHome, runCli, startCli, type RunningCli, type TempHome } from '../support/cli-runner.js';

const AUDIENCE = 'https://hoop.example.test';
const MAIN: GitHubJob = { repository: 'acme/deploy', ref: 'refs/heads/main' };
const FEATURE: GitHubJob = { repository: 'acme/deploy', ref: 'refs/heads/feature-x' };

let dir: string;
let kube: KubeApiServer;
let github: CiIssuer;
let gitlab: CiIssuer;
/** Plays the people's IdP: signs the approver's ID token. */
let people: CiIssuer;
let gateway: RunningCli;
let gatewayUrl: string;
let home: TempHome;

const policy = {
  roles: [
    { name: 'view', rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'configmaps', 'deployments', 'namespaces'] }] },
    { name: 'deploy', rules: [{ verbs: ['create', 'update', 'patch', 'delete'], apiGroups: ['', 'apps'], resources: ['configmaps', 'deployments'] }] },
    { name: 'admin', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] },
  ],
  bindings: [
    // Only main of acme/deploy (GitHub) and protected refs of acme/platform (GitLab) may change prod …
    { groups: ['repo:acme/deploy:ref:refs/heads/main', 'project:acme/platform:ref_protected:true'], connections: ['prod'], roles: ['view', 'deploy'] },
    // … any branch of acme/deploy may read.
    { groups: ['repo:acme/deploy'], connections: ['prod'], roles: ['view'] },
    // … and main may be admin for a while once someone of sre approves.
    { groups: ['repo:acme/deploy:ref:refs/heads/main'], connections: ['prod'], roles: ['admin'], approval: true, approvers: ['sre'] },
  ],
  guardrails: [
    {
      name: 'delete-needs-review',
      connections: ['prod'],
      match: { verbs: ['delete'] },
      effect: 'approval',
      approvers: ['sre'],
      message: 'deletes in prod need a second person',
    },
  ],
};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hoopctl-ci-'));
  kube = await createKubeApiServer({ tls: true, seed: 'demo' });
  [github, gitlab, people] = await Promise.all([startCiIssuer(), startCiIssuer(), startCiIssuer()]);
  const upstream = join(dir, 'upstream.kubeconfig');
  await writeKubeconfig(kube, upstream);
  const config = {
    listen: '127.0.0.1:0',
    store: { sqlite: join(dir, 'gateway.db') },
    oidc: {
      issuers: [
        // The people's IdP: only the approver uses it (CI jobs do not log in).
        { issuer: people.issuer, clientId: 'hoopctl', cli: true, usernameClaim: 'email' },
        { issuer: github.issuer, kind: 'ci', audience: AUDIENCE, claims: { preset: 'github', require: { repository_owner: 'acme' } } },
        { issuer: gitlab.issuer, kind: 'ci', audience: AUDIENCE, claims: { preset: 'gitlab', require: { namespace_path: 'acme' } } },
      ],
    },
    sessions: { defaultTtl: '10m', maxTtl: '1h' },
    connections: [{ name: 'prod', credential: { kubeconfig: upstream } }],
    policy,
  };
  const file = join(dir, 'gateway.yaml');
  await writeFile(file, stringify(config), { mode: 0o600 });
  const gwHome = await createTempHome();
  gateway = startCli(['gateway', 'serve', '--config', file], gwHome.env);
  gatewayUrl = (await gateway.waitFor(/gateway listening on (http\S+)/, 30_000))[1]!;
  // No HOOPCTL_TOKEN_STORE: CI mode must not touch any token store at all.
  home = await createTempHome({ HOOPCTL_TOKEN_STORE: 'keychain-must-not-be-probed' });
});

after(async () => {
  gateway?.child.kill('SIGTERM');
  await gateway?.done;
  await Promise.all([github?.close(), gitlab?.close(), people?.close(), kube?.close()]);
  await home?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function ciExec(env: NodeJS.ProcessEnv, argv: string[], flags: string[] = ['--ci']) {
  return runCli(['exec', 'prod', ...flags, '--gateway', gatewayUrl, '--', ...argv], { ...home.env, ...env }, { stdin: '' });
}

async function manifest(name: string): Promise<string> {
  const f = join(home.dir, `${name}.yaml`);
  await writeFile(f, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: demo\ndata:\n  v: "1"\n`);
  return f;
}

const cm = (name: string) => kube.get({ kind: 'configmaps', namespace: 'demo', name });

describe('GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL)', () => {
  test('main of acme/deploy applies through the gateway; the audience comes from /v1/config', async () => {
    const before = github.tokenRequests.length;
    const r = await ciExec(github.githubActionsEnv(MAIN), ['kubectl', 'apply', '-f', await manifest('gh-main')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/gh-main created/);
    assert.ok(cm('gh-main'));
    const asked = github.tokenRequests.slice(before);
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.audience, AUDIENCE);
    const seen = kube.requests.filter((q) => q.url.includes('/configmaps') && q.method === 'POST').at(-1);
    assert.equal(seen?.headers['impersonate-user'], 'oidc:github:acme/deploy');
    // Node joins repeated headers with ", ".
    const groups = [seen?.headers['impersonate-group']].flat().join(', ').split(', ');
    assert.ok(groups.includes('oidc:repo:acme/deploy:ref:refs/heads/main'), groups.join(' '));
    assert.ok(!groups.some((g) => g.includes('feature')));
    assert.doesNotMatch(r.stdout + r.stderr, /eyJ/);
  });

  test('a feature branch may read but its apply is refused by policy', async () => {
    const env = github.githubActionsEnv(FEATURE);
    const get = await ciExec(env, ['kubectl', 'get', 'configmaps', '-n', 'demo']);
    assert.equal(get.code, 0, get.stderr);
    const r = await ciExec(env, ['kubectl', 'apply', '-f', await manifest('gh-feature')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Forbidden/);
    assert.equal(cm('gh-feature'), undefined);
  });

  test("another owner is refused by the issuer's require (exit 4); a wrong request token is exit 3", async () => {
    const r = await ciExec(github.githubActionsEnv({ repository: 'evil/deploy', ref: 'refs/heads/main' }), ['true']);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /repository_owner/);
    const bad = await ciExec({ ...github.githubActionsEnv(MAIN), ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong' }, ['true']);
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /id-token: write/);
  });

  test('a token for another audience is refused (exit 3) naming the audience the gateway expects and where the job sets it', async () => {
    const r = await ciExec(github.githubActionsEnv(MAIN), ['true'], ['--ci', '--audience', 'https://elsewhere.example']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /is for audience "https:\/\/elsewhere\.example"; this gateway expects "/);
    assert.ok(r.stderr.includes(`--audience ${AUDIENCE}`) && r.stderr.includes(`aud: ${AUDIENCE}`), r.stderr);
    assert.doesNotMatch(r.stderr, /hoopctl login/, 'a CI job cannot log in');
  });

  test('--ci is implied by CI=true without a TTY', async () => {
    const r = await ciExec({ ...github.githubActionsEnv(MAIN), CI: 'true' }, ['sh', '-c', 'echo "$HOOP_CONNECTION $HOOP_SESSION"'], []);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^prod \S+/);
  });

  test('delete is held by the review guardrail: kubectl gets a refusal, the object stays', async () => {
    const r = await ciExec(github.githubActionsEnv(MAIN), ['kubectl', 'delete', 'configmap', 'gh-main', '-n', 'demo']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Forbidden|approval/i);
    assert.ok(cm('gh-main'));
  });
});

describe('roles granted only with approval', () => {
  test('without waiting: exit 5 naming the access request; with --wait-approval: runs once sre approves', async () => {
    const r = await ciExec(github.githubActionsEnv(MAIN), ['true'], ['--ci', '--role', 'admin', '--reason', 'rotate keys']);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /access request [0-9a-f]{12}/);

    const env = { ...home.env, ...github.githubActionsEnv(MAIN) };
    const job = startCli(
      [
        'exec',
        'prod',
        '--ci',
        '--gateway',
        gatewayUrl,
        '--role',
        'admin',
        '--reason',
        'rotate keys',
        '--wait-approval',
        '1m',
        '--',
        'kubectl',
        'create',
        'configmap',
        'made-by-admin',
        '-n',
        'demo',
        '--from-literal=a=b',
      ],
      env,
      { stdin: '' },
    );
    const id = (await job.waitFor(/access request ([0-9a-f]{12})/))[1]!;
    assert.equal(cm('made-by-admin'), undefined);
    const bob = await people.sign({ sub: 'bob', email: 'bob@example.com', email_verified: true, groups: ['sre'] }, { audience: 'hoopctl' });
    const vote = await fetch(`${gatewayUrl}/v1/requests/${id}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(vote.status, 200, await vote.text());
    const done = await job.done;
    assert.equal(done.code, 0, done.stderr);
    assert.ok(cm('made-by-admin'));
  });
});

describe('GitLab CI (id_tokens in an env var)', () => {
  test('a protected ref of acme/platform applies; an unprotected one is refused at the exchange (exit 4)', async () => {
    const ok = await gitlab.sign(gitlab.gitlabClaims({ project_path: 'acme/platform', ref: 'main', ref_protected: true }), { audience: AUDIENCE });
    const r = await ciExec({ GL_TOKEN: ok }, ['kubectl', 'apply', '-f', await manifest('gl-main')], ['--ci', '--id-token-env', 'GL_TOKEN']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(cm('gl-main'));
    const no = await gitlab.sign(gitlab.gitlabClaims({ project_path: 'acme/platform', ref: 'mr-1', ref_protected: false }), { audience: AUDIENCE });
    const refused = await ciExec({ GL_TOKEN: no }, ['true'], ['--ci', '--id-token-env', 'GL_TOKEN']);
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stderr, /no role on connection "prod"/);
  });

  test('the default HOOPCTL_ID_TOKEN variable is read without flags; an expired token is exit 3', async () => {
    const claims = gitlab.gitlabClaims({ project_path: 'acme/platform', ref: 'main', ref_protected: true });
    const r = await ciExec({ HOOPCTL_ID_TOKEN: await gitlab.sign(claims, { audience: AUDIENCE }) }, ['kubectl', 'get', 'ns']);
    assert.equal(r.code, 0, r.stderr);
    const old = await ciExec({ HOOPCTL_ID_TOKEN: await gitlab.sign(claims, { audience: AUDIENCE, expired: true }) }, ['true']);
    assert.equal(old.code, 3, old.stderr);
  });
});

describe('--id-token-file, connect --print-env, failures', () => {
  test('connect --ci --print-env serves a background session from a token file; disconnect ends it', async () => {
    const file = join(home.dir, 'token.jwt');
    await writeFile(file, `${await github.sign(github.githubClaims(MAIN), { audience: AUDIENCE })}\n`, { mode: 0o600 });
    const r = await runCli(['connect', 'prod', '--ci', '--gateway', gatewayUrl, '--id-token-file', file, '--print-env'], home.env, { stdin: '' });
    assert.equal(r.code, 0, r.stderr);
    const kubeconfig = /export KUBECONFIG='([^']+)'/.exec(r.stdout)?.[1];
    assert.ok(kubeconfig, r.stdout);
    const get = await runCli(['get', 'configmaps', '-n', 'demo'], { ...home.env, KUBECONFIG: kubeconfig }, { command: 'kubectl' });
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /gh-main/);
    const d = await runCli(['disconnect', 'prod'], home.env);
    assert.equal(d.code, 0, d.stderr);
    // Later job steps still export KUBECONFIG: a credential-free tombstone tells them the session ended.
    assert.equal((await assertOnlyTombstones(join(home.env.XDG_RUNTIME_DIR!, 'hoopctl', 'sessions'))).length, 1);
  });

  test('no token anywhere: exit 3 at once, naming what was looked for; nothing was stored', async () => {
    const t0 = Date.now();
    const r = await ciExec({}, ['true']);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(Date.now() - t0 < 5000, 'must fail fast');
    for (const what of ['--id-token-file', '--id-token-env', 'ACTIONS_ID_TOKEN_REQUEST_URL', 'HOOPCTL_ID_TOKEN'])
      assert.ok(r.stderr.includes(what), `${what} in ${r.stderr}`);
    assert.deepEqual(await readdir(join(home.env.XDG_CONFIG_HOME!, 'hoopctl')).catch(() => []), []);
  });

  test('a non-RFC 8693 request to /v1/token gets an OAuth error body', async () => {
    const res = await fetch(`${gatewayUrl}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string; code: string };
    assert.equal(body.error, 'unsupported_grant_type');
    assert.equal(body.code, 'usage');
  });
});
