// Runs inside `dbus-run-session` with an unlocked gnome-keyring (see test/integration/secret-service.test.ts):
// the real token store must pick the Secret Service, keep the login there (no file), and the built CLI must say so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTokenStore } from '../../src/oidc/token-store.js';
import { loadSystemKeyring } from '../../src/oidc/keyring.js';
import { resolvePaths } from '../../src/platform/paths.js';
import { hoopctlBin } from './cli-runner.js';

const env = { ...process.env };
delete env.HOOPCTL_TOKEN_STORE;
const paths = resolvePaths(env);
const store = await createTokenStore({ env, paths });
const login = {
  gateway: 'http://127.0.0.1:1',
  issuer: 'http://127.0.0.1:2',
  clientId: 'hoopctl',
  idToken: 'header.payload.sig',
  refreshToken: 'refresh-secret-value',
  expiresAt: new Date(Date.now() + 3600_000).toISOString(),
  user: 'kate@example.com',
  groups: ['dev'],
};
await store.save(login);
const loaded = await store.load();
// What the Secret Service holds, read around hoopctl: the refresh token must be there, not on disk.
const raw = await (await loadSystemKeyring()).entry('hoopctl', 'login').getPassword();
const whoami = spawnSync(process.execPath, [hoopctlBin, 'whoami', '-o', 'json'], { env, encoding: 'utf8' });
const logout = spawnSync(process.execPath, [hoopctlBin, 'logout'], { env, encoding: 'utf8' });
const afterLogout = await store.load();
process.stdout.write(
  `${JSON.stringify({
    kind: store.kind,
    roundTrip: loaded?.refreshToken === login.refreshToken,
    inKeychain: raw?.includes('refresh-secret-value') === true,
    fileExists: existsSync(join(paths.configDir, 'tokens.json')),
    whoami: whoami.stdout,
    whoamiCode: whoami.status,
    logoutCode: logout.status,
    afterLogout: afterLogout === undefined,
  })}\n`,
);
