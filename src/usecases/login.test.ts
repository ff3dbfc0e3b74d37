// login, getFreshLogin and logout with hand-written fakes for the config file, lock, gateway and IdP: no sockets, a fixed clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from '../errors.js';
import type { IssuerConfig, TokenResponse } from '../oidc/device-authorization.js';
import type { StoredLogin } from '../oidc/token-store.js';
import type { IdentityDeps } from './identity-deps.js';
import { getFreshLogin, login } from './login.js';
import { logout } from './logout.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const idToken = (email: string, expMs: number): string => `${b64({ alg: 'RS256' })}.${b64({ email, exp: expMs / 1000, groups: ['dev'] })}.sig`;
const stored = (over: Partial<StoredLogin> = {}): StoredLogin => ({
  gateway: 'https://gw.example',
  issuer: 'https://idp.example',
  clientId: 'hoopctl',
  idToken: idToken('alice@example.com', NOW + 30_000),
  refreshToken: 'R1',
  expiresAt: new Date(NOW + 30_000).toISOString(),
  user: 'alice@example.com',
  groups: ['dev'],
  ...over,
});

function fakes(initial: StoredLogin | undefined, over: Partial<IdentityDeps> = {}) {
  let saved = initial;
  const calls: string[] = [];
  let lock: Promise<unknown> = Promise.resolve();
  const deps: IdentityDeps = {
    tokenStore: {
      kind: 'file',
      location: '/home/alice/.config/hoopctl/tokens.json',
      load: async () => saved,
      save: async (l) => {
        calls.push(`save ${l.refreshToken}`);
        saved = l;
      },
      clear: async () => {
        calls.push('clear');
        saved = undefined;
      },
    },
    stderr: { write: () => true },
    now: () => NOW,
    cliConfig: {
      load: async () => ({}),
      save: async (c) => {
        calls.push(`remember ${c.gateway}`);
      },
    },
    // One holder at a time, like the file lock.
    withLoginLock: (fn) => {
      const run = lock.then(() => {
        calls.push('lock');
        return fn();
      });
      lock = run.catch(() => undefined);
      return run;
    },
    gateway: (baseUrl) => ({
      getConfig: async () => {
        calls.push(`config ${baseUrl}`);
        return { version: 'test' };
      },
      whoami: async () => {
        throw new Error('not asked in these tests');
      },
    }),
    idp: {
      discoverIssuer: async (issuer) => {
        calls.push(`discover ${issuer}`);
        return {} as IssuerConfig;
      },
      initiateDeviceAuthorization: async () => {
        throw new Error('no device flow in these tests');
      },
      pollDeviceAuthorizationGrant: async () => {
        throw new Error('no device flow in these tests');
      },
      refreshTokens: async (_c, refreshToken): Promise<TokenResponse> => {
        calls.push(`refresh ${refreshToken}`);
        return {
          access_token: '',
          token_type: 'bearer',
          id_token: idToken('alice@example.com', NOW + 3_600_000),
          refresh_token: `${refreshToken}+`,
        } as TokenResponse;
      },
      revokeToken: async () => {
        calls.push('revoke');
        return true;
      },
    },
    ...over,
  };
  return { deps, calls, saved: () => saved };
}

test('login refuses a gateway that trusts no IdP for people (usage), before taking the lock or asking an IdP', async () => {
  const { deps, calls } = fakes(undefined);
  await assert.rejects(login(deps, { gateway: 'https://gw.example/' }), (e: unknown) => isHoopError(e, 'usage'));
  assert.deepEqual(calls, ['config https://gw.example']);
});

test('login refuses a plain-http gateway that is not loopback (usage), without asking it anything', async () => {
  const { deps, calls } = fakes(undefined);
  await assert.rejects(login(deps, { gateway: 'http://gw.example' }), (e: unknown) => isHoopError(e, 'usage'));
  assert.deepEqual(calls, []);
});

test('getFreshLogin: a login valid long enough is returned as is, without the lock', async () => {
  const { deps, calls } = fakes(stored({ expiresAt: new Date(NOW + 120_000).toISOString() }));
  assert.equal((await getFreshLogin(deps)).refreshToken, 'R1');
  assert.deepEqual(calls, []);
});

test('getFreshLogin: parallel callers of an expiring login refresh it once, under the lock; the others take the result', async () => {
  const { deps, calls, saved } = fakes(stored());
  const all = await Promise.all([getFreshLogin(deps), getFreshLogin(deps), getFreshLogin(deps)]);
  assert.deepEqual(
    all.map((l) => l.refreshToken),
    ['R1+', 'R1+', 'R1+'],
  );
  assert.deepEqual(calls, ['lock', 'discover https://idp.example', 'refresh R1', 'save R1+', 'lock', 'lock']);
  assert.equal(saved()?.expiresAt, new Date(NOW + 3_600_000).toISOString());
});

test('getFreshLogin: not logged in, or expiring without a refresh token, names the next command by code', async () => {
  await assert.rejects(getFreshLogin(fakes(undefined).deps), (e: unknown) => isHoopError(e, 'not_logged_in'));
  const { refreshToken: _dropped, ...noRefresh } = stored();
  await assert.rejects(getFreshLogin(fakes(noRefresh).deps), (e: unknown) => isHoopError(e, 'login_expired'));
});

test('logout removes the login even when the IdP cannot be reached; revocation is best effort', async () => {
  const { deps, calls, saved } = fakes(stored(), {});
  deps.idp.discoverIssuer = async () => {
    throw new Error('ECONNREFUSED');
  };
  const r = await logout(deps);
  assert.deepEqual(r, { removed: true, revoked: false, store: { kind: 'file', location: '/home/alice/.config/hoopctl/tokens.json' } });
  assert.deepEqual(calls, ['clear']);
  assert.equal(saved(), undefined);
});
