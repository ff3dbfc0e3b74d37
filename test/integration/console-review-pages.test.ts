// What the console shows of recorded secrets and reviewed bodies, over real sockets (in-process gateway, embedded IdP,
// sign-in through the IdP's own pages with plain HTTP): an exec's command line is masked on the replay and session
// pages and in the cast they serve; each single-command review's page shows its own masked body.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CreateSessionResponse } from '../../src/api/wire.js';
import { openUpgrade, POLICY, send, startHarness, USERS, type Answer, type Harness } from './gateway-harness.js';
import { waitUntil } from '../support/wait-until.js';

const policy = {
  roles: [...POLICY.roles, { name: 'cm-admin', rules: [{ verbs: ['get', 'list', 'create'], apiGroups: [''], resources: ['configmaps'], namespaces: ['*'] }] }],
  bindings: [...POLICY.bindings, { groups: ['dev'], connections: ['prod'], roles: ['cm-admin'] }],
  guardrails: [
    ...POLICY.guardrails,
    {
      name: 'configmap-changes-reviewed',
      connections: ['prod'],
      match: { verbs: ['create'], resources: ['configmaps'] },
      effect: 'approval',
      approvers: ['sre'],
    },
  ],
};

let h: Harness;
let cookie: string;
before(async () => {
  h = await startHarness({ config: { policy, console: { clientId: 'hoopctl-console' } } });
  cookie = await signIn('root');
});
after(async () => {
  await h?.close();
});

/** Signs `username` in through /ui/login and the IdP's login and consent pages; returns the console cookie. */
async function signIn(username: string): Promise<string> {
  const user = USERS.find((u) => u.username === username)!;
  const jar = new Map<string, string>();
  const take = (set: string[] | string | undefined): void => {
    for (const line of [set ?? []].flat()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (/max-age=0/i.test(line)) jar.delete(pair.slice(0, eq));
      else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  };
  const header = (): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const start = await send(h.gateway.url, 'GET', '/ui/login');
  take(start.headers['set-cookie']);
  let url = new URL(String(start.headers.location));
  let form: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    const r: Answer = await send(
      url.origin,
      form === undefined ? 'GET' : 'POST',
      url.pathname + url.search,
      { cookie: header(), ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }) },
      form?.toString(),
    );
    take(r.headers['set-cookie']);
    form = undefined;
    if (r.headers.location !== undefined) {
      url = new URL(r.headers.location, url);
      if (url.pathname === '/ui/auth/callback') {
        const done = await send(h.gateway.url, 'GET', url.pathname + url.search, { cookie: header() });
        assert.equal(done.status, 303, done.body);
        take(done.headers['set-cookie']);
        return `hoopctl-console=${jar.get('hoopctl-console')!}`;
      }
      continue;
    }
    assert.equal(r.status, 200, r.body);
    const action = /<form[^>]*\saction="([^"]*)"/.exec(r.body)?.[1];
    const xsrf = /name="xsrf" value="([^"]*)"/.exec(r.body)?.[1];
    assert.ok(action !== undefined && xsrf !== undefined, `an IdP page with a form: ${r.body.slice(0, 300)}`);
    const page = /data-hoop-page="([^"]+)"/.exec(r.body)?.[1];
    form = new URLSearchParams(page === 'login' ? { xsrf, username, password: user.password } : { xsrf, confirm: 'yes' });
    url = new URL(action.replace(/&amp;/g, '&'), url);
  }
  throw new Error('the IdP never redirected back to the console');
}

async function session(connection: string): Promise<CreateSessionResponse> {
  const r = await send(
    h.gateway.url,
    'POST',
    '/v1/sessions',
    { authorization: `Bearer ${h.idTokens.alice}`, 'content-type': 'application/json' },
    JSON.stringify({ connection }),
  );
  assert.equal(r.status, 201, r.body);
  return r.json as CreateSessionResponse;
}

const page = async (path: string): Promise<string> => {
  const r = await send(h.gateway.url, 'GET', path, { cookie });
  assert.equal(r.status, 200, `${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return r.body;
};

test('an exec command line with secrets: the replay page, its cast and the session page show it masked', async () => {
  const s = await session('echo');
  const password = 'hunter2-' + 'console';
  const token = 'ghp_' + 'C0n5o1e2R3e4p5l6a7y8T9o0k1e2n3S4e5n6';
  const argv = ['printf', `password=${password}`, `TOKEN=${token}`];
  const path = `/k8s/echo/api/v1/namespaces/default/pods/web/exec?${argv.map((a) => `command=${encodeURIComponent(a)}`).join('&')}&stdout=true`;
  const up = await openUpgrade(h.gateway.url, path, {
    authorization: `Bearer ${s.token}`,
    upgrade: 'websocket',
    'sec-websocket-protocol': 'v5.channel.k8s.io',
  });
  assert.equal(up.kind, 'upgraded');
  if (up.kind === 'upgraded') up.socket.destroy();
  await waitUntil('the recording is stored', async () => (await h.store.listRecordings(s.sessionId)).length === 1);
  const [rec] = await h.store.listRecordings(s.sessionId);
  assert.deepEqual(rec!.command, ['printf', 'password=**hoopctl-masked**', 'TOKEN=**hoopctl-masked**']);
  const replay = await page(`/ui/recordings/${rec!.id}`);
  assert.match(replay, /kubectl exec web -n default -- printf &#39;password=\*\*hoopctl-masked\*\*&#39; &#39;TOKEN=\*\*hoopctl-masked\*\*&#39;/);
  const cast = await page(`/ui/recordings/${rec!.id}/cast`);
  const sessionPage = await page(`/ui/sessions/${s.sessionId}`);
  for (const [where, text] of [
    ['replay page', replay],
    ['cast', cast],
    ['session page', sessionPage],
  ]) {
    for (const secret of [password, token]) assert.ok(!text!.includes(secret), `the ${where} keeps ${secret.slice(0, 6)}… in clear`);
  }
});

test('two held reviews of one URI with different bodies: each request page shows its own body, masked', async () => {
  const s = await session('prod');
  const password = 'Sentinel-' + 'console-pw-77';
  const ids: string[] = [];
  for (const data of [{ greeting: 'hello (typo fix)' }, { greeting: 'MALICIOUS-CHANGE', 'db-password': password }]) {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data };
    const r = await send(
      h.gateway.url,
      'POST',
      '/k8s/prod/api/v1/namespaces/default/configmaps',
      { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' },
      JSON.stringify(body),
    );
    assert.equal(r.status, 403, r.body);
    ids.push(/review ([0-9a-f]{12}) waits/.exec(r.json.message)![1]!);
  }
  const bodyOf = (html: string): string => /<pre class="body">([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? '(no body shown)';
  const first = bodyOf(await page(`/ui/requests/${ids[0]!}`));
  const second = bodyOf(await page(`/ui/requests/${ids[1]!}`));
  assert.match(first, /hello \(typo fix\)/);
  assert.doesNotMatch(first, /MALICIOUS/);
  assert.match(second, /MALICIOUS-CHANGE/, 'the second review shows its own body');
  assert.match(second, /&#34;db-password&#34;: &#34;\*\*hoopctl-masked/);
  assert.ok(!second.includes(password), 'the masked value stays masked on the page');
});
