// Resistance to bypass: crafted requests through the real gateway (real sockets) to the Kubernetes
// API test server. Each row says what the gateway must answer and what the upstream may see: a
// refused request never reaches it, an allowed one reaches it byte for byte as sent (never cleaned).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { createHmac } from 'node:crypto';
import type { CreateSessionResponse, SessionClaims } from '../../src/api/wire.js';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { loadSigningKeys } from '../../src/gateway/signing-keys.js';
import { idTokenFor, openUpgrade, POLICY, send, startHarness, type Answer, type Harness } from './gateway-harness.js';

const policy = {
  roles: [
    ...POLICY.roles,
    // No watch: `watch=…` spellings and /watch/ paths must be read as watch, not list.
    { name: 'lister', rules: [{ verbs: ['get', 'list', 'delete'], apiGroups: [''], resources: ['configmaps'], namespaces: ['*'] }] },
  ],
  bindings: [...POLICY.bindings, { groups: ['ops'], connections: ['prod'], roles: ['lister'] }],
  guardrails: POLICY.guardrails,
};

let h: Harness;
let base: string;
let view: CreateSessionResponse; // alice on prod: get/list/watch configmaps, pods, namespaces
let lister: CreateSessionResponse; // bob on prod: get/list/delete configmaps, no watch, no deletecollection
let shell: CreateSessionResponse; // alice on echo: create/get pods and pods/exec

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

async function openSession(idToken: string, body: Record<string, unknown>): Promise<CreateSessionResponse> {
  const r = await send(base, 'POST', '/v1/sessions', { ...bearer(idToken), 'content-type': 'application/json' }, JSON.stringify(body));
  assert.equal(r.status, 201, r.body);
  return r.json as CreateSessionResponse;
}

before(async () => {
  h = await startHarness({ config: { policy } });
  base = h.gateway.url;
  view = await openSession(h.idTokens.alice, { connection: 'prod' });
  lister = await openSession(h.idTokens.bob, { connection: 'prod' });
  shell = await openSession(h.idTokens.alice, { connection: 'echo' });
});
after(async () => {
  await h?.close();
});

/** One crafted request: `expect` is the status, `upstream` the exact path the API server must see (null: nothing). */
interface Case {
  name: string;
  session?: () => CreateSessionResponse;
  method?: string;
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  expect: number;
  upstream: string | null;
  auditVerb?: string;
}

const cm = '/api/v1/namespaces/default/configmaps';
const secrets = '/api/v1/namespaces/default/secrets';
const pathCases: Case[] = [
  { name: '.. segment', path: `${cm}/../secrets`, expect: 400, upstream: null },
  { name: '.. then encoded slash', path: `${cm}/..%2Fsecrets`, expect: 400, upstream: null },
  { name: '. segment', path: `${cm}/./x`, expect: 400, upstream: null },
  { name: '// empty segment', path: '/api/v1//namespaces/default/secrets', expect: 400, upstream: null },
  { name: 'leading //', path: '//api/v1/namespaces/default/secrets', expect: 400, upstream: null },
  { name: '%2F encoded slash', path: '/api/v1/namespaces/default%2Fsecrets', expect: 400, upstream: null },
  { name: '%2f lower-case encoded slash', path: '/api/v1/namespaces/default%2fsecrets', expect: 400, upstream: null },
  { name: '%2e%2e', path: `${cm}/%2e%2e/secrets`, expect: 400, upstream: null },
  { name: '%2E%2E', path: `${cm}/%2E%2E/secrets`, expect: 400, upstream: null },
  { name: '.%2e mixed', path: `${cm}/.%2e/secrets`, expect: 400, upstream: null },
  { name: 'double-encoded %252e', path: `${cm}/%252e%252e/secrets`, expect: 400, upstream: null },
  { name: 'encoded backslash', path: `${cm}/..%5Csecrets`, expect: 400, upstream: null },
  { name: 'encoded NUL', path: `${secrets}%00`, expect: 400, upstream: null },
  // kube-apiserver trims one trailing "/" before classifying (fixture 100): so does the gateway, and the path goes up as sent.
  { name: 'trailing slash on a refused path', path: `${secrets}/`, expect: 403, upstream: null, auditVerb: 'list' },
  { name: 'trailing slash on a refused object', path: `${secrets}/db/`, expect: 403, upstream: null, auditVerb: 'get' },
  { name: 'trailing slash on an allowed path', path: `${cm}/`, expect: 200, upstream: `${cm}/`, auditVerb: 'list' },
  { name: 'trailing slash on discovery', path: '/api/v1/', expect: 200, upstream: '/api/v1/' },
  { name: 'two trailing slashes', path: `${cm}//`, expect: 400, upstream: null },
  { name: 'trailing encoded slash', path: `${cm}%2F`, expect: 400, upstream: null },
  { name: 'semicolon in the query', path: `${cm}?watch=false;watch=true`, expect: 400, upstream: null },
  { name: 'encoded letter decodes to the canonical resource', path: '/api/v1/namespaces/default/%73ecrets', expect: 403, upstream: null, auditVerb: 'list' },
  { name: 'mixed-case resource is another resource', path: '/api/v1/namespaces/default/Secrets', expect: 403, upstream: null },
  { name: 'mixed-case prefix is a non-resource URL', path: '/API/v1/namespaces/default/configmaps', expect: 403, upstream: null },
  { name: 'mixed-case version', path: '/api/V1/namespaces/default/secrets', expect: 403, upstream: null },
  { name: 'path parameter', path: `${secrets};x=y`, expect: 403, upstream: null },
  { name: 'canonical allowed path reaches upstream as sent', path: cm, expect: 200, upstream: cm, auditVerb: 'list' },
  {
    name: 'percent-encoded allowed path reaches upstream unchanged',
    path: '/api/v1/namespaces/default/%63onfigmaps',
    expect: 200,
    upstream: '/api/v1/namespaces/default/%63onfigmaps',
    auditVerb: 'list',
  },
];

