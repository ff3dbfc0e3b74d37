// The test-facing API of the simulated server: options, request recording, back doors, close().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { createKubeApiServer, kubeconfigFor } from './index.js';
import { open, send } from '../../test/support/simulated-cluster-client.js';

test('plain HTTP with given tokens; every other token is refused', async () => {
  const server = await createKubeApiServer({ tls: false, tokens: ['t1', 't2'] });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.caPem, undefined);
    assert.equal(server.token, 't1');
    assert.equal((await send(server, 'GET', '/api/v1/namespaces', { auth: 't2' })).status, 200);
    assert.equal((await send(server, 'GET', '/api/v1/namespaces', { auth: 't3' })).status, 401);
  } finally {
    await server.close();
  }
});

test('records requests with repeated header lines, and the last impersonation', async () => {
  const server = await createKubeApiServer({ maxRecordedRequests: 3 });
  try {
    await send(server, 'GET', '/api/v1/namespaces/default/pods', {
      headers: { 'Impersonate-User': 'alice', 'Impersonate-Group': ['dev', 'qa'], 'Impersonate-Extra-Scopes': 'view' },
    });
    const [first] = server.requests;
    assert.equal(first!.method, 'GET');
    assert.equal(first!.url, '/api/v1/namespaces/default/pods');
    assert.deepEqual(
      first!.rawHeaders.filter(([k]) => k === 'Impersonate-Group').map(([, v]) => v),
      ['dev', 'qa'],
    );
    assert.match(String(first!.headers.authorization), /^Bearer /);
    assert.deepEqual(server.lastImpersonation, { user: 'alice', groups: ['dev', 'qa'], extra: { scopes: ['view'] } });
    await send(server, 'GET', '/version');
    assert.equal(server.lastImpersonation, null);
    for (let i = 0; i < 10; i++) await send(server, 'GET', '/healthz');
    assert.ok(server.requests.length <= 6, 'bounded');
    assert.equal(server.requests.at(-1)!.url, '/healthz');
    assert.equal(server.counts().requests, 12);
  } finally {
    await server.close();
  }
});

test('apply / remove change the cluster like another client; kubeconfigFor points at the server', async () => {
  const server = await createKubeApiServer();
  try {
    const created = server.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' } });
    assert.match(created.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
    const updated = server.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '2' } });
    assert.equal(updated.metadata.uid, created.metadata.uid);
    assert.ok(Number(updated.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
    assert.equal((await send(server, 'GET', '/api/v1/namespaces/default/configmaps/c')).json.data.a, '2');
    assert.equal(server.remove({ kind: 'cm', namespace: 'default', name: 'c' })?.metadata.name, 'c');
    assert.equal((await send(server, 'GET', '/api/v1/namespaces/default/configmaps/c')).status, 404);
    assert.throws(() => server.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'nope' } }), /namespace nope does not exist/);
    const kubeconfig = parse(kubeconfigFor(server)) as { clusters: { cluster: Record<string, string> }[]; users: { user: { token: string } }[] };
    assert.equal(kubeconfig.clusters[0]!.cluster['server'], server.url);
    assert.equal(Buffer.from(kubeconfig.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString(), server.caPem);
    assert.equal(kubeconfig.users[0]!.user.token, server.token);
  } finally {
    await server.close();
  }
});

test('the demo seed is a small running cluster that says it is simulated', async () => {
  const server = await createKubeApiServer({ seed: 'demo' });
  try {
    const pods = (await send(server, 'GET', '/api/v1/pods')).json.items as {
      metadata: { namespace: string };
      status: { phase: string; podIP: string };
      spec: { nodeName: string };
    }[];
    assert.ok(pods.filter((p) => p.metadata.namespace === 'demo').length >= 2);
    assert.ok(pods.every((p) => p.status.phase === 'Running' && p.spec.nodeName && p.status.podIP));
    const secret = (await send(server, 'GET', '/api/v1/namespaces/demo/secrets/db-creds')).json;
    assert.match(Buffer.from(secret.data.password, 'base64').toString(), /demo/);
    assert.match(JSON.stringify((await send(server, 'GET', '/api/v1/nodes')).json), /hoopctl simulation/);
  } finally {
    await server.close();
  }
});

test('close() ends open watches and log streams and resolves', async () => {
  const server = await createKubeApiServer({ seed: 'demo' });
  const watch = await open(server, 'GET', '/api/v1/pods?watch=true');
  const pod = (await send(server, 'GET', '/api/v1/namespaces/demo/pods')).json.items[0].metadata.name as string;
  const logs = await open(server, 'GET', `/api/v1/namespaces/demo/pods/${pod}/log?follow=true`);
  watch.resume();
  logs.resume();
  assert.deepEqual([server.counts().openWatches, server.counts().openLogStreams], [1, 1]);
  const ended = Promise.all(
    [watch, logs].map(
      (r) =>
        new Promise<void>((resolve) => {
          r.on('close', () => resolve());
        }),
    ),
  );
  await server.close();
  await ended;
});
