import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayContext } from '../gateway-context.js';
import type { RequestInfo } from '../../kube/types.js';
import { inMemoryExchange, withSession } from '../../../test/support/pipeline-exchange.js';
import { createClassify } from './classify.js';
import { isRefusal } from './exchange.js';

// classify reads only the request: the clock is the one part of the context it needs to build an exchange.
const gw = { now: () => 0 } as GatewayContext;
const classify = createClassify();

type Row = [method: string, kubePath: string, want: Partial<RequestInfo> | { code: 400; reason: RegExp }];

const rows: Row[] = [
  // verbs from method + query
  ['GET', '/api/v1/namespaces/demo/pods', { isResourceRequest: true, verb: 'list', namespace: 'demo', resource: 'pods', name: '' }],
  ['GET', '/api/v1/namespaces/demo/pods?watch=true', { verb: 'watch', resource: 'pods' }],
  ['GET', '/api/v1/namespaces/demo/pods?watch=1&resourceVersion=5', { verb: 'watch' }],
  ['GET', '/api/v1/namespaces/demo/pods?watch=false', { verb: 'list' }],
  ['GET', '/api/v1/watch/namespaces/demo/pods', { verb: 'watch', resource: 'pods', namespace: 'demo' }],
  ['GET', '/api/v1/namespaces/demo/pods/web-1', { verb: 'get', name: 'web-1' }],
  ['HEAD', '/api/v1/namespaces/demo/pods/web-1', { verb: 'get', name: 'web-1' }],
  ['GET', '/api/v1/namespaces/demo/secrets?fieldSelector=metadata.name%3Ddb', { verb: 'list', resource: 'secrets', name: 'db' }],
  ['POST', '/api/v1/namespaces/demo/configmaps', { verb: 'create', resource: 'configmaps' }],
  ['PUT', '/api/v1/namespaces/demo/configmaps/app', { verb: 'update', name: 'app' }],
  ['PATCH', '/apis/apps/v1/namespaces/demo/deployments/web', { verb: 'patch', apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments' }],
  ['DELETE', '/api/v1/namespaces/demo/pods/web-1', { verb: 'delete' }],
  ['DELETE', '/api/v1/namespaces/demo/pods', { verb: 'deletecollection' }],
  ['GET', '/api/v1/nodes', { verb: 'list', namespace: '', resource: 'nodes' }],
  // subresources
  ['GET', '/api/v1/namespaces/demo/pods/web-1/log?follow=true', { verb: 'get', subresource: 'log', execClass: false }],
  ['POST', '/api/v1/namespaces/demo/pods/web-1/exec?command=sh', { verb: 'create', subresource: 'exec', execClass: true }],
  ['GET', '/api/v1/namespaces/demo/services/web:80/proxy/healthz', { subresource: 'proxy', name: 'web:80', execClass: true }],
  ['PUT', '/apis/apps/v1/namespaces/demo/deployments/web/scale', { verb: 'update', subresource: 'scale' }],
  ['PUT', '/api/v1/namespaces/demo/finalize', { resource: 'namespaces', name: 'demo', subresource: 'finalize' }],
  // trailing slash: kube-apiserver trims one
  ['GET', '/api/v1/namespaces/demo/pods/', { verb: 'list', resource: 'pods', name: '' }],
  // non-resource
  ['GET', '/api', { isResourceRequest: false, verb: 'get', path: '/api' }],
  ['GET', '/apis/apps/v1', { isResourceRequest: false, path: '/apis/apps/v1' }],
  ['GET', '/version?timeout=32s', { isResourceRequest: false, path: '/version' }],
  ['POST', '/healthz', { isResourceRequest: false, verb: 'post' }],
  ['GET', '/%64ebug/vars', { isResourceRequest: false, path: '/debug/vars' }],
  // refused, never cleaned
  ['GET', '/api/v1/namespaces/a/../b/secrets', { code: 400, reason: /refuses this request path/ }],
  ['GET', '/api/v1//namespaces/demo/secrets', { code: 400, reason: /refuses this request path/ }],
  ['GET', '/api/v1/namespaces/demo/secrets%2Fdb', { code: 400, reason: /refuses this request path/ }],
  ['GET', '/api/v1/namespaces/demo/pods/web/log/extra', { code: 400, reason: /segments after the subresource "log"/ }],
  ['GET', '/api/v1/proxy/namespaces/demo/services/web', { code: 400, reason: /legacy "\/proxy\/"/ }],
  ['OPTIONS', '/api/v1/namespaces/demo/pods', { code: 400, reason: /method "OPTIONS" is not served on resource paths/ }],
];

test('classify: method, path and query → RequestInfo on the exchange, or a 400 Status naming why the path is refused', async () => {
  for (const [method, kubePath, want] of rows) {
    const { x } = inMemoryExchange(gw, { method, kubePath });
    const got = await classify(withSession(x, { sub: 'alice' }));
    const row = `${method} ${kubePath}`;
    if ('code' in want) {
      assert.ok(isRefusal(got), `${row} was accepted`);
      assert.equal(got.code, want.code, row);
      assert.equal(got.reason, 'BadRequest', row);
      assert.match(got.message, want.reason, row);
      assert.equal(x.refusedBy, 'classify', row);
      assert.equal(x.info, undefined, row);
      continue;
    }
    assert.ok(!isRefusal(got), `${row} refused: ${isRefusal(got) ? got.message : ''}`);
    assert.equal(got, x, `${row}: the same exchange, narrowed`);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got.info[k as keyof RequestInfo], v, `${row}: info.${k}`);
    assert.equal(x.refusedBy, undefined, row);
  }
});
