/**
 * Login end to end: a real oidc-provider (embedded IdP) with the device flow, a stand-in for the
 * gateway's `GET /v1/config`, the approver playing the person, a file token store in a temp dir.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedIdp, type EmbeddedIdp } from '../../src/quickstart/embedded-idp.js';
import { approveDeviceCode } from '../../src/quickstart/device-approver.js';
import { createTokenStore, type StoredLogin } from '../../src/oidc/token-store.js';
import { resolvePaths } from '../../src/platform/paths.js';
import { createIdentityEdges } from '../../src/platform/identity-edges.js';
import { getFreshLogin, login } from '../../src/usecases/login.js';
import { whoami } from '../../src/usecases/whoami.js';
import { logout } from '../../src/usecases/logout.js';
import type { IdentityDeps } from '../../src/usecases/identity-deps.js';
import { isHoopError, type ErrorCode } from '../../src/errors.js';
import type { GatewayConfigResponse } from '../../src/api/wire.js';

const ID_TOKEN_TTL = 300;
const alice = { username: 'alice', password: 'wonderland', email: 'alice@example.com', name: 'Alice', groups: ['dev', 'oncall'] };

let idp: EmbeddedIdp;
let gatewayServer: Server;
let gateway: string;
const grants: string[] = [];
const refreshCount = (): number => grants.filter((g) => g === 'refresh_token').length;
const dirs: string[] = [];

before(async () => {
  idp = await createEmbeddedIdp({
    users: [alice],
    devicePollIntervalSeconds: 0.2,
    idTokenTtlSeconds: ID_TOKEN_TTL,
    onTokenRequest: (g) => grants.push(g),
  });
  // Only `/v1/config` of the gateway: the login needs nothing else from it.
  gatewayServer = createServer((req, res) => {
    if (req.url !== '/v1/config') {
      res.writeHead(404).end();
      return;
    }
    const body: GatewayConfigResponse = {
      issuer: idp.issuer,
      clientId: idp.clientId,
      scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
      version: 'test',
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => gatewayServer.listen(0, '127.0.0.1', resolve));
  gateway = `http://127.0.0.1:${(gatewayServer.address() as AddressInfo).port}`;
});

after(async () => {
  await idp.close();
  await new Promise<void>((resolve) => gatewayServer.close(() => resolve()));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A recorded stderr; `device` resolves with the URL and code the person is told to use. */
function personAtTerminal() {
  let text = '';
  let told: (v: { uri: string; code: string }) => void = () => undefined;
  const device = new Promise<{ uri: string; code: string }>((resolve) => {
    told = resolve;
  });
  const stderr = {
    write: (chunk: string) => {
      text += chunk;
      const m = /Please visit the following URL in your browser: (\S+)\nand enter the code: ([A-Z]{4}-[A-Z]{4})\n/.exec(text);
      if (m !== null) told({ uri: m[1]!, code: m[2]! });
      return true;
    },
  };
  return { stderr, device, text: () => text };
}

/** Deps over a fresh temp XDG_CONFIG_HOME with a file token store. */
async function setup(extra: Partial<IdentityDeps> = {}) {
  const home = await mkdtemp(join(tmpdir(), 'hoopctl-login-'));
  dirs.push(home);
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), HOOPCTL_TOKEN_STORE: 'file' };
  const paths = resolvePaths(env);
  const tokenStore = await createTokenStore({ env, paths });
  const person = personAtTerminal();
  const statusCalls: string[] = [];
  const deps: IdentityDeps = {
    ...createIdentityEdges({ paths }),
    tokenStore,
    now: Date.now,
    stderr: person.stderr,
    status: { start: (t) => statusCalls.push(`start:${t}`), stop: () => statusCalls.push('stop') },
    ...extra,
  };
  return { deps, paths, device: person.device, statusCalls, stderr: person.text };
}

/** Logs in with the person approving in the "browser" as soon as the code is printed. */
async function loginAsAlice(ctx: Awaited<ReturnType<typeof setup>>, password = alice.password) {
  const [result] = await Promise.all([
    login(ctx.deps, { gateway }),
    ctx.device.then(({ uri, code }) => approveDeviceCode({ verificationUri: uri, userCode: code, username: alice.username, password })),
  ]);
  return result;
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isHoopError(e, code), `expected HoopError ${code}, got ${String(e)}`);
    return true;
  });
}

