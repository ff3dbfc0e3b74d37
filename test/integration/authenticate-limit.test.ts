// Requests that fail authentication are bounded per source address (a token bucket, 20/s, bursts of 100), on a real
// gateway with its clock in the test's hands: within the burst each is answered 401 and audited on its own; over it
// the answer is 429 + Retry-After, and the refused requests of one interval become ONE audit event with their count
// (written when the interval ends, or when the gateway stops); requests that authenticate are never limited.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { DEFAULT_AUTH_FAILURE_LIMIT } from '../../src/gateway/auth-failure-limit.js';
import { openUpgrade, send, startHarness, type Harness } from './gateway-harness.js';

let h: Harness;
let t = Date.now();
const { burst, intervalMs } = DEFAULT_AUTH_FAILURE_LIMIT;
const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

before(async () => {
  h = await startHarness({ now: () => t });
});
after(async () => {
  await h?.close();
});

const unauthenticated = (i: number) =>
  send(h.gateway.url, 'GET', `/k8s/prod/api/v1/namespaces/default/pods?i=${i}`, { 'user-agent': `flood-${'x'.repeat(2000)}` });
const events = async (): Promise<AuditEvent[]> => h.store.listAudit({ limit: 100_000 });
const limitedEvents = async (): Promise<AuditEvent[]> => (await events()).filter((e) => e.rule === 'gateway:rate-limit');

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

test('over the burst: 429 with Retry-After, one aggregated audit event per interval with the count; sessions are not limited', async () => {
  const s = await send(
    h.gateway.url,
    'POST',
    '/v1/sessions',
    { ...bearer(h.idTokens.alice), 'content-type': 'application/json' },
    JSON.stringify({ connection: 'prod' }),
  );
  assert.equal(s.status, 201, s.body);
  for (let i = 0; i < burst; i++) assert.equal((await unauthenticated(i)).status, 401);
  const audited = (await events()).filter((e) => e.rule === 'gateway:authenticate');
  assert.equal(audited.length, burst, 'each request within the burst is audited on its own');
  assert.ok(
    audited.every((e) => e.userAgent!.length < 600 && e.userAgent!.includes('[cut: 2006 characters')),
    'the User-Agent is stored cut',
  );

  const over = [];
  for (let i = 0; i < 5; i++) over.push(await unauthenticated(burst + i));
  for (const r of over) {
    assert.equal(r.status, 429, r.body);
    assert.equal(r.headers['retry-after'], '1');
    assert.deepEqual([r.json.kind, r.json.reason, r.json.code, r.json.details?.retryAfterSeconds], ['Status', 'TooManyRequests', 429, 1]);
  }
  // Requests with a session from the same address are not limited.
  for (let i = 0; i < 3; i++) {
    const ok = await send(h.gateway.url, 'GET', '/k8s/prod/api/v1/namespaces/default/pods', bearer(s.json.token));
    assert.equal(ok.status, 200, ok.body);
  }
  assert.equal((await events()).filter((e) => e.rule === 'gateway:authenticate').length, burst, 'the refused requests have no event of their own');
  assert.deepEqual(await limitedEvents(), [], 'the batch is written when its interval ends');

  // The interval ends: the next request from the source is within the limit again (the bucket refilled), and the batch is written.
  t += intervalMs;
  assert.equal((await unauthenticated(0)).status, 401);
  await until('the aggregated event is written', async () => (await limitedEvents()).length === 1);
  const [agg] = await limitedEvents();
  assert.deepEqual(
    [agg!.decision, agg!.responseStatus, agg!.sourceIP, agg!.annotations?.['ratelimit.hoopctl.dev/refused-requests']],
    ['deny', 429, '127.0.0.1', '5'],
  );
  assert.match(agg!.message!, /^5 unauthenticated request\(s\) from 127\.0\.0\.1 refused by the rate limit/);
  const metrics = (await send(h.gateway.url, 'GET', '/metrics')).body;
  assert.match(metrics, /^hoopctl_gateway_unauthenticated_rate_limited_total 5$/m);
});

test('counted refusals still get their event when the gateway stops before the interval ends', async () => {
  t += intervalMs;
  for (let i = 0; i < burst; i++) assert.equal((await unauthenticated(i)).status, 401);
  for (let i = 0; i < 2; i++) assert.equal((await unauthenticated(i)).status, 429);
  // An exec-style upgrade without a session is refused the same way.
  const upgrade = await openUpgrade(h.gateway.url, '/k8s/echo/api/v1/namespaces/default/pods/p/exec?command=sh', { upgrade: 'SPDY/3.1' });
  assert.equal(upgrade.kind, 'refused');
  if (upgrade.kind === 'refused') assert.deepEqual([upgrade.answer.status, upgrade.answer.headers['retry-after']], [429, '1']);
  assert.equal((await limitedEvents()).length, 1);
  await h.gateway.close();
  const batches = await limitedEvents();
  assert.deepEqual(batches.map((e) => e.annotations?.['ratelimit.hoopctl.dev/refused-requests']).sort(), ['3', '5']);
});
