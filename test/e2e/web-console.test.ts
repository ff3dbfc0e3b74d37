// The web console in a real browser: Debian's Chromium driven by playwright-core against the built gateway,
// the embedded IdP (oidc-provider's code flow with our login and consent pages), the built CLI and real kubectl.
// bob signs in, approves alice's `hoopctl connect --role edit`, watches her recorded exec, revokes her session
// (her kubectl watch is cut) and reads the audit chain. Screenshots of every page go to a temporary directory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { APPROVAL_FLOW, startChain, USERS, type Chain } from './chain-harness.js';

// The callbacks given to page.evaluate run in the browser: these name the few browser globals they read
// (module-scoped, so the DOM library does not leak into the Node code of the test program).
declare const localStorage: { length: number };
declare const sessionStorage: { length: number };
declare const location: { search: string };
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  documentElement: { scrollWidth: number; clientWidth: number };
};
import { runCli, startCli, type RunningCli, type TempHome } from '../support/cli-runner.js';

const CHROMIUM = '/usr/bin/chromium';
const REQUIRED = process.env.HOOPCTL_REQUIRE_BROWSER === '1';
const skip = !existsSync(CHROMIUM) && !REQUIRED ? `${CHROMIUM} is missing (apt-get install -y --no-install-recommends chromium)` : false;
const ID = /access request ([0-9a-f]{12})/;

const policy = {
  roles: [
    {
      name: 'view',
      rules: [
        { verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'pods/log', 'configmaps', 'deployments', 'namespaces', 'events'] },
      ],
    },
    {
      name: 'edit',
      rules: [
        { verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], apiGroups: ['', 'apps'], resources: ['configmaps', 'deployments'] },
        { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods'] },
        { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] },
      ],
    },
  ],
  ...APPROVAL_FLOW,
};

