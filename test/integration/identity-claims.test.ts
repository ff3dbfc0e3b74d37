// How the gateway reads identities, on real sockets: an email names a person only when verified, a
// token issued to another client (azp) is refused, `hoopctl whoami` and the login line show the
// groups the gateway maps (`groupsClaim: roles`) and say which claim is missing, CI job tokens are
// refused with the audience the gateway expects, a `kind: ci` issuer needs `require`, and a gateway
// for CI jobs only starts and tells `hoopctl login` so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startCiIssuer, type CiIssuer } from '../support/ci-issuer.js';
import { approveDeviceCode } from '../../src/quickstart/device-approver.js';
import { createTokenStore } from '../../src/oidc/token-store.js';
import { identityFromIdToken } from '../../src/credential/id-token-identity.js';
import { resolvePaths } from '../../src/platform/paths.js';
import { createIdentityEdges } from '../../src/platform/identity-edges.js';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import { login } from '../../src/usecases/login.js';
import { whoami } from '../../src/usecases/whoami.js';
import type { IdentityDeps } from '../../src/usecases/identity-deps.js';
import { isHoopError } from '../../src/errors.js';
import { send, startHarness, USERS, type Harness } from './gateway-harness.js';

const PEOPLE_APP = 'people-app';
const AUDIENCE = 'https://hoop.example.test';
let people: CiIssuer;
let github: CiIssuer;
let h: Harness;
const dirs: string[] = [];

before(async () => {
  [people, github] = await Promise.all([startCiIssuer(), startCiIssuer()]);
  h = await startHarness({
    config: (idp) => ({
      oidc: {
        issuers: [
          // The embedded IdP sends `groups`; this gateway reads `roles`, so its people have no groups.
          { issuer: idp.issuer, clientId: idp.clientId, cli: true, groupsClaim: 'roles' },
          { issuer: people.issuer, clientId: PEOPLE_APP, groupsClaim: 'roles' },
          { issuer: github.issuer, kind: 'ci', audience: AUDIENCE, claims: { preset: 'github', require: { repository_owner: 'acme' } } },
        ],
      },
    }),
  });
});
after(async () => {
  await h?.close();
  await Promise.all([people?.close(), github?.close(), ...dirs.map((d) => rm(d, { recursive: true, force: true }))]);
});

const person = (claims: Record<string, unknown>): Promise<string> => people.sign({ sub: 'u-1', ...claims }, { audience: PEOPLE_APP });
const openSession = (token: string) =>
  send(h.gateway.url, 'POST', '/v1/sessions', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, JSON.stringify({ connection: 'prod' }));

/** Identity deps over a fresh temp config dir with a file token store; stderr is recorded. */
async function identityDeps(): Promise<{ deps: IdentityDeps; stderr: () => string }> {
  const home = await mkdtemp(join(tmpdir(), 'hoopctl-identity-'));
  dirs.push(home);
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), HOOPCTL_TOKEN_STORE: 'file' };
  const paths = resolvePaths(env);
  let text = '';
  return {
    deps: {
      ...createIdentityEdges({ paths }),
      tokenStore: await createTokenStore({ env, paths }),
      now: Date.now,
      stderr: {
        write: (c: string) => {
          text += c;
          return true;
        },
      },
    },
    stderr: () => text,
  };
}

describe('ID tokens of people', () => {
  test('an email names a person only when email_verified is true', async () => {
    const verified = await openSession(await person({ email: 'carol@example.com', email_verified: true, roles: ['dev'] }));
    assert.equal(verified.status, 201, verified.body);
    assert.equal(verified.json.user, 'carol@example.com');
    for (const [claims, why] of [
      [{ email_verified: false }, /email_verified: false/],
      [{}, /has no email_verified claim/],
    ] as const) {
      const r = await openSession(await person({ email: 'alice@example.com', preferred_username: 'mallory', roles: ['dev'], ...claims }));
      assert.equal(r.status, 403, r.body);
      assert.equal(r.json.code, 'denied');
      assert.match(r.json.message, why);
      assert.match(r.json.hint, /usernameClaim/);
    }
  });

  test('a token issued to another client (azp) is refused', async () => {
    const r = await openSession(await person({ email: 'carol@example.com', email_verified: true, roles: ['dev'], azp: 'some-other-app' }));
    assert.equal(r.status, 401, r.body);
    assert.match(r.json.message, /issued to client "some-other-app" \(azp\), not to "people-app"/);
    assert.equal((await openSession(await person({ email: 'carol@example.com', email_verified: true, roles: ['dev'], azp: PEOPLE_APP }))).status, 201);
  });
});

