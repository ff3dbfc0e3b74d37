// The web console behind a load balancer without sticky routing: two gateway replicas on one PostgreSQL.
// A sign-in started on replica A finishes on replica B, the cookie it sets is honoured by A, a login
// cookie works once across both, and a sign-out on B ends the sign-in on A. The IdP's pages are driven
// with plain HTTP (the real browser run is test/e2e/web-console.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningGateway } from '../../src/gateway/create-gateway.js';
import { CONSOLE_COOKIE_KEY_SETTING } from '../../src/gateway/ui/console-auth.js';
import type { Store } from '../../src/store/store.js';
import { postgresSkip } from '../support/postgres-test-db.js';
import { send, USERS } from './gateway-harness.js';
import { startPostgresReplicas, type PostgresReplicas } from './postgres-replicas.js';

const skip = postgresSkip();
// The load balancer's address, the same for every replica; never listened on: the test carries the IdP's
// redirect to whichever replica it wants, as a load balancer would.
const REDIRECT_URI = 'http://127.0.0.1:9/ui/auth/callback';

/** Cookies of one browser, by name (the test talks to few enough origins that names do not collide). */
class Jar {
  readonly cookies = new Map<string, string>();
  take(setCookie: string[] | string | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Follows the IdP's redirects and pages (login, consent) until it redirects to REDIRECT_URI; returns that URL. */
async function throughIdp(start: string, jar: Jar, user: { username: string; password: string }): Promise<URL> {
  let url = new URL(start);
  let form: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const r = await send(
      url.origin,
      form === undefined ? 'GET' : 'POST',
      url.pathname + url.search,
      { cookie: jar.header(), ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
      form?.toString(),
    );
    jar.take(r.headers['set-cookie']);
    form = undefined;
    const location = r.headers.location;
    if (location !== undefined) {
      const next = new URL(location, url);
      if (next.href.startsWith(REDIRECT_URI)) return next;
      url = next;
      continue;
    }
    assert.equal(r.status, 200, r.body);
    const action = /<form[^>]*\saction="([^"]*)"/.exec(r.body)?.[1];
    const xsrf = /name="xsrf" value="([^"]*)"/.exec(r.body)?.[1];
    assert.ok(action !== undefined && xsrf !== undefined, `an IdP page with a form: ${r.body.slice(0, 300)}`);
    const page = /data-hoop-page="([^"]+)"/.exec(r.body)?.[1];
    form = new URLSearchParams(page === 'login' ? { xsrf, username: user.username, password: user.password } : { xsrf, confirm: 'yes' });
    url = new URL(action.replace(/&amp;/g, '&'), url);
  }
  throw new Error('the IdP never redirected back to the console');
}

describe('web console across two replicas on PostgreSQL', { skip }, () => {
  let replicas: PostgresReplicas;
  let stores: Store[];
  let gateways: RunningGateway[];

  before(async () => {
    replicas = await startPostgresReplicas({ count: 2, extra: () => ({ console: { clientId: 'hoopctl-console', redirectUri: REDIRECT_URI } }) });
    ({ stores, gateways } = replicas);
  });

  after(async () => {
    await replicas?.close();
  });

  test('a sign-in started on A finishes on B, works on both, and its login cookie works once', async () => {
    const [a, b] = gateways as [RunningGateway, RunningGateway];
    const jar = new Jar();
    const start = await send(a.url, 'GET', '/ui/login?next=%2Fui%2Fsessions');
    assert.equal(start.status, 303);
    jar.take(start.headers['set-cookie']);
    const loginCookie = jar.header();
    const callback = await throughIdp(String(start.headers.location), jar, USERS[1]!);
    const done = await send(b.url, 'GET', callback.pathname + callback.search, { cookie: jar.header() });
    assert.equal(done.status, 303, done.body);
    assert.equal(done.headers.location, '/ui/sessions');
    jar.take(done.headers['set-cookie']);
    const session = jar.cookies.get('hoopctl-console');
    assert.ok(session !== undefined && session.length > 43, 'a sealed session cookie');
    assert.ok(!session.includes('bob'), 'the cookie does not show who signed in');
    for (const g of [a, b]) {
      const page = await send(g.url, 'GET', '/ui/sessions', { cookie: `hoopctl-console=${session}` });
      assert.equal(page.status, 200, page.body);
      assert.match(page.body, /bob@example\.com/);
    }
    // The same login cookie and code again, at the other replica: refused (the IdP's code is one use).
    const again = await send(a.url, 'GET', callback.pathname + callback.search, { cookie: loginCookie });
    assert.equal(again.status, 401);
    // The same login cookie with a fresh code the IdP does accept: refused by the gateway's one-use claim, on any replica.
    const fresh = await throughIdp(String(start.headers.location), jar, USERS[1]!);
    assert.notEqual(fresh.searchParams.get('code'), callback.searchParams.get('code'));
    const replay = await send(a.url, 'GET', fresh.pathname + fresh.search, { cookie: loginCookie });
    assert.equal(replay.status, 401);
    assert.match(replay.body, /expired or was started in another browser/);
    // Both replicas use the one key in the store.
    assert.ok((await stores[0]!.readSetting(CONSOLE_COOKIE_KEY_SETTING))?.length === 43);
  });

  test('a tampered or foreign cookie is no sign-in; a sign-out on B ends the sign-in on A', async () => {
    const [a, b] = gateways as [RunningGateway, RunningGateway];
    const jar = new Jar();
    const start = await send(b.url, 'GET', '/ui/login');
    jar.take(start.headers['set-cookie']);
    const callback = await throughIdp(String(start.headers.location), jar, USERS[1]!);
    const done = await send(a.url, 'GET', callback.pathname + callback.search, { cookie: jar.header() });
    jar.take(done.headers['set-cookie']);
    const session = jar.cookies.get('hoopctl-console')!;
    const flipped = session.slice(0, 20) + (session[20] === 'A' ? 'B' : 'A') + session.slice(21);
    assert.equal((await send(a.url, 'GET', '/ui/sessions', { cookie: `hoopctl-console=${flipped}` })).status, 303);
    // The login cookie sealed under another name is not a session cookie.
    assert.equal(
      (await send(a.url, 'GET', '/ui/sessions', { cookie: `hoopctl-console=${/hoopctl-console-login=([^;]+)/.exec(String(start.headers['set-cookie']))![1]}` }))
        .status,
      303,
    );

    const page = await send(a.url, 'GET', '/ui/sessions', { cookie: `hoopctl-console=${session}` });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
    assert.ok(csrf !== undefined, 'the page carries the form token');
    const out = await send(
      b.url,
      'POST',
      '/ui/logout',
      { cookie: `hoopctl-console=${session}`, 'content-type': 'application/x-www-form-urlencoded' },
      `csrf=${encodeURIComponent(csrf)}`,
    );
    assert.equal(out.status, 303, out.body);
    assert.match(String(out.headers['set-cookie']), /hoopctl-console=; .*Max-Age=0/);
    for (const g of [a, b]) {
      const r = await send(g.url, 'GET', '/ui/sessions', { cookie: `hoopctl-console=${session}` });
      assert.equal(r.status, 303, 'the old cookie, replayed, is no sign-in on either replica');
      assert.match(String(r.headers.location), /^\/ui\/login/);
    }
  });
});
