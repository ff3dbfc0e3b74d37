import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { createIdTokenVerifier } from './id-token-verifier.js';
import { isHoopError } from '../errors.js';
import type { OidcIssuerConfig } from './config.js';

// A local issuer: discovery + JWKS over real HTTP, tokens signed with jose.
let server: Server;
let issuer: string;
let key: CryptoKey;
let otherKey: CryptoKey;
const NOW = 1_800_000_000_000;

before(async () => {
  const pair = await generateKeyPair('ES256');
  key = pair.privateKey;
  otherKey = (await generateKeyPair('ES256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function cfg(over: Partial<OidcIssuerConfig> = {}): OidcIssuerConfig[] {
  return [{ issuer, kind: 'idp', clientId: 'hoopctl', groupsClaim: 'groups', cli: true, scopes: ['openid'], ...over }];
}

function token(
  claims: Record<string, unknown>,
  opts: { signWith?: CryptoKey; iatSec?: number; expSec?: number; aud?: string; iss?: string } = {},
): Promise<string> {
  const iat = opts.iatSec ?? NOW / 1000;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(opts.iss ?? issuer)
    .setAudience(opts.aud ?? 'hoopctl')
    .setSubject('u-123')
    .setIssuedAt(iat)
    .setExpirationTime(opts.expSec ?? iat + 300)
    .sign(opts.signWith ?? key);
}

const now = (): number => NOW;

test('maps email and groups; falls back to preferred_username and sub; honours a configured claim', async () => {
  const v = createIdTokenVerifier(cfg(), { now });
  assert.deepEqual(await v.verify(await token({ email: 'alice@example.com', email_verified: true, groups: ['dev', 'qa'] })), {
    user: 'alice@example.com',
    groups: ['dev', 'qa'],
    issuer,
    groupsClaim: { name: 'groups', present: true },
  });
  assert.equal((await v.verify(await token({ preferred_username: 'bob' }))).user, 'bob');
  assert.equal((await v.verify(await token({}))).user, 'u-123');
  assert.deepEqual((await v.verify(await token({ grp: 'ops' }))).groups, []);
  const custom = createIdTokenVerifier(cfg({ usernameClaim: 'preferred_username', groupsClaim: 'grp' }), { now });
  assert.deepEqual(await custom.verify(await token({ email: 'a@x', email_verified: true, preferred_username: 'dave', grp: 'ops' })), {
    user: 'dave',
    groups: ['ops'],
    issuer,
    groupsClaim: { name: 'grp', present: true },
  });
  assert.deepEqual(
    (await custom.verify(await token({ preferred_username: 'dave', groups: ['ops'] }))).groupsClaim,
    { name: 'grp', present: false },
    'another claim than the configured one does not count',
  );
  await assert.rejects(custom.verify(await token({ email: 'a@x', email_verified: true })), (e) => isHoopError(e, 'not_logged_in'));
});

test('expired → login_expired (with 30 s leeway); wrong audience, issuer or key → not_logged_in', async () => {
  const v = createIdTokenVerifier(cfg(), { now });
  const nowSec = NOW / 1000;
  assert.equal((await v.verify(await token({ email: 'a@x', email_verified: true }, { iatSec: nowSec - 400, expSec: nowSec - 10 }))).user, 'a@x');
  await assert.rejects(
    v.verify(await token({ email: 'a@x', email_verified: true }, { iatSec: nowSec - 400, expSec: nowSec - 60 })),
    (e: unknown) => isHoopError(e, 'login_expired') && e.hint === 'run hoopctl login',
  );
  await assert.rejects(v.verify(await token({ email: 'a@x', email_verified: true }, { aud: 'someone-else' })), (e) => isHoopError(e, 'not_logged_in'));
  await assert.rejects(v.verify(await token({ email: 'a@x', email_verified: true }, { iss: 'https://evil.example' })), (e) => isHoopError(e, 'not_logged_in'));
  await assert.rejects(v.verify(await token({ email: 'a@x', email_verified: true }, { signWith: otherKey })), (e) => isHoopError(e, 'not_logged_in'));
  await assert.rejects(v.verify('not-a-jwt'), (e) => isHoopError(e, 'not_logged_in'));
});

test('refuses system: users and groups from the IdP', async () => {
  const v = createIdTokenVerifier(cfg(), { now });
  await assert.rejects(v.verify(await token({ email: 'system:admin', email_verified: true })), (e) => isHoopError(e, 'denied'));
  await assert.rejects(v.verify(await token({ email: 'a@x', email_verified: true, groups: ['dev', 'System:Masters'] })), (e) => isHoopError(e, 'denied'));
  await assert.rejects(v.verify(await token({ email: 'a@x', email_verified: true, groups: [1, 2] })), (e) => isHoopError(e, 'not_logged_in'));
});

test('an email names a person only when verified, whether chosen by default or configured', async () => {
  const byDefault = createIdTokenVerifier(cfg(), { now });
  const configured = createIdTokenVerifier(cfg({ usernameClaim: 'email' }), { now });
  const cases: [string, Record<string, unknown>, string | RegExp][] = [
    ['verified', { email: 'alice@example.com', email_verified: true }, 'alice@example.com'],
    ['false', { email: 'alice@example.com', email_verified: false, preferred_username: 'alice' }, /email_verified: false/],
    ['absent', { email: 'alice@example.com' }, /has no email_verified claim/],
    ['a string is not true', { email: 'alice@example.com', email_verified: 'true' }, /email_verified: "true"/],
  ];
  for (const v of [byDefault, configured]) {
    for (const [name, claims, want] of cases) {
      if (typeof want === 'string') {
        assert.equal((await v.verify(await token(claims))).user, want, name);
        continue;
      }
      await assert.rejects(
        v.verify(await token(claims)),
        (e: unknown) => isHoopError(e, 'denied') && want.test(e.message) && /usernameClaim/.test(e.hint ?? ''),
        name,
      );
    }
  }
  // Another claim configured: email_verified does not matter.
  const byName = createIdTokenVerifier(cfg({ usernameClaim: 'preferred_username' }), { now });
  assert.equal((await byName.verify(await token({ email: 'x@example.com', email_verified: false, preferred_username: 'carol' }))).user, 'carol');
});

test("azp, when present, must be this gateway's client id", async () => {
  const v = createIdTokenVerifier(cfg(), { now });
  assert.equal((await v.verify(await token({ preferred_username: 'a', azp: 'hoopctl' }))).user, 'a');
  await assert.rejects(
    v.verify(await token({ preferred_username: 'a', azp: 'other-app' })),
    (e: unknown) => isHoopError(e, 'not_logged_in') && /issued to client "other-app" \(azp\), not to "hoopctl"/.test(e.message),
  );
});