const watchCases: Case[] = [
  { name: 'watch=true', session: () => lister, path: `${cm}?watch=true`, expect: 403, upstream: null, auditVerb: 'watch' },
  { name: 'watch=1', session: () => lister, path: `${cm}?watch=1`, expect: 403, upstream: null, auditVerb: 'watch' },
  { name: 'watch=TRUE', session: () => lister, path: `${cm}?watch=TRUE`, expect: 403, upstream: null, auditVerb: 'watch' },
  {
    name: 'watch=True (python3-kubernetes)',
    session: () => lister,
    path: `${cm}?resourceVersion=1&timeoutSeconds=5&watch=True`,
    expect: 403,
    upstream: null,
    auditVerb: 'watch',
  },
  { name: 'watch=True after a trailing slash', session: () => lister, path: `${cm}/?watch=True`, expect: 403, upstream: null, auditVerb: 'watch' },
  { name: 'watch= (empty is true)', session: () => lister, path: `${cm}?watch=`, expect: 403, upstream: null, auditVerb: 'watch' },
  { name: 'watch (no value)', session: () => lister, path: `${cm}?watch`, expect: 403, upstream: null, auditVerb: 'watch' },
  { name: 'encoded key wat%63h=1', session: () => lister, path: `${cm}?wat%63h=1`, expect: 403, upstream: null, auditVerb: 'watch' },
  { name: 'first value wins: watch=1&watch=false', session: () => lister, path: `${cm}?watch=1&watch=false`, expect: 403, upstream: null, auditVerb: 'watch' },
  { name: 'legacy /watch/ path', session: () => lister, path: '/api/v1/watch/namespaces/default/configmaps', expect: 403, upstream: null, auditVerb: 'watch' },
  { name: 'legacy cluster-wide /watch/ path', session: () => lister, path: '/api/v1/watch/configmaps', expect: 403, upstream: null, auditVerb: 'watch' },
  { name: 'watch=false is a list', session: () => lister, path: `${cm}?watch=false`, expect: 200, upstream: `${cm}?watch=false`, auditVerb: 'list' },
  { name: 'watch=0 is a list', session: () => lister, path: `${cm}?watch=0`, expect: 200, upstream: `${cm}?watch=0`, auditVerb: 'list' },
  { name: 'a watch the role allows', path: `${cm}?watch=1&timeoutSeconds=1`, expect: 200, upstream: `${cm}?watch=1&timeoutSeconds=1`, auditVerb: 'watch' },
  {
    name: 'dryRun create is still a create',
    path: `${cm}?dryRun=All`,
    method: 'POST',
    body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}',
    expect: 403,
    upstream: null,
    auditVerb: 'create',
  },
  { name: 'dryRun delete is still a delete', path: `${cm}/x?dryRun=All`, method: 'DELETE', expect: 403, upstream: null, auditVerb: 'delete' },
  {
    name: 'DELETE on a collection is deletecollection',
    session: () => lister,
    path: cm,
    method: 'DELETE',
    expect: 403,
    upstream: null,
    auditVerb: 'deletecollection',
  },
  {
    name: 'deletecollection with a name selector',
    session: () => lister,
    path: `${cm}?fieldSelector=metadata.name%3Dx`,
    method: 'DELETE',
    expect: 403,
    upstream: null,
    auditVerb: 'deletecollection',
  },
  {
    name: 'DELETE of one object',
    session: () => lister,
    path: `${cm}/not-there`,
    method: 'DELETE',
    expect: 404,
    upstream: `${cm}/not-there`,
    auditVerb: 'delete',
  },
  { name: 'unknown method on a resource path', path: cm, method: 'PROPFIND', expect: 400, upstream: null },
];

