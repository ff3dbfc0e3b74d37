// Watch and log streams: framing checked on the raw HTTP/1.1 bytes (one chunk per event, one
// JSON object plus "\n" per chunk, as raw-http1/ shows), event shapes compared with fixtures
// 30-34, and `logs -f` lines pushed as they are appended.
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { createKubeApiServer, type KubeApiServer } from './index.js';
import { FIXTURES_DIR, loadBody, loadScenario } from '../../test/support/recorded-fixtures.js';
import { open, send } from '../../test/support/simulated-cluster-client.js';
import { waitUntil } from '../../test/support/wait-until.js';

const skip = FIXTURES_DIR ? false : 'kube-apiserver fixtures not found (set KUBE_FIXTURES_DIR)';
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const JSON_TYPE = { 'Content-Type': 'application/json' };
type Doc = Record<string, any>;

/** Reads newline-terminated JSON events from a streaming response until `count` arrived. */
function reader(res: IncomingMessage): { next(count?: number): Promise<Doc[]>; ended: Promise<void> } {
  let buffer = '';
  const events: Doc[] = [];
  let waiter: (() => void) | undefined;
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buffer.slice(0, nl)) as Doc);
      buffer = buffer.slice(nl + 1);
    }
    waiter?.();
  });
  const ended = new Promise<void>((resolve) => res.on('end', () => resolve()));
  return {
    async next(count = 1) {
      const deadline = Date.now() + 5000;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} events, got ${JSON.stringify(events)}`);
        await new Promise<void>((r) => {
          waiter = r;
          setTimeout(r, 50);
        });
      }
      return events.splice(0, count);
    },
    ended,
  };
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(condition(), 'condition reached within 2 s');
}

describe('watch and log stream conformance', { skip }, () => {
  let server: KubeApiServer;
  before(async () => {
    server = await createKubeApiServer({ seed: 'empty', bookmarkIntervalMs: 150 });
    await send(server, 'POST', '/api/v1/namespaces', { headers: JSON_TYPE, body: '{"metadata":{"name":"demo"}}' });
    await server.settled();
  });
  after(async () => {
    await server.close();
  });

  test('HTTP/1.1 framing: 200, chunked, exactly one JSON event plus "\\n" per chunk', async () => {
    const url = new URL(server.url);
    const socket = connect({ host: url.hostname, port: Number(url.port), ca: server.caPem, servername: 'localhost' });
    await new Promise((r) => socket.once('secureConnect', r));
    socket.write(
      `GET /api/v1/namespaces/demo/configmaps?watch=1 HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${server.token}\r\nAccept: application/json\r\n\r\n`,
    );
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      raw += d;
    });
    await send(server, 'POST', '/api/v1/namespaces/demo/configmaps', { headers: JSON_TYPE, body: '{"metadata":{"name":"framed"},"data":{"a":"1"}}' });
    await waitUntil("the watch's chunk with the new object", () => raw.includes('"framed"') && raw.endsWith('\n\r\n'));
    socket.destroy();
    const [head, body = ''] = raw.split('\r\n\r\n', 2).length === 2 ? [raw.slice(0, raw.indexOf('\r\n\r\n')), raw.slice(raw.indexOf('\r\n\r\n') + 4)] : [raw];
    assert.match(head!, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(head!, /\r\nTransfer-Encoding: chunked/i);
    assert.match(head!, /\r\nContent-Type: application\/json\r\n/i);
    let rest = body;
    const chunks: string[] = [];
    while (rest.length > 0) {
      const crlf = rest.indexOf('\r\n');
      const size = parseInt(rest.slice(0, crlf), 16);
      chunks.push(rest.slice(crlf + 2, crlf + 2 + size));
      rest = rest.slice(crlf + 2 + size + 2);
    }
    assert.ok(chunks.length >= 2, 'initial ADDED events then the new one');
    for (const c of chunks) {
      assert.equal(c.indexOf('\n'), c.length - 1, 'one line per chunk');
      const ev = JSON.parse(c) as Doc;
      assert.deepEqual(Object.keys(ev), ['type', 'object']);
    }
  });

  test('plain watch from a list resourceVersion: ADDED, MODIFIED, DELETED with full objects (fixture 31)', async () => {
    const list = await send(server, 'GET', '/api/v1/namespaces/demo/configmaps', { headers: { Accept: 'application/json' } });
    const res = await open(server, 'GET', `/api/v1/namespaces/demo/configmaps?resourceVersion=${list.json.metadata.resourceVersion}&watch=true`, {
      headers: { Accept: 'application/json' },
    });
    const events = reader(res);
    await send(server, 'POST', '/api/v1/namespaces/demo/configmaps', {
      headers: JSON_TYPE,
      body: '{"metadata":{"name":"watched"},"data":{"password":"S3NT1NEL-WATCH-0008"}}',
    });
    await send(server, 'PATCH', '/api/v1/namespaces/demo/configmaps/watched', {
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: '{"metadata":{"labels":{"tier":"test"}}}',
    });
    await send(server, 'DELETE', '/api/v1/namespaces/demo/configmaps/watched');
    const got = await events.next(3);
    assert.deepEqual(
      got.map((e) => e['type']),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    const want = loadBody<{ events: { event: Doc }[] }>('watch/configmaps-watch-json-kubectl.json').events.map((e) => e.event);
    assert.deepEqual(Object.keys(got[0]!['object']), Object.keys(want[0]!['object']));
    assert.deepEqual([got[0]!['object'].kind, got[0]!['object'].apiVersion], ['ConfigMap', 'v1']);
    assert.equal(got[2]!['object'].data.password, 'S3NT1NEL-WATCH-0008');
    const rvs = got.map((e) => Number(e['object'].metadata.resourceVersion));
    assert.ok(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!, 'DELETED carries a new resourceVersion');
    res.destroy();
  });

  test('Table watch: one-row Tables, columnDefinitions on the first event only (fixture 30)', async () => {
    const res = await open(server, 'GET', '/api/v1/namespaces/demo/configmaps?watch=true', { headers: { Accept: TABLE } });
    const events = reader(res);
    const initial = await events.next(1);
    await send(server, 'POST', '/api/v1/namespaces/demo/configmaps', { headers: JSON_TYPE, body: '{"metadata":{"name":"tw"}}' });
    const [added] = await events.next(1);
    const fixture = loadBody<{ events: { event: Doc }[] }>('watch/configmaps-watch-table-kubectl.json').events.map((e) => e.event);
    assert.deepEqual(initial[0]!['object'].columnDefinitions, fixture[0]!['object'].columnDefinitions);
    assert.equal(added!['object'].columnDefinitions, null);
    assert.equal(added!['object'].rows.length, 1);
    assert.deepEqual(Object.keys(added!['object']), Object.keys(fixture[1]!['object']));
    assert.equal(added!['object'].rows[0].object.kind, 'PartialObjectMetadata');
    res.destroy();
  });

  test('BOOKMARK events have the recorded shape; timeoutSeconds ends the stream', async () => {
    const list = await send(server, 'GET', '/api/v1/namespaces/demo/configmaps', { headers: { Accept: 'application/json' } });
    const rv = list.json.metadata.resourceVersion as string;
    const res = await open(server, 'GET', `/api/v1/namespaces/demo/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}&timeoutSeconds=1`, {
      headers: { Accept: 'application/json' },
    });
    const events = reader(res);
    const bookmarks = await events.next(1);
    assert.equal(bookmarks[0]!['type'], 'BOOKMARK');
    assert.equal(bookmarks[0]!['object'].metadata.resourceVersion, rv);
    const want = loadScenario('34')
      .exchanges[0]!.response.chunks!.map((c) => JSON.parse(c.text!) as Doc)
      .find((e) => e['type'] === 'BOOKMARK')!;
    assert.deepEqual(
      { ...bookmarks[0], object: { ...bookmarks[0]!['object'], metadata: { ...bookmarks[0]!['object'].metadata, resourceVersion: 'N' } } },
      { ...want, object: { ...want['object'], metadata: { ...want['object'].metadata, resourceVersion: 'N' } } },
    );
    const started = Date.now();
    await events.ended;
    assert.ok(Date.now() - started < 2000);
  });

  test('resuming from a resourceVersion replays only later changes; selectors turn label changes into ADDED/DELETED', async () => {
    const a = await send(server, 'POST', '/api/v1/namespaces/demo/configmaps', { headers: JSON_TYPE, body: '{"metadata":{"name":"resume-a"}}' });
    await send(server, 'POST', '/api/v1/namespaces/demo/configmaps', { headers: JSON_TYPE, body: '{"metadata":{"name":"resume-b"}}' });
    const resumed = await open(server, 'GET', `/api/v1/namespaces/demo/configmaps?watch=true&resourceVersion=${a.json.metadata.resourceVersion}`, {
      headers: { Accept: 'application/json' },
    });
    const [first] = await reader(resumed).next(1);
    assert.deepEqual([first!['type'], first!['object'].metadata.name], ['ADDED', 'resume-b']);
    resumed.destroy();
    const selected = await open(server, 'GET', '/api/v1/namespaces/demo/configmaps?watch=true&labelSelector=tier%3Dfront', {
      headers: { Accept: 'application/json' },
    });
    const events = reader(selected);
    const label = (v: string | null) =>
      send(server, 'PATCH', '/api/v1/namespaces/demo/configmaps/resume-a', {
        headers: { 'Content-Type': 'application/merge-patch+json' },
        body: JSON.stringify({ metadata: { labels: { tier: v } } }),
      });
    await label('front');
    await label(null);
    assert.deepEqual(
      (await events.next(2)).map((e) => `${e['type']} ${e['object'].metadata.name}`),
      ['ADDED resume-a', 'DELETED resume-a'],
    );
    selected.destroy();
  });

  test('open watches are counted and released when the client goes away', async () => {
    await waitFor(() => server.counts().openWatches === 0);
    const before = 0;
    const res = await open(server, 'GET', '/api/v1/namespaces/demo/configmaps?watch=true', { headers: { Accept: 'application/json' } });
    await reader(res).next(1);
    assert.equal(server.counts().openWatches, before + 1);
    res.destroy();
    await waitFor(() => server.counts().openWatches === before);
  });

  test('logs: 204 for a pod without a node (fixture 74); lines, tailLines, timestamps; follow gets appended lines', async () => {
    await send(server, 'POST', '/api/v1/namespaces/demo/pods', {
      headers: JSON_TYPE,
      body: '{"metadata":{"name":"p"},"spec":{"containers":[{"name":"main","image":"busybox:1.36"},{"name":"side","image":"busybox:1.36"}]}}',
    });
    const want = loadScenario('74').exchanges.find((e) => e.request.url.endsWith('log?container=main'))!;
    const empty = await send(server, 'GET', '/api/v1/namespaces/demo/pods/p/log?container=main');
    assert.deepEqual([empty.status, empty.body.length, empty.headers['content-type']], [want.response.status, 0, undefined]);
    const noContainer = await send(server, 'GET', '/api/v1/namespaces/demo/pods/p/log');
    assert.equal(noContainer.json.message, 'a container name must be specified for pod p, choose one of: [main side]');
    server.appendLog('demo', 'p', 'one\ntwo\nthree');
    const tail = await send(server, 'GET', '/api/v1/namespaces/demo/pods/p/log?container=main&tailLines=2&timestamps=true');
    assert.equal(tail.headers['content-type'], 'text/plain');
    assert.match(tail.text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z two\n\S+ three\n$/);
    const follow = await open(server, 'GET', '/api/v1/namespaces/demo/pods/p/log?container=main&follow=true&tailLines=0');
    assert.equal(follow.statusCode, 200);
    follow.setEncoding('utf8');
    const got: string[] = [];
    follow.on('data', (d: string) => got.push(d));
    // The server starts following in the same turn it sends the head: a client that has the 200 misses no line.
    assert.equal(server.counts().openLogStreams, 1);
    server.appendLog('demo', 'p', 'pushed line');
    await waitUntil('the pushed line', () => got.length > 0);
    assert.deepEqual(got, ['pushed line\n']);
    follow.destroy();
  });
});
