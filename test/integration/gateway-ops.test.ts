// Running the gateway in production: /metrics after known traffic (parsed, counts match), drain with a
// held watch and a short request in flight, slowloris headers cut, a port in use named as a config error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { CreateSessionResponse } from '../../src/api/wire.js';
import { readFile } from 'node:fs/promises';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import { createGateway } from '../../src/gateway/create-gateway.js';
import { isHoopError } from '../../src/errors.js';
import { POLICY, send, startHarness, type Harness } from './gateway-harness.js';

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });
// dev may edit prod without approval here, so a write can be the short request a drain waits for.
const policy = { ...POLICY, bindings: [{ groups: ['dev'], connections: ['prod'], roles: ['edit'] }] };

/** Parses the Prometheus text format into `name{labels}` → value (labels sorted by name). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels = [...(m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}=${l[2]}`).sort();
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]));
  }
  return out;
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('gateway operations', () => {
  let h: Harness;
  const logs: string[] = [];
  before(async () => {
    h = await startHarness({ config: { policy }, logger: (l, fields) => logs.push(fields === undefined ? l : `${l} ${JSON.stringify(fields)}`) });
  });
  after(async () => {
    await h?.close();
  });

  const open = async (): Promise<CreateSessionResponse> => {
    const r = await send(
      h.gateway.url,
      'POST',
      '/v1/sessions',
      { ...bearer(h.idTokens.alice), 'content-type': 'application/json' },
      JSON.stringify({ connection: 'prod' }),
    );
    assert.equal(r.status, 201, r.body);
    return r.json as CreateSessionResponse;
  };
  const scrape = async (): Promise<Map<string, number>> => {
    const r = await send(h.gateway.url, 'GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return parseMetrics(r.body);
  };

  test('/metrics counts requests by connection, verb, decision and status; latency, failures, gauges', async () => {
    const s = await open();
    const base = h.gateway.url;
    const before = await scrape();
    const get = (k: string): number => before.get(k) ?? 0;
    const LIST = 'connection=prod,decision=allow,verb=list';
    for (let i = 0; i < 3; i++) assert.equal((await send(base, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(s.token))).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await send(base, 'DELETE', '/k8s/prod/api/v1/namespaces/kube-system', bearer(s.token))).status, 403);
    assert.equal((await send(base, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps/nope', bearer(s.token))).status, 404);

    h.faults.audit = true;
    await send(base, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(s.token)).catch(() => undefined);
    h.faults.audit = false;

    const m = await scrape();
    assert.equal(m.get(`hoopctl_gateway_requests_total{code=200,${LIST}}`)! - get(`hoopctl_gateway_requests_total{code=200,${LIST}}`), 3);
    assert.equal(
      (m.get('hoopctl_gateway_requests_total{code=403,connection=prod,decision=deny,verb=delete}') ?? 0) -
        get('hoopctl_gateway_requests_total{code=403,connection=prod,decision=deny,verb=delete}'),
      2,
    );
    assert.equal(
      m.get('hoopctl_gateway_requests_total{code=404,connection=prod,decision=allow,verb=get}')! -
        get('hoopctl_gateway_requests_total{code=404,connection=prod,decision=allow,verb=get}'),
      1,
    );
    assert.equal(m.get(`hoopctl_gateway_request_duration_seconds_count{${LIST}}`)! - get(`hoopctl_gateway_request_duration_seconds_count{${LIST}}`), 3);
    assert.ok(m.get('hoopctl_gateway_request_duration_seconds_bucket{connection=prod,decision=allow,le=+Inf,verb=list}')! >= 3);
    assert.equal(m.get('hoopctl_gateway_audit_write_failures_total{}')! - get('hoopctl_gateway_audit_write_failures_total{}'), 1);
    assert.ok(m.get('hoopctl_gateway_store_errors_total{operation=appendAudit}')! >= 1);
    assert.ok(m.get('hoopctl_gateway_audit_write_duration_seconds_count{}')! >= 6);
    assert.ok(m.get('hoopctl_gateway_active_sessions{}')! >= 1);
    assert.equal(m.get('hoopctl_gateway_pending_approvals{}'), 0);
    assert.equal(m.get('hoopctl_gateway_open_streams{}'), 0);
    for (const key of m.keys()) assert.ok(!key.includes('alice') && !key.includes(s.token), key);

    // The structured log has one line per refused request, with its audit id, and no credential.
    const denied = logs.filter((l) => l.startsWith('request denied ')).map((l) => JSON.parse(l.slice('request denied '.length)));
    assert.ok(denied.length >= 2);
    assert.deepEqual(
      { ...denied.at(-1), requestId: undefined, latencyMs: undefined, session: undefined },
      {
        requestId: undefined,
        latencyMs: undefined,
        session: undefined,
        connection: 'prod',
        user: 'alice@example.com',
        verb: 'delete',
        decision: 'deny',
        status: 403,
        rule: 'guardrails[0] (no-namespace-deletion)',
      },
    );
    assert.match(denied.at(-1).requestId, /^[0-9a-f-]{36}$/);
    assert.ok(!logs.join('\n').includes(s.token));
  });

  test('/metrics: one phase histogram observation per request that went through policy, upstream, masking, audit', async () => {
    const s = await open();
    const base = h.gateway.url;
    const json = { ...bearer(s.token), 'content-type': 'application/json' };
    const CM = '/k8s/prod/api/v1/namespaces/default/configmaps';
    const phases = ['policy', 'upstream', 'masking', 'audit'] as const;
    const count = (m: Map<string, number>, p: string): number => m.get(`hoopctl_gateway_phase_seconds_count{phase=${p}}`) ?? 0;
    const sum = (m: Map<string, number>, p: string): number => m.get(`hoopctl_gateway_phase_seconds_sum{phase=${p}}`) ?? 0;
    const before = await scrape();

    // policy, upstream, masking, audit: a masked JSON answer.
    for (let i = 0; i < 3; i++) assert.equal((await send(base, 'GET', CM, bearer(s.token))).status, 200);
    // policy, audit: refused by a guardrail, never forwarded.
    for (let i = 0; i < 2; i++) assert.equal((await send(base, 'DELETE', '/k8s/prod/api/v1/namespaces/kube-system', bearer(s.token))).status, 403);
    // audit only: no session, refused before policy.
    assert.equal((await send(base, 'GET', CM)).status, 401);
    // audit only: answered by the gateway itself (kubectl auth whoami).
    assert.equal(
      (
        await send(
          base,
          'POST',
          '/k8s/prod/apis/authentication.k8s.io/v1/selfsubjectreviews',
          json,
          '{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1"}',
        )
      ).status,
      201,
    );
    // policy, upstream, audit: an answer to HEAD has no body and passes unmasked (the test cluster answers it 405).
    assert.equal((await send(base, 'HEAD', CM, bearer(s.token))).status, 405);
    // policy, upstream, masking, audit: a change, with two audit writes (RequestReceived, ResponseComplete) for one request.
    const name = `phase-${Date.now()}`;
    assert.equal(
      (await send(base, 'POST', CM, json, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' } }))).status,
      201,
    );
    // policy, upstream, masking, audit (a failed write): answered 503 instead.
    h.faults.audit = true;
    try {
      assert.equal((await send(base, 'GET', CM, bearer(s.token))).status, 503);
    } finally {
      h.faults.audit = false;
    }

    const m = await scrape();
    const delta = Object.fromEntries(phases.map((p) => [p, count(m, p) - count(before, p)]));
    assert.deepEqual(delta, { policy: 8, upstream: 6, masking: 5, audit: 10 });
    // The per-write histogram keeps its name and meaning: the change wrote two events.
    assert.equal(
      m.get('hoopctl_gateway_audit_write_duration_seconds_count{}')! - (before.get('hoopctl_gateway_audit_write_duration_seconds_count{}') ?? 0),
      11,
    );
    for (const p of phases) {
      assert.equal(m.get(`hoopctl_gateway_phase_seconds_bucket{le=+Inf,phase=${p}}`), count(m, p), p);
      assert.ok(sum(m, p) > sum(before, p), `${p}: time was measured`);
    }
  });

  test('/v1/audit says which limit it applied (hoopctl audit warns when it is less than asked)', async () => {
    const r = await send(h.gateway.url, 'GET', '/v1/audit?limit=100000', bearer(h.idTokens.alice));
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json.limit, 5000);
    assert.equal((await send(h.gateway.url, 'GET', '/v1/audit?limit=7', bearer(h.idTokens.alice))).json.limit, 7);
  });

  test('drain: unready, no new connections, the short request finishes, then the held watch is closed', async () => {
    const s = await open();
    const base = h.gateway.url;
    const list = await send(base, 'GET', '/k8s/prod/api/v1/namespaces/default/configmaps', bearer(s.token));
    const watchReq = http.get(`${base}/k8s/prod/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.json.metadata.resourceVersion}`, {
      headers: bearer(s.token),
      agent: false,
    });
    const watch = await new Promise<http.IncomingMessage>((resolve, reject) => {
      watchReq.on('response', resolve);
      watchReq.on('error', reject);
    });
    assert.equal(watch.statusCode, 200);
    let watchClosedAt = 0;
    const watchClosed = new Promise<void>((resolve) => {
      watch.on('close', () => {
        watchClosedAt = Date.now();
        resolve();
      });
      watch.on('error', () => undefined);
      watch.resume();
    });

    // A short write whose body arrives slowly: in flight when the drain starts.
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'drained-write' }, data: { a: '1' } });
    const post = http.request(`${base}/k8s/prod/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      agent: false,
      headers: { ...bearer(s.token), 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const posted = new Promise<number>((resolve, reject) => {
      post.on('response', (r) => {
        r.resume();
        r.on('end', () => resolve(r.statusCode ?? 0));
      });
      post.on('error', reject);
    });
    post.write(body.slice(0, 10));
    await until('both requests are in flight', () => h.gateway.inFlight().short === 1 && h.gateway.inFlight().long === 1);

    const t0 = Date.now();
    const drained = h.gateway.drain(10_000);
    assert.deepEqual(await h.gateway.readiness.problems(), ['draining: the gateway is shutting down']);
    await assert.rejects(send(base, 'GET', '/healthz'), /ECONNREFUSED|ECONNRESET|socket hang up/);
    // The listener is closed, so the drain is now waiting for the short request. A watch it cut early would have been
    // closed before the POST below can finish (its body is still being sent): the order is asserted after it.
    assert.equal(watchClosedAt, 0, 'long streams stay open while a short request is finishing');
    let postDoneAt = 0;
    post.end(body.slice(10));
    assert.equal(await posted, 201);
    postDoneAt = Date.now();
    await watchClosed;
    await drained;
    assert.ok(watchClosedAt >= postDoneAt - 5, 'the watch was closed after the short request finished');
    assert.ok(Date.now() - t0 < 5_000, `drain took ${Date.now() - t0} ms`);
    assert.ok(
      logs.some((l) => l.includes('drained: 1 long stream(s) closed')),
      logs.join('\n'),
    );
    await until('the upstream watch is closed too', () => h.kube.counts().openWatches === 0);
  });
});

test('slowloris: a client that never finishes its headers is cut after headersTimeout (10 s)', { timeout: 30_000 }, async () => {
  const h = await startHarness();
  try {
    const { port } = new URL(h.gateway.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const t0 = Date.now();
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const ticker = setInterval(() => socket.write('X-Slow: 1\r\n'), 1_000);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (b: Buffer) => {
        text += b.toString('utf8');
      });
      socket.on('close', () => resolve(text));
      socket.on('error', () => undefined);
    });
    clearInterval(ticker);
    const took = Date.now() - t0;
    assert.ok(took >= 9_000 && took < 16_000, `cut after ${took} ms`);
    assert.match(answer, /^HTTP\/1\.1 408/);
  } finally {
    await h.close();
  }
});

test('a port in use is a config error naming listen, not an internal error', async () => {
  const blocker = http.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const { port } = blocker.address() as AddressInfo;
  const h = await startHarness();
  try {
    const loaded = await loadGatewayConfig(`${h.dir}/gateway.yaml`, { readFile: (p) => readFile(p, 'utf8'), env: {} });
    await assert.rejects(
      createGateway({ config: { ...loaded, listen: { host: '127.0.0.1', port } }, store: h.store }),
      (e: unknown) =>
        isHoopError(e, 'config_invalid') && e.message.includes(`listen: 127.0.0.1:${port} is already in use (EADDRINUSE)`) && e.message.startsWith(loaded.file),
    );
  } finally {
    await h.close();
    await new Promise<void>((r) => blocker.close(() => r()));
  }
});

test('metrics.listen: /metrics on its own address only', async () => {
  const h = await startHarness({ config: { metrics: { listen: '127.0.0.1:0' } } });
  try {
    assert.ok(h.gateway.metricsUrl !== undefined && h.gateway.metricsUrl !== h.gateway.url);
    const m = await send(h.gateway.metricsUrl, 'GET', '/metrics');
    assert.equal(m.status, 200);
    assert.ok(parseMetrics(m.body).has('hoopctl_gateway_open_streams{}'));
    assert.equal((await send(h.gateway.url, 'GET', '/metrics')).status, 404);
    assert.equal((await send(h.gateway.metricsUrl, 'GET', '/v1/config')).status, 404);
  } finally {
    await h.close();
  }
});
