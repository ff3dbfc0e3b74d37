import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { classifyRequest } from './request-info.js';
import type { RequestInfo } from './types.js';

type Expect = Partial<RequestInfo>;
const cases: [method: string, target: string, expect: Expect][] = [
  // non-resource URLs: verb is the lower-cased method
  ['GET', '/', { isResourceRequest: false, verb: 'get', path: '/' }],
  ['GET', '/version', { isResourceRequest: false, verb: 'get', path: '/version' }],
  ['GET', '/api', { isResourceRequest: false, apiPrefix: null }],
  ['GET', '/api/v1', { isResourceRequest: false, path: '/api/v1' }],
  ['GET', '/apis', { isResourceRequest: false }],
  ['GET', '/apis/apps', { isResourceRequest: false }],
  ['GET', '/apis/apps/v1?timeout=32s', { isResourceRequest: false, path: '/apis/apps/v1' }],
  ['GET', '/openapi/v3/apis/apps/v1?hash=ABC', { isResourceRequest: false, path: '/openapi/v3/apis/apps/v1' }],
  ['GET', '/healthz', { isResourceRequest: false, verb: 'get' }],
  ['GET', '/livez/etcd', { isResourceRequest: false }],
  ['GET', '/readyz?verbose=', { isResourceRequest: false }],
  ['GET', '/metrics', { isResourceRequest: false }],
  ['POST', '/version', { isResourceRequest: false, verb: 'post' }],
  ['HEAD', '/healthz', { isResourceRequest: false, verb: 'head' }],
  ['GET', '/nonexistent/path', { isResourceRequest: false }],
  ['GET', '/apiextra/v1/pods', { isResourceRequest: false }],
  // core group
  [
    'GET',
    '/api/v1/pods',
    { isResourceRequest: true, verb: 'list', apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace: '', resource: 'pods', name: '' },
  ],
  ['GET', '/api/v1/namespaces/demo/pods', { verb: 'list', namespace: 'demo', resource: 'pods' }],
  ['GET', '/api/v1/namespaces/demo/pods/web', { verb: 'get', namespace: 'demo', resource: 'pods', name: 'web', subresource: '' }],
  ['HEAD', '/api/v1/namespaces/demo/pods/web', { verb: 'get' }],
  ['POST', '/api/v1/namespaces/demo/pods', { verb: 'create', name: '' }],
  ['PUT', '/api/v1/namespaces/demo/pods/web', { verb: 'update', name: 'web' }],
  ['PATCH', '/api/v1/namespaces/demo/pods/web', { verb: 'patch' }],
  ['DELETE', '/api/v1/namespaces/demo/pods/web', { verb: 'delete', name: 'web' }],
  ['DELETE', '/api/v1/namespaces/demo/pods', { verb: 'deletecollection', name: '' }],
  ['DELETE', '/api/v1/namespaces/demo/configmaps?labelSelector=a%3Db', { verb: 'deletecollection' }],
  // watch: any first value other than 0/false (Convert_Slice_string_To_bool)
  ['GET', '/api/v1/namespaces/demo/pods?watch=true', { verb: 'watch' }],
  ['GET', '/api/v1/namespaces/demo/pods?watch=1', { verb: 'watch' }],
  ['GET', '/api/v1/namespaces/demo/pods?watch=', { verb: 'watch' }],
  ['GET', '/api/v1/namespaces/demo/pods?watch=yes', { verb: 'watch' }],
  ['GET', '/api/v1/namespaces/demo/pods?watch=false', { verb: 'list' }],
  ['GET', '/api/v1/namespaces/demo/pods?watch=FALSE', { verb: 'list' }],
  ['GET', '/api/v1/namespaces/demo/pods?watch=0', { verb: 'list' }],
  ['GET', '/api/v1/namespaces/demo/pods?watch=0&watch=1', { verb: 'list' }],
  ['GET', '/api/v1/namespaces/demo/pods/web?watch=true', { verb: 'get', name: 'web' }],
  // fieldSelector=metadata.name narrows list/watch to one object
  ['GET', '/api/v1/namespaces/demo/pods?fieldSelector=metadata.name%3Dweb&watch=true', { verb: 'watch', name: 'web' }],
  ['GET', '/api/v1/namespaces/demo/pods?fieldSelector=metadata.name=web', { verb: 'list', name: 'web' }],
  ['GET', '/api/v1/namespaces/demo/pods?fieldSelector=metadata.name==web,status.phase=Running', { verb: 'list', name: 'web' }],
  ['GET', '/api/v1/namespaces/demo/pods?fieldSelector=metadata.name!=web', { verb: 'list', name: '' }],
  ['GET', '/api/v1/namespaces/demo/pods?fieldSelector=metadata.name=a%5C,b', { verb: 'list', name: '' }],
  ['GET', '/api/v1/namespaces/demo/pods?fieldSelector=metadata.name=web&limit=abc', { verb: 'list', name: '' }],
  ['GET', '/api/v1/namespaces/demo/pods?fieldSelector=metadata.name=a,metadata.name=b', { verb: 'list', name: '' }],
  ['DELETE', '/api/v1/namespaces/demo/pods?fieldSelector=metadata.name=web', { verb: 'deletecollection', name: '' }],
  // legacy watch paths
  ['GET', '/api/v1/watch/pods', { verb: 'watch', resource: 'pods', namespace: '' }],
  ['GET', '/api/v1/watch/namespaces/demo/pods', { verb: 'watch', resource: 'pods', namespace: 'demo' }],
  ['GET', '/api/v1/watch/namespaces/demo/pods/web', { verb: 'watch', name: 'web' }],
  ['GET', '/apis/apps/v1/watch/namespaces/demo/deployments', { verb: 'watch', apiGroup: 'apps', resource: 'deployments' }],
  // namespaces as a resource, and its subresources
  ['GET', '/api/v1/namespaces', { verb: 'list', resource: 'namespaces', namespace: '', name: '' }],
  ['POST', '/api/v1/namespaces', { verb: 'create', resource: 'namespaces', namespace: '' }],
  ['GET', '/api/v1/namespaces/demo', { verb: 'get', resource: 'namespaces', namespace: 'demo', name: 'demo' }],
  ['DELETE', '/api/v1/namespaces/demo', { verb: 'delete', resource: 'namespaces', name: 'demo' }],
  ['PUT', '/api/v1/namespaces/demo/status', { verb: 'update', resource: 'namespaces', name: 'demo', subresource: 'status' }],
  ['PUT', '/api/v1/namespaces/demo/finalize', { verb: 'update', resource: 'namespaces', name: 'demo', subresource: 'finalize' }],
  ['GET', '/api/v1/namespaces/status', { verb: 'get', resource: 'namespaces', name: 'status', namespace: 'status' }],
  ['GET', '/api/v1/namespaces/demo/pods/web/status', { verb: 'get', resource: 'pods', subresource: 'status', execClass: false }],
  // groups
  ['POST', '/apis/apps/v1/namespaces/demo/deployments', { verb: 'create', apiPrefix: 'apis', apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments' }],
  ['PATCH', '/apis/apps/v1/namespaces/demo/deployments/web/scale', { verb: 'patch', subresource: 'scale' }],
  ['GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/system:aggregate-to-admin', { verb: 'get', name: 'system:aggregate-to-admin', namespace: '' }],
  ['GET', '/apis/apps/v1/deployments', { verb: 'list', namespace: '' }],
  ['GET', '/api/v1/nodes/n1', { verb: 'get', resource: 'nodes', name: 'n1', namespace: '' }],
  ['GET', '/api/v1/namespaces/demo/pods/p%2Dq', { name: 'p-q' }],
  // exec-class, whatever the method
  ['GET', '/api/v1/namespaces/demo/pods/p/exec?command=sh', { verb: 'get', subresource: 'exec', execClass: true }],
  ['POST', '/api/v1/namespaces/demo/pods/p/exec?command=sh', { verb: 'create', subresource: 'exec', execClass: true }],
  ['GET', '/api/v1/namespaces/demo/pods/p/attach', { execClass: true }],
  ['POST', '/api/v1/namespaces/demo/pods/p/portforward', { execClass: true }],
  ['PATCH', '/api/v1/namespaces/demo/pods/p/ephemeralcontainers', { verb: 'patch', execClass: true }],
  ['GET', '/api/v1/namespaces/demo/pods/p/proxy', { execClass: true, subresource: 'proxy' }],
  ['GET', '/api/v1/namespaces/demo/pods/p/proxy/metrics/x', { execClass: true, subresource: 'proxy', name: 'p' }],
  ['GET', '/api/v1/namespaces/demo/services/web:80/proxy/', { execClass: true, resource: 'services', name: 'web:80' }],
  ['GET', '/api/v1/nodes/n1/proxy/stats', { execClass: true, resource: 'nodes' }],
  ['GET', '/api/v1/namespaces/demo/pods/p/log', { execClass: false, subresource: 'log' }],
  ['POST', '/api/v1/namespaces/demo/pods/p/eviction', { execClass: false, subresource: 'eviction' }],
  ['POST', '/api/v1/namespaces/demo/services/p/exec', { execClass: false }],
  // A trailing slash: kube trims it before splitting (fixture 100: same 200 answer, no redirect).
  ['GET', '/version/', { isResourceRequest: false, verb: 'get', path: '/version/' }],
  ['GET', '/api/', { isResourceRequest: false, path: '/api/' }],
  ['GET', '/apis/', { isResourceRequest: false, path: '/apis/' }],
  ['GET', '/api/v1/', { isResourceRequest: false, path: '/api/v1/' }],
  ['GET', '/apis/apps/', { isResourceRequest: false, path: '/apis/apps/' }],
  ['GET', '/apis/apps/v1/', { isResourceRequest: false, path: '/apis/apps/v1/' }],
  ['GET', '/healthz/', { isResourceRequest: false, path: '/healthz/' }],
  ['GET', '/api/v1/namespaces/demo/configmaps/', { isResourceRequest: true, verb: 'list', namespace: 'demo', resource: 'configmaps', name: '' }],
  ['GET', '/api/v1/namespaces/demo/configmaps/?watch=True', { verb: 'watch', resource: 'configmaps', name: '' }],
  ['GET', '/api/v1/namespaces/demo/configmaps/app-cfg/', { verb: 'get', resource: 'configmaps', name: 'app-cfg', subresource: '' }],
  ['DELETE', '/api/v1/namespaces/demo/configmaps/', { verb: 'deletecollection', name: '' }],
  ['DELETE', '/api/v1/namespaces/demo/', { verb: 'delete', resource: 'namespaces', name: 'demo' }],
  ['GET', '/api/v1/namespaces/demo/pods/web/exec/?command=sh', { subresource: 'exec', execClass: true }],
  ['GET', '/apis/apps/v1/namespaces/demo/deployments/web/scale/', { verb: 'get', apiGroup: 'apps', subresource: 'scale' }],
  ['GET', '/api/v1/watch/namespaces/demo/pods/', { verb: 'watch', resource: 'pods', name: '' }],
  // python3-kubernetes sends watch=True (fixture 131); kube reads any value but 0/false (any case) as true.
  ['GET', '/api/v1/namespaces/demo/pods?resourceVersion=1&timeoutSeconds=5&watch=True', { verb: 'watch' }],
  ['GET', '/api/v1/namespaces/demo/pods?watch=False', { verb: 'list' }],
  // Non-resource paths are matched decoded, as RBAC matches kube's req.URL.Path.
  ['GET', '/%64ebug/pprof/', { isResourceRequest: false, path: '/debug/pprof/' }],
  ['GET', '/%76ersion', { isResourceRequest: false, path: '/version' }],
  ['GET', '/api/v1/namespaces/demo/pods/p%2Dq/', { name: 'p-q', path: '/api/v1/namespaces/demo/pods/p-q/' }],
];

test('classifyRequest: table', () => {
  for (const [method, target, expect] of cases) {
    const got = classifyRequest(method, target);
    assert.ok(!('refused' in got), `${method} ${target} was refused: ${'refused' in got ? got.reason : ''}`);
    for (const [k, v] of Object.entries(expect)) {
      assert.deepEqual(got[k as keyof RequestInfo], v, `${method} ${target}: ${k}`);
    }
  }
});

const refused: [method: string, target: string, reasonPart: string][] = [
  ['GET', 'api/v1/pods', 'start with "/"'],
  ['GET', '', 'start with "/"'],
  ['GET', '/api/v1/namespaces/demo/pods//', 'empty segment'],
  ['GET', '/version//', 'empty segment'],
  ['GET', '/api/v1/namespaces/demo/pods/web%2F', 'encoded "/"'],
  ['GET', '/%64ebug/..', '".."'],
  ['GET', '/api//v1/pods', 'empty segment'],
  ['GET', '//api/v1/pods', 'empty segment'],
  ['GET', '/api/v1/namespaces/demo/../kube-system/secrets', '".."'],
  ['GET', '/api/v1/./pods', '"."'],
  ['GET', '/api/v1/namespaces/demo/pods/%2e%2e', 'encoded "."'],
  ['GET', '/api/v1/namespaces/demo%2Fsecrets', 'encoded "/"'],
  ['GET', '/api/v1/namespaces/demo/pods/web%2fexec', 'encoded "/"'],
  ['GET', '/api/v1/namespaces/demo/pods/a%5Cb', 'encoded "\\"'],
  ['GET', '/api/v1/namespaces/demo/pods/a%00', 'NUL'],
  ['GET', '/api/v1/namespaces/demo/pods/a%0a', 'control'],
  ['GET', '/api/v1/namespaces/demo/pods/a%252e', 'encoded "%"'],
  ['GET', '/api/v1/namespaces/demo/pods/a%zz', 'invalid percent-escape'],
  ['GET', '/api/v1/namespaces/demo/pods/a%4', 'invalid percent-escape'],
  ['GET', '/api\\v1/pods', 'backslash'],
  ['GET', '/api/v1/pods\u0000', 'control'],
  ['GET', '/api/v1/po ds', 'control, space'],
  ['GET', '/api/v1/pöds', 'non-ASCII'],
  ['GET', '/api/v1/pods#x', 'fragment'],
  ['GET', '/api/v1/pods?watch=true;x=1', '";"'],
  ['GET', '/api/v1/pods?watch=%zz', 'invalid percent-escape'],
  ['GET', '/api/v1/proxy/namespaces/demo/pods/p', 'legacy'],
  ['GET', '/api/v1/watch', 'must name a resource'],
  ['GET', '/api/v1/namespaces/demo/pods/p/exec/extra', 'after the subresource'],
  ['OPTIONS', '/api/v1/namespaces/demo/pods', 'method'],
  ['get', '/api/v1/namespaces/demo/pods', 'method'],
];

test('classifyRequest: non-canonical paths are refused, never cleaned', () => {
  for (const [method, target, part] of refused) {
    const got = classifyRequest(method, target);
    assert.ok('refused' in got, `${method} ${JSON.stringify(target)} was accepted`);
    assert.ok(got.reason.includes(part), `${JSON.stringify(target)}: reason "${got.reason}" lacks "${part}"`);
  }
});

test('classifyRequest: every request recorded from real kubectl 1.27/1.32/1.33 classifies, with the verb its method implies', () => {
  const dir = resolve(import.meta.dirname, '../../test/fixtures/kube-apiserver-1.32/scenarios');
  let seen = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const scenario = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { exchanges: { request: { method: string; url: string } }[] };
    for (const { request } of scenario.exchanges) {
      seen++;
      const got = classifyRequest(request.method, request.url);
      assert.ok(!('refused' in got), `${f}: ${request.method} ${request.url} refused: ${'refused' in got ? got.reason : ''}`);
      assert.equal(got.verb, expectedVerb(request.method, request.url, got), `${f}: ${request.method} ${request.url}`);
      assert.equal(got.path, decodeURIComponent(request.url.split('?')[0]!));
    }
  }
  assert.ok(seen >= 299, `only ${seen} exchanges found`);
});

/** Independent statement of kube's rule for the recorded URLs (no legacy watch paths among them). */
function expectedVerb(method: string, url: string, info: RequestInfo): string {
  const path = url.split('?')[0] ?? '';
  const parts = path.split('/').filter(Boolean);
  const resource = (parts[0] === 'api' && parts.length >= 3) || (parts[0] === 'apis' && parts.length >= 4);
  assert.equal(info.isResourceRequest, resource, url);
  if (!resource) return method.toLowerCase();
  const named = info.name !== '';
  switch (method) {
    case 'GET':
      return named ? 'get' : /[?&]watch=(true|1)(&|$)/i.test(url) ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      throw new Error(`unexpected method ${method}`);
  }
}
