import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientResponseHeaders, filterWebSocketProtocols, upstreamRequestHeaders } from './upstream-headers.js';
import { splitKubeUrl } from '../kube-proxy.js';

test('client identity, hop-by-hop and smuggled bearer tokens never pass; repeats are kept', () => {
  const distinct = {
    host: ['127.0.0.1:8080'],
    authorization: ['Bearer client'],
    'impersonate-user': ['root'],
    'Impersonate-Group': ['system:masters'],
    'impersonate-extra-scopes': ['x'],
    'impersonate-uid': ['1'],
    'x-remote-user': ['root'],
    'x-remote-group': ['g'],
    connection: ['keep-alive, X-Custom'],
    'x-custom': ['drop me'],
    'keep-alive': ['5'],
    te: ['trailers'],
    'transfer-encoding': ['chunked'],
    'proxy-authorization': ['Basic x'],
    upgrade: ['websocket'],
    expect: ['100-continue'],
    'audit-id': ['client-chosen'],
    'x-stream-protocol-version': ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
    'user-agent': ['kubectl.1.32/v1.32.5'],
    accept: ['application/json'],
    'sec-websocket-protocol': ['base64url.bearer.authorization.k8s.io.c2VjcmV0, v5.channel.k8s.io'],
  };
  const out = upstreamRequestHeaders(
    distinct,
    { connection: 'keep-alive, X-Custom' },
    {
      authorization: 'Bearer held',
      impersonate: { user: 'oidc:alice', groups: ['oidc:dev', 'oidc:qa'] },
      auditID: 'a-1',
    },
  );
  assert.deepEqual(out, {
    'x-stream-protocol-version': ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
    'user-agent': 'kubectl.1.32/v1.32.5',
    accept: 'application/json',
    'sec-websocket-protocol': 'v5.channel.k8s.io',
    authorization: 'Bearer held',
    'impersonate-user': 'oidc:alice',
    'impersonate-group': ['oidc:dev', 'oidc:qa'],
    'audit-id': 'a-1',
  });
});

test('without impersonation or a token only the held identity remains', () => {
  const out = upstreamRequestHeaders({ authorization: ['Bearer x'] }, {}, { authorization: undefined, auditID: 'a' });
  assert.deepEqual(out, { 'audit-id': 'a' });
  assert.equal(filterWebSocketProtocols(['base64url.bearer.authorization.k8s.io.abc']), undefined);
});

test("response headers lose hop-by-hop fields and an upstream's X-Hoopctl-Summary only", () => {
  assert.deepEqual(
    clientResponseHeaders({
      'audit-id': 'x',
      'content-type': 'application/json',
      'transfer-encoding': 'chunked',
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'X-Hoopctl-Summary': 'eyJraW5kIjoiRm9yZ2VkIn0',
    }),
    { 'audit-id': 'x', 'content-type': 'application/json' },
  );
});

test('splitKubeUrl keeps the kube path byte for byte', () => {
  assert.deepEqual(splitKubeUrl('/k8s/prod/api/v1/pods?watch=1'), { connection: 'prod', kubePath: '/api/v1/pods?watch=1' });
  assert.deepEqual(splitKubeUrl('/k8s/prod'), { connection: 'prod', kubePath: '/' });
  assert.deepEqual(splitKubeUrl('/k8s/prod?x=1'), { connection: 'prod', kubePath: '/?x=1' });
  assert.deepEqual(splitKubeUrl('/k8s/prod/api/v1/namespaces/a/../b'), { connection: 'prod', kubePath: '/api/v1/namespaces/a/../b' });
  assert.equal(splitKubeUrl('/k8s/'), undefined);
  assert.equal(splitKubeUrl('/v1/config'), undefined);
});