describe('login (device flow against the embedded IdP)', () => {
  it('logs in, stores the tokens in a 0600 file in a 0700 dir, remembers the gateway; whoami tells who', async () => {
    const ctx = await setup();
    const result = await loginAsAlice(ctx);
    assert.equal(result.user, 'alice@example.com');
    assert.deepEqual(result.groups, ['dev', 'oncall']);
    assert.equal(result.store, 'file');

    assert.match(ctx.stderr(), /Please visit the following URL in your browser: http:\/\/127\.0\.0\.1:\d+\/device\n/);
    assert.match(ctx.stderr(), /and enter the code: [A-Z]{4}-[A-Z]{4}\n/);
    assert.match(ctx.stderr(), /user_code=[A-Z]{4}-[A-Z]{4}/);
    assert.deepEqual(ctx.statusCalls, ['start:Waiting for you to sign in in the browser', 'stop']);

    const file = join(ctx.paths.configDir, 'tokens.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(ctx.paths.configDir)).mode & 0o777, 0o700);
    const stored = JSON.parse(await readFile(file, 'utf8')) as StoredLogin;
    assert.ok(stored.idToken.split('.').length === 3 && stored.refreshToken !== undefined && stored.accessToken !== undefined);
    assert.equal(stored.issuer, idp.issuer);
    for (const secret of [stored.idToken, stored.refreshToken, stored.accessToken]) assert.ok(!ctx.stderr().includes(secret!));
    const remembered = JSON.parse(await readFile(join(ctx.paths.configDir, 'config.json'), 'utf8')) as { gateway: string };
    assert.equal(remembered.gateway, gateway);
    assert.equal((await stat(join(ctx.paths.configDir, 'config.json'))).mode & 0o777, 0o600);

    const me = await whoami(ctx.deps);
    // This stand-in gateway has no GET /v1/whoami: the groups come from the ID token, and whoami says so.
    assert.deepEqual(
      { ...me, expiresInSeconds: undefined, groupsNote: undefined },
      {
        user: 'alice@example.com',
        groups: ['dev', 'oncall'],
        groupsSource: 'id-token',
        groupsNote: undefined,
        gateway,
        issuer: idp.issuer,
        expiresAt: stored.expiresAt,
        expiresInSeconds: undefined,
        store: { kind: 'file', location: file },
      },
    );
    assert.match(me.groupsNote ?? '', /not confirmed by the gateway/);
    assert.ok(me.expiresInSeconds > ID_TOKEN_TTL - 30 && me.expiresInSeconds <= ID_TOKEN_TTL, `${me.expiresInSeconds}`);
    assert.ok(!JSON.stringify(me).includes(stored.idToken));
  });

  it('uses the remembered gateway and a still valid login; forceDeviceFlow asks the person again', async () => {
    const ctx = await setup();
    await loginAsAlice(ctx);
    const before = ctx.stderr();
    const again = await login(ctx.deps, {});
    assert.equal(again.user, 'alice@example.com');
    assert.equal(ctx.stderr(), before, 'no second device flow');

    const grantsBefore = grants.filter((g) => g.endsWith('device_code')).length;
    const person = personAtTerminal();
    await Promise.all([
      login({ ...ctx.deps, stderr: person.stderr }, { forceDeviceFlow: true }),
      person.device.then(({ uri, code }) => approveDeviceCode({ verificationUri: uri, userCode: code, username: 'alice', password: alice.password })),
    ]);
    assert.ok(grants.filter((g) => g.endsWith('device_code')).length > grantsBefore);
  });

  it('refreshes an expiring ID token, rotating the refresh token', async () => {
    const ctx = await setup();
    await loginAsAlice(ctx);
    const old = (await ctx.deps.tokenStore.load())!;
    const fresh = await getFreshLogin(ctx.deps);
    assert.ok(fresh.accessToken === old.accessToken, 'valid for 5 min: no refresh');

    const refreshes = refreshCount();
    // The clock says the ID token expired an hour ago.
    const later = { ...ctx.deps, now: () => Date.parse(old.expiresAt) + 3600_000 };
    const renewed = await getFreshLogin(later);
    assert.equal(refreshCount(), refreshes + 1);
    // Compared as booleans so a failure never prints a token.
    assert.ok(renewed.accessToken !== old.accessToken, 'new access token');
    assert.ok(renewed.refreshToken !== old.refreshToken, 'refresh token rotated');
    assert.deepEqual(renewed.groups, ['dev', 'oncall']);
    assert.deepEqual(await ctx.deps.tokenStore.load(), renewed);
  });

  it('ten parallel getFreshLogin with an expired token perform exactly one refresh', async () => {
    const ctx = await setup();
    await loginAsAlice(ctx);
    const old = (await ctx.deps.tokenStore.load())!;
    const later = { ...ctx.deps, now: () => Date.parse(old.expiresAt) + 60_000 };
    const refreshes = refreshCount();
    const results = await Promise.all(Array.from({ length: 10 }, () => getFreshLogin(later)));
    assert.equal(refreshCount(), refreshes + 1);
    assert.equal(new Set(results.map((r) => r.accessToken)).size, 1);
    assert.ok(results[0]!.accessToken !== old.accessToken, 'refreshed');
  });

  it('a refused refresh is login_expired; no login at all is not_logged_in', async () => {
    const ctx = await setup();
    await rejectsWith(getFreshLogin(ctx.deps), 'not_logged_in');
    await rejectsWith(whoami(ctx.deps), 'not_logged_in');
    await loginAsAlice(ctx);
    const stored = (await ctx.deps.tokenStore.load())!;
    await ctx.deps.tokenStore.save({ ...stored, refreshToken: 'not-a-refresh-token' });
    const later = { ...ctx.deps, now: () => Date.parse(stored.expiresAt) + 1000 };
    await assert.rejects(getFreshLogin(later), (e: unknown) => {
      assert.ok(isHoopError(e, 'login_expired'));
      assert.equal(e.hint, 'run hoopctl login');
      assert.ok(!e.message.includes('not-a-refresh-token'), 'no token in the message');
      return true;
    });
  });

  it('a wrong password fails the approval with login_failed', async () => {
    const ctx = await setup({ signal: AbortSignal.timeout(10_000) });
    const abort = new AbortController();
    ctx.deps.signal = abort.signal;
    const pending = login(ctx.deps, { gateway });
    const { uri, code } = await ctx.device;
    await rejectsWith(approveDeviceCode({ verificationUri: uri, userCode: code, username: 'alice', password: 'wrong' }), 'login_failed');
    abort.abort();
    await rejectsWith(pending, 'login_failed');
    assert.equal(await ctx.deps.tokenStore.load(), undefined);
  });

  it('no gateway given or remembered is a usage error naming the flag', async () => {
    const ctx = await setup();
    await assert.rejects(login(ctx.deps, {}), (e: unknown) => isHoopError(e, 'usage') && e.hint === 'hoopctl login --gateway URL');
    await rejectsWith(login(ctx.deps, { gateway: 'http://gateway.example.com' }), 'usage');
  });

  it('logout removes the token file and revokes the refresh token', async () => {
    const ctx = await setup();
    await loginAsAlice(ctx);
    const stored = (await ctx.deps.tokenStore.load())!;
    const out = await logout(ctx.deps);
    assert.deepEqual(out, { removed: true, revoked: true, store: { kind: 'file', location: join(ctx.paths.configDir, 'tokens.json') } });
    await assert.rejects(stat(join(ctx.paths.configDir, 'tokens.json')), { code: 'ENOENT' });
    await rejectsWith(getFreshLogin(ctx.deps), 'not_logged_in');
    // The IdP no longer honours the revoked refresh token.
    await ctx.deps.tokenStore.save(stored);
    await rejectsWith(getFreshLogin({ ...ctx.deps, now: () => Date.parse(stored.expiresAt) + 1000 }), 'login_expired');
    assert.deepEqual((await logout(ctx.deps)).removed, true);
    assert.deepEqual((await logout(ctx.deps)).removed, false);
  });
});

describe('token store selection', () => {
  it('falls back to the file store when no Secret Service answers', async () => {
    const home = await mkdtemp(join(tmpdir(), 'hoopctl-store-'));
    dirs.push(home);
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config') };
    const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
    // Point D-Bus at nothing, so the test holds even on a desktop with a keyring.
    process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(home, 'no-bus')}`;
    try {
      const started = Date.now();
      const store = await createTokenStore({ env, paths: resolvePaths(env), probeTimeoutMs: 2000 });
      assert.equal(store.kind, 'file');
      assert.equal(store.location, join(home, 'config', 'hoopctl', 'tokens.json'));
      assert.ok(Date.now() - started < 2500);
      await rejectsWith(createTokenStore({ env: { ...env, HOOPCTL_TOKEN_STORE: 'keychain' }, paths: resolvePaths(env) }), 'store_error');
    } finally {
      if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    }
  });
});
