// Credential storage end to end with the built CLI and a real oidc-provider: ten parallel
// `hoopctl exec` with an expiring login share one refresh (no device-flow prompt, no damaged store,
// 0600/0700 kept); with ID tokens that live 3 seconds, a running session outlives the ID token and
// a refresh token that stops working, and the next command then says `run hoopctl login` (exit 3).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hoopExec, startChain, type Chain } from './chain-harness.js';
import { runCli, startCli, type TempHome } from '../support/cli-runner.js';

const ID_TOKEN_TTL_SECONDS = 3;
let chain: Chain;
let alice: TempHome;
/** IdP with 3-second ID tokens. */
let shortChain: Chain;
let bob: TempHome;

const tokenFile = (h: TempHome): string => join(h.env.XDG_CONFIG_HOME!, 'hoopctl', 'tokens.json');
const mode = async (p: string): Promise<number> => (await stat(p)).mode & 0o777;
const refreshes = (): number => chain.idpTokenRequests.filter((g) => g === 'refresh_token').length;

before(async () => {
  [chain, shortChain] = await Promise.all([startChain(), startChain({ idTokenTtlSeconds: ID_TOKEN_TTL_SECONDS })]);
  [alice, bob] = await Promise.all([chain.loginAs('alice'), shortChain.loginAs('alice')]);
});
after(async () => {
  await Promise.all([chain?.close(), shortChain?.close()]);
});

describe('one login for many processes', () => {
  test('ten hoopctl exec at once with an expiring ID token: one refresh, no prompt, an intact 0600 store', async () => {
    // The stored expiry is what the CLI goes by: ten processes all find the login about to expire.
    const stored0 = JSON.parse(await readFile(tokenFile(alice), 'utf8')) as Record<string, unknown>;
    await writeFile(tokenFile(alice), JSON.stringify({ ...stored0, expiresAt: new Date(Date.now() + 5_000).toISOString() }), { mode: 0o600 });
    const before = refreshes();
    // Ten CLIs, ten kubectls and their session daemons at once: on a loaded 2-core machine this takes a while.
    const runs = await Promise.all(
      Array.from({ length: 10 }, () => runCli(['exec', 'demo', '--', 'kubectl', 'get', 'ns', '-o', 'name'], alice.env, { timeoutMs: 180_000 })),
    );
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /namespace\/demo/);
      assert.doesNotMatch(r.stderr, /visit the following URL/);
    }
    assert.equal(refreshes() - before, 1, 'exactly one refresh for ten processes');
    const stored = JSON.parse(await readFile(tokenFile(alice), 'utf8')) as { user: string; refreshToken?: string; expiresAt: string };
    assert.equal(stored.user, 'alice@example.com');
    assert.ok(stored.refreshToken);
    assert.ok(Date.parse(stored.expiresAt) > Date.now() + 60_000, 'the refreshed login is stored');
    assert.equal(await mode(tokenFile(alice)), 0o600);
    assert.equal(await mode(join(alice.env.XDG_CONFIG_HOME!, 'hoopctl')), 0o700);
  });
});

describe('sessions and an expired login', () => {
  test('a running session outlives the ID token and a dead refresh token; the next command says run hoopctl login (exit 3)', async () => {
    const job = startCli(
      [
        'exec',
        'demo',
        '--',
        'sh',
        '-c',
        `kubectl get ns >/dev/null && echo first-ok && sleep ${ID_TOKEN_TTL_SECONDS + 2} && kubectl get ns >/dev/null && echo second-ok`,
      ],
      bob.env,
    );
    await job.waitFor(/first-ok/);
    // The IdP no longer refreshes this login (a revoked refresh token looks the same to the CLI).
    const stored = JSON.parse(await readFile(tokenFile(bob), 'utf8')) as Record<string, unknown>;
    await writeFile(tokenFile(bob), JSON.stringify({ ...stored, refreshToken: 'revoked-refresh-token' }), { mode: 0o600 });
    const r = await job.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /second-ok/);
    assert.ok(Date.parse(stored.expiresAt as string) < Date.now(), 'the ID token expired while the session ran');
    const next = await hoopExec(bob, 'demo', ['true']);
    assert.equal(next.code, 3, next.stderr);
    assert.match(next.stderr, /hint: run hoopctl login/);
  });
});
