// Attack finding F2: watches held open used to fill the connection's upstream pool (64 connections), so every other
// request on the connection, anyone's, queued until they closed. Long streams now have a pool of their own, and one
// session may hold at most MAX_STREAMS_PER_SESSION of them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { MAX_STREAMS_PER_SESSION } from '../../src/gateway/pipeline/forward.js';
import { send, startHarness, type Harness } from './gateway-harness.js';

let h: Harness;
const open: http.ClientRequest[] = [];

async function session(who: 'alice' | 'bob'): Promise<string> {
  const r = await send(
    h.gateway.url,
    'POST',
    '/v1/sessions',
    { authorization: `Bearer ${h.idTokens[who]}`, 'content-type': 'application/json' },
    JSON.stringify({ connection: 'prod' }),
  );
  assert.equal(r.status, 201, r.body);
  return r.json.token as string;
}

function watch(token: string): Promise<number> {
  const u = new URL(h.gateway.url);
  return new Promise((resolve, reject) => {
    const req = http.get({
      host: u.hostname,
      port: u.port,
      path: '/k8s/prod/api/v1/namespaces/default/configmaps?watch=true',
      headers: { authorization: `Bearer ${token}` },
      agent: false,
    });
    open.push(req);
    req.on('response', (res) => {
      res.on('error', () => undefined);
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
}

describe('long streams cannot starve other requests', () => {
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    for (const r of open) r.destroy();
    await h.close();
  });

  test('80 open watches (more than the short-request pool) leave a list answering; a session is capped', async () => {
    const [a1, a2] = [await session('alice'), await session('alice')];
    const codes = await Promise.all(Array.from({ length: 80 }, (_, i) => watch(i % 2 === 0 ? a1 : a2)));
    assert.deepEqual([...new Set(codes)], [200]);
    const list = await send(h.gateway.url, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', { authorization: `Bearer ${a1}` });
    assert.equal(list.status, 200, list.body);
    // One session cannot hold more than its share.
    const more = await Promise.all(Array.from({ length: MAX_STREAMS_PER_SESSION - 40 }, () => watch(a1)));
    assert.deepEqual([...new Set(more)], [200]);
    assert.equal(await watch(a1), 429);
  });
});
