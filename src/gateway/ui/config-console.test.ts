import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../config.js';
import { isHoopError } from '../../errors.js';

const base = {
  oidc: { issuers: [{ issuer: 'http://127.0.0.1:9000', clientId: 'hoopctl' }] },
  policy: { roles: [], bindings: [] },
};

function load(extra: Record<string, unknown>, env: Record<string, string> = {}) {
  return loadGatewayConfig('/etc/hoop/gw.yaml', { env, readFile: async () => stringify({ ...base, ...extra }) });
}

async function failsAt(extra: Record<string, unknown>, path: string, env: Record<string, string> = {}): Promise<void> {
  await assert.rejects(load(extra, env), (e: unknown) =>
    isHoopError(e, 'config_invalid') && e.message.includes(path) ? true : assert.fail((e as Error).message),
  );
}

test('console: absent → off; clientId alone → defaults (30m, openid profile email groups, redirect from publicUrl)', async () => {
  assert.equal((await load({})).console, undefined);
  assert.deepEqual((await load({ console: { clientId: 'web' } })).console, {
    clientId: 'web',
    sessionTtlSeconds: 1800,
    scopes: ['openid', 'profile', 'email', 'groups'],
  });
});

test('console: the client secret comes from the named environment variable, never from the file', async () => {
  const c = await load(
    { console: { clientId: 'web', clientSecretEnv: 'CONSOLE_SECRET', redirectUri: 'https://gw.example.com/ui/auth/callback', sessionTtl: '10m' } },
    { CONSOLE_SECRET: 's3cret' },
  );
  assert.deepEqual(c.console, {
    clientId: 'web',
    clientSecret: 's3cret',
    redirectUri: 'https://gw.example.com/ui/auth/callback',
    sessionTtlSeconds: 600,
    scopes: ['openid', 'profile', 'email', 'groups'],
  });
  await failsAt({ console: { clientId: 'web', clientSecretEnv: 'CONSOLE_SECRET' } }, 'console.clientSecretEnv');
  await failsAt({ console: { clientId: 'web', clientSecret: 'inline' } }, 'console');
});

test('console: mistakes name their path', async () => {
  await failsAt({ console: {} }, 'console.clientId');
  await failsAt({ console: { clientId: 'web', redirectUri: 'https://gw.example.com/callback' } }, 'console.redirectUri');
  await failsAt({ console: { clientId: 'web', sessionTtl: '24h' } }, 'console.sessionTtl');
});
