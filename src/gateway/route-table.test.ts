import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRouteTable, type Route } from './route-table.js';
import { GATEWAY_ROUTES } from './v1-routes.js';

// The gateway's endpoints as DESIGN.md and src/api/wire.ts document them: the table must hold exactly these.
const DOCUMENTED = [
  'GET /healthz',
  'GET /readyz',
  'GET /.well-known/jwks.json',
  'GET /v1/config',
  'GET /v1/connections',
  'GET /v1/whoami',
  'POST /v1/sessions',
  'GET /v1/sessions',
  'DELETE /v1/sessions/:id',
  'GET /v1/sessions/:id/recordings',
  'GET /v1/recordings/:id',
  'POST /v1/token',
  'GET /v1/audit',
  'GET /v1/audit/verify',
  'GET /v1/requests',
  'GET /v1/requests/:id',
  'DELETE /v1/requests/:id',
  'POST /v1/requests/:id/approve',
  'POST /v1/requests/:id/deny',
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'];
const table = createRouteTable(GATEWAY_ROUTES);
const sample = (path: string): string => path.replace(/:[a-z]+/g, '0123456789ab');

test('the table holds exactly the documented endpoints', () => {
  assert.deepEqual(GATEWAY_ROUTES.map((r) => `${r.method} ${r.path}`).sort(), [...DOCUMENTED].sort());
});

for (const route of GATEWAY_ROUTES) {
  const path = sample(route.path);
  const allowed = DOCUMENTED.filter((d) => d.endsWith(` ${route.path}`)).map((d) => d.split(' ')[0]!);
  test(`${route.method} ${route.path}: reaches its handler; every other method gets 405 naming ${allowed.join(', ')}`, () => {
    const hit = table.match(route.method, path);
    assert.equal(hit.kind, 'route');
    assert.ok(hit.kind === 'route' && hit.route === route, 'the very row of the table');
    for (const method of METHODS.filter((m) => !allowed.includes(m))) {
      const miss = table.match(method, path);
      assert.deepEqual(miss.kind === 'method-not-allowed' ? [...miss.allow].sort() : miss, [...allowed].sort(), method);
    }
  });
}

test('parameters are one whole segment, kept percent-encoded; unknown paths are none of the table', () => {
  const hit = table.match('GET', '/v1/sessions/a%2Fb/recordings');
  assert.deepEqual(hit.kind === 'route' ? hit.params : hit, { id: 'a%2Fb' });
  for (const path of [
    '/v1/sessions/a/b',
    '/v1/sessions/',
    '/v1/session',
    '/v1',
    '/v1/requests/x/approve/',
    '/healthz/',
    '/k8s/prod/api',
    '/.well-known/jwksXjson',
  ]) {
    assert.deepEqual(table.match('GET', path), { kind: 'none' }, path);
  }
});

test('a table with a row listed twice or a malformed path fails when it is built', () => {
  const handle = (): void => undefined;
  const row = (method: Route<unknown>['method'], path: string): Route<unknown> => ({ method, path, handle });
  assert.throws(() => createRouteTable([row('GET', '/a/:id'), row('GET', '/a/:id')]), /listed twice/);
  assert.doesNotThrow(() => createRouteTable([row('GET', '/a/:id'), row('DELETE', '/a/:id')]));
  for (const bad of ['a', '/a//b', '/a/b?c', '/a/*']) assert.throws(() => createRouteTable([row('GET', bad)]), /route path/, bad);
});
