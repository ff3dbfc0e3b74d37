/** Token store selection and round trips, with a fake keychain (the real one is covered by the fallback test in test/integration). */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTokenStore, type Keyring, type StoredLogin } from './token-store.js';
import { resolvePaths } from '../platform/paths.js';
import { isHoopError } from '../errors.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempEnv(extra: Record<string, string> = {}) {
  const home = await mkdtemp(join(tmpdir(), 'hoopctl-store-'));
  dirs.push(home);
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), ...extra };
  return { env, paths: resolvePaths(env) };
}

function memoryKeyring(): Keyring & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    entry: (service, account) => {
      const key = `${service}/${account}`;
      return {
        setPassword: async (p) => {
          items.set(key, p);
        },
        getPassword: async () => items.get(key) ?? null,
        deletePassword: async () => items.delete(key),
      };
    },
  };
}

const login: StoredLogin = {
  gateway: 'https://gw.example.com',
  issuer: 'https://idp.example.com',
  clientId: 'hoopctl',
  idToken: 'h.p.s',
  refreshToken: 'secret-refresh',
  expiresAt: '2030-01-01T00:00:00.000Z',
  user: 'alice',
  groups: ['dev'],
};

describe('createTokenStore', () => {
  it('uses a keychain that passes the probe, and leaves nothing of the probe behind', async () => {
    const { env, paths } = await tempEnv();
    const keyring = memoryKeyring();
    const store = await createTokenStore({ env, paths, keyring });
    assert.deepEqual([store.kind, store.location, keyring.items.size], ['keychain', 'hoopctl', 0]);
    assert.equal(await store.load(), undefined);
    await store.save(login);
    assert.deepEqual(await store.load(), login);
    await store.clear();
    assert.equal(await store.load(), undefined);
  });

  it('saving to the keychain removes a token file left by an earlier fallback', async () => {
    const { env, paths } = await tempEnv();
    await (await createTokenStore({ env: { ...env, HOOPCTL_TOKEN_STORE: 'file' }, paths })).save(login);
    await (await createTokenStore({ env, paths, keyring: memoryKeyring() })).save(login);
    await assert.rejects(stat(join(paths.configDir, 'tokens.json')), { code: 'ENOENT' });
  });

  it('falls back to the file when the keychain throws or hangs; HOOPCTL_TOKEN_STORE=keychain then fails clearly', async () => {
    const { env, paths } = await tempEnv();
    const broken: Keyring = {
      entry: () => {
        throw new Error('DBus error: no session bus');
      },
    };
    const hanging: Keyring = {
      entry: () => ({ setPassword: () => new Promise(() => undefined), getPassword: async () => null, deletePassword: async () => false }),
    };
    assert.equal((await createTokenStore({ env, paths, keyring: broken })).kind, 'file');
    const started = Date.now();
    assert.equal((await createTokenStore({ env, paths, keyring: hanging, probeTimeoutMs: 100 })).kind, 'file');
    assert.ok(Date.now() - started < 1000);
    await assert.rejects(
      createTokenStore({ env: { ...env, HOOPCTL_TOKEN_STORE: 'keychain' }, paths, keyring: broken }),
      (e: unknown) => isHoopError(e, 'store_error') && /no session bus/.test(e.message) && e.hint !== undefined,
    );
    await assert.rejects(createTokenStore({ env: { ...env, HOOPCTL_TOKEN_STORE: 'vault' }, paths }), (e: unknown) => isHoopError(e, 'config_invalid'));
  });

  it('HOOPCTL_TOKEN_STORE=file wins over a working keychain; the file is 0600 and a damaged one is a store_error without its content', async () => {
    const { env, paths } = await tempEnv({ HOOPCTL_TOKEN_STORE: 'file' });
    const store = await createTokenStore({ env, paths, keyring: memoryKeyring() });
    assert.equal(store.kind, 'file');
    await store.save(login);
    assert.equal((await stat(store.location)).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(await readFile(store.location, 'utf8')), login);
    await mkdir(paths.configDir, { recursive: true });
    await writeFile(store.location, '{"idToken":"secret-refresh"');
    await assert.rejects(store.load(), (e: unknown) => isHoopError(e, 'store_error') && !e.message.includes('secret-refresh'));
  });
});