const subresourceCases: Case[] = [];
for (const sub of ['exec', 'attach', 'portforward', 'proxy', 'ephemeralcontainers', 'log', 'status', 'eviction', 'binding']) {
  for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']) {
    subresourceCases.push({ name: `${method} pods/${sub}`, method, path: `/api/v1/namespaces/default/pods/web/${sub}`, expect: 403, upstream: null });
  }
}
subresourceCases.push(
  { name: 'pod proxy with a sub-path', path: '/api/v1/namespaces/default/pods/web/proxy/metrics', expect: 403, upstream: null },
  { name: 'service proxy', path: '/api/v1/namespaces/default/services/web/proxy/', expect: 403, upstream: null },
  { name: 'node proxy', path: '/api/v1/nodes/node-1/proxy/configz', expect: 403, upstream: null },
  {
    name: 'pods itself is allowed',
    path: '/api/v1/namespaces/default/pods/web',
    expect: 404,
    upstream: '/api/v1/namespaces/default/pods/web',
    auditVerb: 'get',
  },
);

async function run(c: Case): Promise<Answer> {
  const s = (c.session ?? (() => view))();
  const before = h.kube.requests.length;
  // A request the gateway misreads (say a watch taken for a list) may stream forever upstream: fail, do not hang.
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([
    send(base, c.method ?? 'GET', `/k8s/prod${c.path}`, { ...bearer(s.token), ...c.headers }, c.body),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${c.name}: no answer within 5 s`)), 5000);
    }),
  ]).finally(() => clearTimeout(timer));
  const seen = h.kube.requests.slice(before).map((q) => q.url);
  assert.equal(r.status, c.expect, `${c.name}: ${r.body}`);
  if (r.status >= 400 && c.method !== 'HEAD') assert.equal(r.json?.kind, 'Status', `${c.name}: a Status body`);
  assert.deepEqual(seen, c.upstream === null ? [] : [c.upstream], `${c.name}: what upstream saw`);
  return r;
}

async function auditOf(s: CreateSessionResponse, auditID: string): Promise<AuditEvent | undefined> {
  const items = (await send(base, 'GET', `/v1/audit?session=${s.sessionId}`, bearer(h.idTokens.root))).json.items as AuditEvent[];
  // The gateway chooses its own Audit-ID; the client's is kept as an annotation.
  return items.find((e) => e.stage === 'ResponseComplete' && e.annotations?.['audit.hoopctl.dev/client-audit-id'] === auditID);
}

for (const [group, cases] of [
  ['paths', pathCases],
  ['verbs: watch, dryRun, deletecollection', watchCases],
  ['subresources via every method', subresourceCases],
] as const) {
  describe(`bypass: ${group}`, () => {
    test(`${cases.length} crafted requests`, async () => {
      for (const c of cases) {
        const auditID = `bypass-${group.length}-${cases.indexOf(c)}`;
        await run({ ...c, headers: { ...c.headers, 'audit-id': auditID } });
        if (c.auditVerb !== undefined) assert.equal((await auditOf((c.session ?? (() => view))(), auditID))?.verb, c.auditVerb, `${c.name}: audited verb`);
      }
    });
  });
}

describe('bypass: identity headers from the client', () => {
  test('Impersonate-* in any case, X-Remote-*, and a bearer in Sec-WebSocket-Protocol never reach upstream', async () => {
    const before = h.kube.requests.length;
    const r = await send(base, 'GET', `/k8s/prod${cm}`, {
      ...bearer(view.token),
      'IMPERSONATE-USER': 'admin',
      'impersonate-group': ['system:masters', 'dev'],
      'Impersonate-Uid': '0',
      'Impersonate-Extra-Scopes': 'all',
      'iMpErSoNaTe-ExTrA-reason': 'x',
      'X-Remote-User': 'root',
      'x-remote-group': 'system:masters',
      'X-Remote-Extra-Foo': 'bar',
      'Sec-WebSocket-Protocol': 'base64url.bearer.authorization.k8s.io.c2VjcmV0',
    });
    assert.equal(r.status, 200, r.body);
    const seen = h.kube.requests.slice(before);
    assert.equal(seen.length, 1);
    const names = seen[0]!.rawHeaders.map(([k, v]) => [k.toLowerCase(), v] as const);
    assert.deepEqual(
      names.filter(([k]) => k.startsWith('impersonate-')),
      [
        ['impersonate-user', 'oidc:alice@example.com'],
        ['impersonate-group', 'oidc:dev'],
      ],
    );
    assert.deepEqual(
      names.filter(([k]) => k.startsWith('x-remote-')),
      [],
    );
    assert.ok(!names.some(([, v]) => v.includes('base64url.bearer')), 'no smuggled bearer upstream');
    assert.deepEqual(
      names.filter(([k]) => k === 'authorization'),
      [['authorization', `Bearer ${h.kube.token}`]],
    );
  });

  test('WebSocket exec via GET is decided as create pods/exec; smuggled identity never reaches the kubelet side', async () => {
    const refused = await openUpgrade(base, '/k8s/prod/api/v1/namespaces/default/pods/web/exec?command=sh', { ...bearer(view.token), upgrade: 'websocket' });
    assert.equal(refused.kind, 'refused');
    if (refused.kind === 'refused') assert.match(refused.answer.json.message, /cannot create resource "pods\/exec"/);
    const before = h.echo.upgrades.length;
    const up = await openUpgrade(base, '/k8s/echo/api/v1/namespaces/default/pods/web/exec?command=sh', {
      ...bearer(shell.token),
      upgrade: 'websocket',
      'Impersonate-User': 'admin',
      'IMPERSONATE-GROUP': 'system:masters',
      'x-remote-user': 'root',
      'sec-websocket-protocol': 'base64url.bearer.authorization.k8s.io.c2VjcmV0, v5.channel.k8s.io',
    });
    assert.equal(up.kind, 'upgraded');
    if (up.kind === 'upgraded') up.socket.destroy();
    const seen = h.echo.upgrades.slice(before);
    assert.equal(seen.length, 1);
    assert.deepEqual(
      [seen[0]!['impersonate-user'], seen[0]!['impersonate-group'], seen[0]!['x-remote-user'], seen[0]!['sec-websocket-protocol']],
      ['oidc:alice@example.com', 'oidc:dev', undefined, 'v5.channel.k8s.io'],
    );
  });

  test('a session token only in Sec-WebSocket-Protocol is not a credential', async () => {
    const smuggled = `base64url.bearer.authorization.k8s.io.${Buffer.from(shell.token).toString('base64url')}`;
    const up = await openUpgrade(base, '/k8s/echo/api/v1/namespaces/default/pods/web/exec?command=sh', {
      upgrade: 'websocket',
      'sec-websocket-protocol': `${smuggled}, v5.channel.k8s.io`,
    });
    assert.equal(up.kind, 'refused');
    if (up.kind === 'refused') assert.equal(up.answer.status, 401);
  });
});

describe('bypass: connections and credentials', () => {
  const forge = async (claims: Partial<SessionClaims>, base0: CreateSessionResponse = view): Promise<string> => {
    const keys = await loadSigningKeys(h.store, { now: Date.now, maxTokenLifetimeSeconds: 3600, reloadIntervalMs: 0 });
    const payload = JSON.parse(Buffer.from(base0.token.split('.')[1]!, 'base64url').toString('utf8')) as SessionClaims;
    return new SignJWT({ ...payload, ...claims }).setProtectedHeader({ alg: 'ES256', kid: keys.current.kid, typ: 'JWT' }).sign(keys.current.privateKey);
  };
  const refusedAt = async (path: string, token: string, status = 401): Promise<Answer> => {
    const before = h.kube.requests.length + h.echo.upgrades.length;
    const r = await send(base, 'GET', path, bearer(token));
    assert.equal(r.status, status, `${path}: ${r.body}`);
    assert.equal(r.json.kind, 'Status');
    assert.equal(h.kube.requests.length + h.echo.upgrades.length, before, `${path}: nothing reached upstream`);
    return r;
  };

  test('requests naming another connection, and a credential for A used on B', async () => {
    await refusedAt('/k8s/echo/api/v1/namespaces', view.token);
    await refusedAt('/k8s/PROD/api/v1/namespaces', view.token);
    await refusedAt('/k8s/prod%2F..%2Fecho/api/v1/namespaces', view.token);
    await refusedAt('/k8s/nope/api/v1/namespaces', view.token);
    await refusedAt('/k8s/prod/api/v1/namespaces', shell.token);
    await refusedAt('/k8s/prod/../echo/api/v1/namespaces', view.token, 400);
    const slashes = await send(base, 'GET', '/k8s//prod/api/v1/namespaces', bearer(view.token));
    assert.equal(slashes.status, 404);
  });

  test('expired, revoked, tampered, unsigned, wrongly signed and foreign credentials are refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    await refusedAt('/k8s/prod/api/v1/namespaces', await forge({ iat: now - 120, exp: now - 60 }));
    const [header, payload, signature] = view.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as SessionClaims;
    for (const change of [{ sub: 'root@example.com' }, { groups: ['platform-admins'] }, { conn: 'echo' }, { role: 'edit' }, { exp: claims.exp + 3600 }]) {
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, ...change })).toString('base64url')}.${signature}`;
      await refusedAt(change.conn === 'echo' ? '/k8s/echo/api/v1/namespaces' : '/k8s/prod/api/v1/namespaces', tampered);
    }
    const kid = decodeProtectedHeader(view.token).kid;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid })).toString('base64url')}.${payload}.`;
    await refusedAt('/k8s/prod/api/v1/namespaces', none);
    // alg confusion: HS256 keyed with the public JWK the gateway publishes.
    const jwks = (await send(base, 'GET', '/.well-known/jwks.json')).json;
    const hsHead = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid })).toString('base64url');
    const hsSig = createHmac('sha256', JSON.stringify(jwks.keys[0])).update(`${hsHead}.${payload}`).digest('base64url');
    await refusedAt('/k8s/prod/api/v1/namespaces', `${hsHead}.${payload}.${hsSig}`);
    const other = await generateKeyPair('ES256');
    await refusedAt(
      '/k8s/prod/api/v1/namespaces',
      await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', ...(kid === undefined ? {} : { kid }) }).sign(other.privateKey),
    );
    // Signed by the gateway's own key, yet not a live session of that person.
    await refusedAt('/k8s/prod/api/v1/namespaces', await forge({ sid: '00000000-0000-4000-8000-000000000000' }));
    await refusedAt('/k8s/prod/api/v1/namespaces', await forge({ sub: 'bob@example.com' }));
    await refusedAt('/k8s/prod/api/v1/namespaces', await forge({ aud: 'kubernetes' } as Partial<SessionClaims>));
    await refusedAt('/k8s/prod/api/v1/namespaces', h.idTokens.alice);
    const revoked = await openSession(h.idTokens.alice, { connection: 'prod' });
    assert.equal((await send(base, 'GET', '/k8s/prod/api/v1/namespaces', bearer(revoked.token))).status, 200);
    assert.equal((await send(base, 'DELETE', `/v1/sessions/${revoked.sessionId}`, bearer(h.idTokens.alice))).status, 204);
    const r = await refusedAt('/k8s/prod/api/v1/namespaces', revoked.token);
    assert.match(r.json.message, /has ended/);
  });

  test('an IdP token whose groups claim includes system:masters gets nothing', async () => {
    const mallory = await idTokenFor(h.idp, 'mallory');
    const s = await send(base, 'POST', '/v1/sessions', { ...bearer(mallory), 'content-type': 'application/json' }, JSON.stringify({ connection: 'prod' }));
    assert.equal(s.status, 403);
    assert.match(s.json.message, /system:masters/);
    assert.equal((await send(base, 'GET', '/v1/connections', bearer(mallory))).status, 403);
    await refusedAt('/k8s/prod/api/v1/namespaces', mallory);
  });
});
