// The console's sign-in edges over real sockets (in-process gateway, embedded IdP): redirects to the IdP
// with PKCE, cookie flags, refusals of callbacks that were not started here, and no open redirect.
// The whole sign-in through the IdP's pages runs in a real browser in test/e2e/web-console.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startHarness, send, type Harness } from './gateway-harness.js';
import { safeNext } from '../../src/gateway/ui/console-auth.js';

let h: Harness;
before(async () => {
  h = await startHarness({ config: { console: { clientId: 'hoopctl-console' } } });
});
after(async () => {
  await h?.close();
});

test('a console page without a sign-in redirects to /ui/login, keeping where it was going; headers forbid inline code and framing', async () => {
  const r = await send(h.gateway.url, 'GET', '/ui/requests/0123456789ab?x=1');
  assert.equal(r.status, 303);
  assert.equal(r.headers.location, '/ui/login?next=%2Fui%2Frequests%2F0123456789ab%3Fx%3D1');
  assert.match(String(r.headers['content-security-policy']), /^default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';/);
  assert.equal(r.headers['x-frame-options'], 'DENY');
  assert.equal(r.headers['cache-control'], 'no-store');
});

test('/ui/login sends the browser to the IdP with PKCE (S256), state and nonce; the cookie holds only a sealed value', async () => {
  const r = await send(h.gateway.url, 'GET', '/ui/login?next=%2Fui%2Fsessions');
  assert.equal(r.status, 303);
  const to = new URL(String(r.headers.location));
  assert.equal(to.origin, h.idp.issuer);
  const p = to.searchParams;
  assert.deepEqual(
    [p.get('client_id'), p.get('response_type'), p.get('code_challenge_method'), p.get('redirect_uri')],
    ['hoopctl-console', 'code', 'S256', `${h.gateway.url}/ui/auth/callback`],
  );
  assert.match(p.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.ok((p.get('state') ?? '').length >= 32 && (p.get('nonce') ?? '').length >= 32);
  const cookie = String(r.headers['set-cookie']);
  assert.match(cookie, /^hoopctl-console-login=[A-Za-z0-9_-]{100,}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/);
  // The IdP's own authorization page answers (the client and its loopback redirect URI are registered).
  const idp = await fetch(to, { redirect: 'manual' });
  assert.equal(idp.status, 303, await idp.text());
  assert.match(idp.headers.get('location') ?? '', /\/interaction\//);
});

test('a callback the browser did not start here, or with another state, signs no one in', async () => {
  const none = await send(h.gateway.url, 'GET', '/ui/auth/callback?code=abc&state=def');
  assert.equal(none.status, 401);
  assert.equal(none.headers['set-cookie'], undefined);
  assert.match(none.body, /expired or was started in another browser/);
  const start = await send(h.gateway.url, 'GET', '/ui/login');
  const cookie = String(start.headers['set-cookie']).split(';')[0]!;
  const wrong = await send(h.gateway.url, 'GET', '/ui/auth/callback?code=abc&state=not-the-state', { cookie });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers['set-cookie'], undefined);
  // The right state with a made-up code: the IdP refuses the code, and the gateway wrote nothing for it.
  const usedRows = (): number => {
    const db = new Database(join(h.dir, 'state', 'gw.db'), { readonly: true });
    try {
      return (db.prepare("SELECT count(*) AS n FROM gateway_settings WHERE name LIKE 'console-login-used:%'").get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  const rowsBefore = usedRows();
  const made = await send(h.gateway.url, 'GET', `/ui/auth/callback?code=abc&state=${new URL(String(start.headers.location)).searchParams.get('state')}`, {
    cookie,
  });
  assert.equal(made.status, 401);
  assert.equal(made.headers['set-cookie'], undefined);
  assert.match(made.body, /sign-in at .* failed/);
  assert.equal(usedRows(), rowsBefore, 'a callback with a made-up code adds no settings row');
});

test('forms need a sign-in; a made-up cookie is no sign-in', async () => {
  const r = await send(
    h.gateway.url,
    'POST',
    '/ui/sessions/x/revoke',
    { 'content-type': 'application/x-www-form-urlencoded', cookie: 'hoopctl-console=made-up' },
    'csrf=x',
  );
  assert.equal(r.status, 401);
  const page = await send(h.gateway.url, 'GET', '/ui/audit', { cookie: 'hoopctl-console=made-up' });
  assert.equal(page.status, 303);
});

test('assets: the player ships from node_modules; unknown names are 404', async () => {
  const js = await send(h.gateway.url, 'GET', '/ui/assets/asciinema-player.min.js');
  assert.equal(js.status, 200);
  assert.match(String(js.headers['content-type']), /javascript/);
  assert.ok(js.body.length > 100_000);
  assert.equal((await send(h.gateway.url, 'GET', '/ui/assets/..%2Fpackage.json')).status, 404);
});

test('after sign-in only console paths are returned to (no open redirect)', () => {
  for (const bad of ['//evil.example/ui', 'https://evil.example/ui/', '/uix', '/ui\\evil', null, '/v1/sessions'])
    assert.equal(safeNext(bad), '/ui/requests', String(bad));
  for (const good of ['/ui', '/ui/sessions?state=all', '/ui/requests/0123456789ab']) assert.equal(safeNext(good), good);
});