describe('the groups the gateway uses', () => {
  test("whoami shows the groups mapped from groupsClaim: roles, not the token's empty `groups`", async () => {
    const { deps } = await identityDeps();
    const idToken = await person({ email: 'carol@example.com', email_verified: true, roles: ['dev', 'oncall'] });
    const fromToken = identityFromIdToken(idToken);
    assert.deepEqual(fromToken.groups, [], 'decoding the token finds no `groups` claim');
    await deps.tokenStore.save({ gateway: h.gateway.url, issuer: people.issuer, clientId: PEOPLE_APP, idToken, ...fromToken });
    const me = await whoami(deps);
    assert.deepEqual([me.user, me.groups, me.groupsSource, me.groupsNote], ['carol@example.com', ['dev', 'oncall'], 'gateway', undefined]);

    const without = await person({ email: 'carol@example.com', email_verified: true, groups: ['dev'] });
    const direct = await send(h.gateway.url, 'GET', '/v1/whoami', { authorization: `Bearer ${without}` });
    assert.equal(direct.status, 200, direct.body);
    assert.deepEqual(direct.json.groups, []);
    assert.equal(direct.json.groupsClaim, 'roles');
    assert.match(direct.json.groupsHint, /your ID token has no "roles" claim.*scopes hoopctl asks for \(openid profile email groups offline_access\)/);
  });

  test("the login line shows the gateway's groups and says which claim the ID token lacks", async () => {
    const { deps } = await identityDeps();
    const alice = USERS.find((u) => u.username === 'alice')!;
    let told: (v: { uri: string; code: string }) => void = () => undefined;
    const device = new Promise<{ uri: string; code: string }>((resolve) => {
      told = resolve;
    });
    let text = '';
    deps.stderr = {
      write: (c: string) => {
        text += c;
        const m = /browser: (\S+)\nand enter the code: (\S+)\n/.exec(text);
        if (m) told({ uri: m[1]!, code: m[2]! });
        return true;
      },
    };
    const [r] = await Promise.all([
      login(deps, { gateway: h.gateway.url }),
      device.then(({ uri, code }) => approveDeviceCode({ verificationUri: uri, userCode: code, username: alice.username, password: alice.password })),
    ]);
    assert.equal(r.user, 'alice@example.com');
    assert.deepEqual(r.groups, [], 'the gateway reads `roles`, which this IdP does not send: no groups, whatever `groups` says');
    assert.match(r.groupsNote ?? '', /no "roles" claim/);
  });
});

describe('CI job tokens', () => {
  const exchange = (token: string) =>
    send(
      h.gateway.url,
      'POST',
      '/v1/token',
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        audience: 'prod',
      }).toString(),
    );

  test('a token for the wrong audience names the audience the gateway expects and where the job sets it, not hoopctl login', async () => {
    const job = github.githubClaims({ repository: 'acme/deploy', ref: 'refs/heads/main' });
    const r = await exchange(await github.sign(job, { audience: 'https://github.com/acme' }));
    assert.equal(r.status, 400, r.body);
    assert.match(r.json.message, /is for audience "https:\/\/github\.com\/acme"; this gateway expects "https:\/\/hoop\.example\.test"/);
    assert.match(r.json.hint, /--audience https:\/\/hoop\.example\.test/);
    assert.match(r.json.hint, /id_tokens: HOOPCTL_ID_TOKEN: aud: https:\/\/hoop\.example\.test/);
    assert.doesNotMatch(`${r.json.message} ${r.json.hint}`, /hoopctl login/);
    const expired = await exchange(await github.sign(job, { audience: AUDIENCE, expired: true }));
    assert.equal(expired.status, 400);
    assert.doesNotMatch(`${expired.json.message} ${expired.json.hint}`, /hoopctl login/);
  });

  test('a kind: ci issuer without require stops the gateway at start, naming the file and path; allowAnyRepository: true is the explicit opt-out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hoopctl-ci-config-'));
    dirs.push(dir);
    const file = join(dir, 'gateway.yaml');
    const write = (claims: Record<string, unknown>) =>
      writeFile(
        file,
        stringify({
          oidc: { issuers: [{ issuer: github.issuer, kind: 'ci', audience: AUDIENCE, claims }] },
          connections: [],
          policy: { roles: [], bindings: [] },
        }),
      );
    const load = () => loadGatewayConfig(file, { env: {}, readFile: (p) => readFile(p, 'utf8') });
    for (const claims of [{ preset: 'github' }, { preset: 'github', require: {} }]) {
      await write(claims);
      await assert.rejects(
        load(),
        (e: unknown) =>
          isHoopError(e, 'config_invalid') && e.message.includes(file) && /oidc\.issuers\[0\]\.claims\.require: is required for kind: ci/.test(e.message),
        JSON.stringify(claims),
      );
    }
    await write({ preset: 'github', allowAnyRepository: true });
    assert.equal((await load()).oidc.issuers[0]!.kind, 'ci');
  });

  test('a gateway for CI jobs only starts; hoopctl login against it says it serves CI only', async () => {
    const ciOnly = await startHarness({
      config: {
        oidc: { issuers: [{ issuer: github.issuer, kind: 'ci', audience: AUDIENCE, claims: { preset: 'github', require: { repository_owner: 'acme' } } }] },
      },
    });
    try {
      const cfg = await send(ciOnly.gateway.url, 'GET', '/v1/config');
      assert.equal(cfg.status, 200);
      assert.equal(cfg.json.issuer, undefined);
      assert.deepEqual(cfg.json.ci, [{ issuer: github.issuer, audience: AUDIENCE }]);
      const { deps } = await identityDeps();
      await assert.rejects(
        login(deps, { gateway: ciOnly.gateway.url }),
        (e: unknown) => isHoopError(e, 'usage') && /serves CI jobs only/.test(e.message) && /--ci/.test(e.hint ?? ''),
      );
    } finally {
      await ciOnly.close();
    }
  });
});
