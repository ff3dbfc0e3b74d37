import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCiAudience, detectCiTokenSource, obtainCiToken } from './ci-token-source.js';
import { isHoopError } from '../errors.js';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const GH = { ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.example/idtoken?api-version=2.0', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'rt' };
const noFile = async (): Promise<string> => {
  throw Object.assign(new Error('x'), { code: 'ENOENT' });
};

test('sources in order: file, named env var, GitHub Actions, HOOPCTL_ID_TOKEN', () => {
  assert.equal(detectCiTokenSource({ ...GH, HOOPCTL_ID_TOKEN: JWT }, { idTokenFile: '/t' }), 'file');
  assert.equal(detectCiTokenSource({ ...GH }, { idTokenEnv: 'GL' }), 'env');
  assert.equal(detectCiTokenSource({ ...GH, HOOPCTL_ID_TOKEN: JWT }, {}), 'github-actions');
  assert.equal(detectCiTokenSource({ HOOPCTL_ID_TOKEN: JWT }, {}), 'default-env');
  assert.equal(detectCiTokenSource({ ACTIONS_ID_TOKEN_REQUEST_URL: 'x' }, {}), undefined);
});

test('GitHub Actions: asks with the request token and the audience, keeps api-version', async () => {
  let seen: { url: string; auth: string | null } | undefined;
  const fetch = (async (url: URL, init: RequestInit) => {
    seen = { url: String(url), auth: new Headers(init.headers).get('authorization') };
    return new Response(JSON.stringify({ value: JWT }), { status: 200 });
  }) as unknown as typeof globalThis.fetch;
  const t = await obtainCiToken({ env: GH, readFile: noFile, fetch }, { audience: async () => 'https://hoop.example' });
  assert.equal(t.token, JWT);
  assert.equal(seen?.url, 'https://pipelines.example/idtoken?api-version=2.0&audience=https%3A%2F%2Fhoop.example');
  assert.equal(seen?.auth, 'bearer rt');
});

test('failures are not_logged_in (exit 3) and say what was looked for', async () => {
  await assert.rejects(
    obtainCiToken({ env: {}, readFile: noFile }, {}),
    (e: unknown) => isHoopError(e, 'not_logged_in') && /ACTIONS_ID_TOKEN_REQUEST_URL/.test(e.message) && /HOOPCTL_ID_TOKEN/.test(e.message),
  );
  await assert.rejects(
    obtainCiToken({ env: {}, readFile: noFile }, { idTokenFile: '/nope' }),
    (e: unknown) => isHoopError(e, 'not_logged_in') && /\/nope/.test(e.message),
  );
  await assert.rejects(
    obtainCiToken({ env: { GL: 'not-a-jwt' }, readFile: noFile }, { idTokenEnv: 'GL' }),
    (e: unknown) => isHoopError(e, 'not_logged_in') && /does not hold a JWT/.test(e.message),
  );
  const refusing = (async () => new Response('{}', { status: 403 })) as unknown as typeof globalThis.fetch;
  await assert.rejects(
    obtainCiToken({ env: GH, readFile: noFile, fetch: refusing }, { audience: async () => 'a' }),
    (e: unknown) => isHoopError(e, 'not_logged_in') && /id-token: write/.test(e.hint ?? ''),
  );
});

test("the default audience: the only one, else GitHub's issuer's, else ask for --audience", () => {
  assert.equal(
    defaultCiAudience(
      [
        { issuer: 'https://a', audience: 'x' },
        { issuer: 'https://b', audience: 'x' },
      ],
      'gw',
    ),
    'x',
  );
  assert.equal(
    defaultCiAudience(
      [
        { issuer: 'https://gitlab.com', audience: 'y' },
        { issuer: 'https://token.actions.githubusercontent.com', audience: 'z' },
      ],
      'gw',
    ),
    'z',
  );
  assert.throws(
    () =>
      defaultCiAudience(
        [
          { issuer: 'https://a', audience: 'x' },
          { issuer: 'https://b', audience: 'y' },
        ],
        'gw',
      ),
    (e: unknown) => isHoopError(e, 'usage'),
  );
  assert.throws(
    () => defaultCiAudience(undefined, 'gw'),
    (e: unknown) => isHoopError(e, 'config_invalid'),
  );
});