let chain: Chain;
let alice: TempHome;
let browser: Browser;
let bobContext: BrowserContext;
let bob: Page;
let shots: string;
let requestId: string;
let kubeconfig: string;
let sessionId: string;
let watch: RunningCli;
const cspViolations: string[] = [];

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Signs in through the embedded IdP's login and consent pages, starting from a console URL. */
async function signIn(page: Page, path: string, user: { username: string; password: string }, shotPrefix?: string): Promise<void> {
  await page.goto(`${chain.gatewayUrl}${path}`);
  await page.waitForSelector('body[data-hoop-page="login"]');
  if (shotPrefix !== undefined) await shot(page, `${shotPrefix}-idp-login`);
  await page.getByPlaceholder('Username').fill(user.username);
  await page.getByPlaceholder('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('body[data-hoop-page="consent"]');
  if (shotPrefix !== undefined) await shot(page, `${shotPrefix}-idp-consent`);
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL(`${chain.gatewayUrl}${path}`);
}

function kubectl(...args: string[]) {
  return runCli(args, { ...alice.env, KUBECONFIG: kubeconfig }, { command: 'kubectl' });
}

describe('web console in Chromium', { skip }, () => {
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `HOOPCTL_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
    shots = process.env.HOOPCTL_ARTIFACTS_DIR ?? (await mkdtemp(join(tmpdir(), 'hoopctl-console-screenshots-')));
    await mkdir(shots, { recursive: true });
    chain = await startChain({ policy, extraConfig: { admins: { groups: ['approvers'] }, console: { clientId: 'hoopctl-console', sessionTtl: '15m' } } });
    alice = await chain.loginAs('alice');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    bobContext = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    bob = await bobContext.newPage();
    bob.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
  });
  after(async () => {
    watch?.child.kill('SIGTERM');
    await browser?.close();
    if (alice !== undefined) await runCli(['disconnect', 'demo'], alice.env).catch(() => undefined);
    await chain?.close();
    // Kept for people and CI artifacts: each page of the tour.
    if (shots !== undefined) console.log(`# console screenshots: ${shots}`);
  });

  test('a console page without sign-in goes to the IdP; bob signs in from the request link and sees the request in full', async () => {
    const connect = startCli(['connect', 'demo', '--print-env', '-n', 'demo', '--role', 'edit', '--reason', 'INC-42: rotate the cache', '--wait'], alice.env);
    requestId = (await connect.waitFor(ID))[1]!;
    // What Slack and webhook messages link to.
    await signIn(bob, `/ui/requests/${requestId}`, USERS.bob, '01');
    const res = await bob.reload();
    const csp = res?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    const facts = await bob.locator('dl.facts').innerText();
    for (const want of ['alice@example.com', 'edit', 'demo', 'INC-42: rotate the cache', 'approvers', 'pending'])
      assert.ok(facts.includes(want), `${want} in ${facts}`);
    const cookies = await bobContext.cookies();
    const session = cookies.find((c) => c.name === 'hoopctl-console');
    assert.ok(session, JSON.stringify(cookies.map((c) => c.name)));
    assert.deepEqual([session.httpOnly, session.sameSite, session.secure], [true, 'Lax', false]);
    assert.ok(session.expires > Date.now() / 1000 && session.expires <= Date.now() / 1000 + 15 * 60 + 5, 'short-lived');
    assert.deepEqual(await bob.evaluate(() => [localStorage.length, sessionStorage.length, location.search]), [0, 0, '']);
    await shot(bob, '02-request');
    await bob.goto(`${chain.gatewayUrl}/ui/requests`);
    assert.match(await bob.locator(`tr[data-request="${requestId}"]`).innerText(), /yours to decide/);
    await shot(bob, '03-requests');
    pendingConnect = connect;
  });

  test("alice sees her own request without the approve buttons (never one's own)", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, `/ui/requests/${requestId}`, USERS.alice);
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
    assert.match(await page.locator('p.note').innerText(), /your own request/);
    await ctx.close();
  });

  test('bob approves with a comment, without JavaScript in the way; the CLI session opens', async () => {
    await bob.goto(`${chain.gatewayUrl}/ui/requests/${requestId}`);
    await bob.getByLabel('Comment (the requester reads it)').fill('go ahead, INC-42');
    await bob.getByRole('button', { name: 'Approve' }).click();
    await bob.waitForURL(/done=approve/);
    // The waiting `connect --wait` may already have opened its session with the approval by the time the page renders.
    assert.match((await bob.locator('dd[data-status]').getAttribute('data-status')) ?? '', /^(approved|used)$/);
    assert.match(await bob.locator('dl.facts').innerText(), /bob@example.com .*go ahead, INC-42/);
    await shot(bob, '04-request-approved');
    const c = await pendingConnect.done;
    assert.equal(c.code, 0, c.stderr);
    kubeconfig = /export KUBECONFIG='([^']+)'/.exec(c.stdout)?.[1] ?? '';
    assert.ok(kubeconfig, c.stdout);
    sessionId = /export HOOP_SESSION='?([0-9a-f-]+)/.exec(c.stdout)?.[1] ?? '';
    const cm = await kubectl('create', 'configmap', 'made-after-console-approval', '--from-literal=a=b');
    assert.equal(cm.code, 0, cm.stderr);
  });

  test('a single-command review shows the exact request', async () => {
    const refused = await kubectl('delete', 'configmap', 'made-after-console-approval');
    assert.notEqual(refused.code, 0);
    const review = /review ([0-9a-f]{12})/.exec(refused.stderr)?.[1];
    assert.ok(review, refused.stderr);
    await bob.goto(`${chain.gatewayUrl}/ui/requests/${review}`);
    const facts = await bob.locator('dl.facts').innerText();
    assert.match(facts, /DELETE \/api\/v1\/namespaces\/demo\/configmaps\/made-after-console-approval/);
    assert.match(facts, /configmap-deletes-reviewed/);
    assert.equal(await bob.getByRole('button', { name: 'Deny' }).count(), 1);
    await shot(bob, '04b-command-review');
  });

  test('a recorded exec plays in the browser, with speed control and the request timeline', async () => {
    const pods = await kubectl('get', 'pods', '-o', 'name');
    assert.equal(pods.code, 0, pods.stderr);
    const pod = pods.stdout.trim().split('\n')[0]!.replace('pod/', '');
    const ex = await kubectl('exec', pod, '--', 'sh', '-c', 'echo hello-from-the-console-replay');
    assert.equal(ex.code, 0, ex.stderr);
    watch = startCli(['get', 'configmaps', '-w'], { ...alice.env, KUBECONFIG: kubeconfig }, { command: 'kubectl' });
    await watch.waitFor(/made-after-console-approval/, 10_000);

    await bob.goto(`${chain.gatewayUrl}/ui/sessions?state=active&user=alice@example.com&connection=demo`);
    const rows = bob.locator('tr[data-session]');
    assert.equal(await rows.count(), 1);
    sessionId ||= (await rows.first().getAttribute('data-session'))!;
    await shot(bob, '05-sessions');
    await rows.first().getByRole('link').click();
    await bob.waitForSelector('body[data-page="session"]');
    const events = await bob.locator('table.events').innerText();
    assert.match(events, /create\s+\/api\/v1\/namespaces\/demo\/configmaps.*allow/);
    await shot(bob, '06-session');
    await bob.getByRole('link', { name: /kubectl exec .* hello-from-the-console-replay/ }).click();
    await bob.waitForSelector('body[data-page="replay"]');
    await bob.waitForFunction(() => document.querySelector('#player')?.textContent?.includes('hello-from-the-console-replay'), undefined, { timeout: 15_000 });
    assert.ok((await bob.locator('.timeline li[data-seek]').count()) >= 1, 'the exec request is on the timeline');
    await shot(bob, '07-replay');
    await bob.selectOption('#speed', '4');
    await bob.waitForFunction(() => document.querySelector('#player')?.textContent?.includes('hello-from-the-console-replay'), undefined, { timeout: 15_000 });
    assert.deepEqual(cspViolations, []);
  });

  test("a revoke without the form token is refused; with confirmation it cuts kubectl's watch", async () => {
    const forged = await bob.request.post(`${chain.gatewayUrl}/ui/sessions/${sessionId}/revoke`, { form: { csrf: 'forged' } });
    assert.equal(forged.status(), 403);
    assert.equal(watch.child.exitCode, null, 'still watching');
    await bob.goto(`${chain.gatewayUrl}/ui/sessions/${sessionId}`);
    await bob.getByRole('link', { name: 'Revoke this session…' }).click();
    await bob.waitForSelector('body[data-page="revoke"]');
    await shot(bob, '08-revoke-confirm');
    await bob.getByRole('button', { name: 'Revoke session' }).click();
    const revokedAt = Date.now();
    await bob.waitForURL(/done=revoked/);
    const w = await watch.done;
    assert.ok(w.code !== null || w.signal !== null);
    assert.ok(Date.now() - revokedAt < 5000, `kubectl watched on for ${Date.now() - revokedAt} ms`);
    assert.equal(await bob.locator('dd[data-state]').getAttribute('data-state'), 'ended');
    assert.match(await bob.locator('dl.facts').innerText(), /revoked by bob@example.com/);
    await shot(bob, '09-session-revoked');
  });

  test('audit: search, export and the verified chain with its head hash', async () => {
    await bob.goto(`${chain.gatewayUrl}/ui/audit`);
    await bob.getByLabel('Person').fill('alice@example.com');
    await bob.getByLabel('Decision').selectOption('approval');
    await bob.getByRole('button', { name: 'Search' }).click();
    await bob.waitForURL(/decision=approval/);
    const table = await bob.locator('table.events').innerText();
    assert.match(table, /alice@example.com/);
    assert.doesNotMatch(table, /\ballow\b\s+\S+\s+\d{3}\s*$/m);
    assert.equal(await bob.locator('[data-chain]').getAttribute('data-chain'), 'ok');
    assert.match(await bob.locator('.chain').innerText(), /Head: seq \d+, hash [0-9a-f]{64}/);
    await shot(bob, '10-audit');
    const exported = await bob.request.get(`${chain.gatewayUrl}/ui/audit/export?user=alice%40example.com`);
    assert.equal(exported.status(), 200);
    const lines = (await exported.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { stage: string; message: string | null });
    assert.ok(lines.some((e) => e.stage === 'SessionEnded' && e.message?.includes('revoked by bob@example.com')));
  });

  test('a small phone screen keeps the request page readable', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, storageState: await bobContext.storageState() });
    const page = await phone.newPage();
    await page.goto(`${chain.gatewayUrl}/ui/requests/${requestId}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
    await shot(page, '11-phone-request');
    await phone.close();
  });
});

let pendingConnect: RunningCli;
