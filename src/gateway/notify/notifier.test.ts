import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotifier } from './notifier.js';
import { describeEvent, requestNotifications } from './messages.js';
import type { AccessRequestView } from '../../api/wire.js';

const secretUrl = 'https://hooks.slack.example/services/T0/B0/secret-token';
// The notifier's retry timers are unref'd (they must not hold a stopping gateway open): keep this test process alive.
const keepAlive = setInterval(() => undefined, 1000);
test.after(() => clearInterval(keepAlive));

test('notifier: retries with doubling backoff, never blocks send(), logs failures by origin only', async () => {
  const lines: string[] = [];
  const attempts: number[] = [];
  let n = 0;
  const notifier = createNotifier({
    log: (l) => lines.push(l),
    backoffMs: 5,
    attempts: 4,
    fetch: async () => {
      n += 1;
      attempts.push(Date.now());
      return new Response('x', { status: n < 3 ? 500 : 200 });
    },
  });
  notifier.send([{ target: { type: 'slack', url: secretUrl }, body: { text: 'hi' } }]);
  assert.equal(n, 1, 'the first attempt starts at once');
  await notifier.idle();
  assert.equal(n, 3);
  assert.deepEqual(lines, [
    'notification (slack) to https://hooks.slack.example failed (attempt 1/4: HTTP 500); retrying in 5 ms',
    'notification (slack) to https://hooks.slack.example failed (attempt 2/4: HTTP 500); retrying in 10 ms',
  ]);
  assert.ok(attempts[2]! - attempts[1]! >= 9, 'the second retry waits twice as long');
});

test('notifier: gives up after the last attempt and says so; close drops the queue', async () => {
  const lines: string[] = [];
  const notifier = createNotifier({
    log: (l) => lines.push(l),
    backoffMs: 1,
    attempts: 2,
    fetch: async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    },
  });
  notifier.send([{ target: { type: 'webhook', url: 'http://127.0.0.1:9/hook?token=abc' }, body: {} }]);
  await notifier.idle();
  assert.equal(lines.at(-1), 'notification (webhook) to http://127.0.0.1:9 failed for good after 2 attempts: ECONNREFUSED');
  assert.ok(lines.every((l) => !l.includes('token=abc')));
  // Closed while the message waits for its retry: the first attempt failed and the 60 s backoff started.
  let backingOff!: () => void;
  const waiting = new Promise<void>((r) => {
    backingOff = r;
  });
  const slow = createNotifier({
    log: (l) => {
      lines.push(l);
      if (l.includes('retrying in 60000 ms')) backingOff();
    },
    backoffMs: 60_000,
    fetch: async () => new Response('', { status: 503 }),
  });
  slow.send([{ target: { type: 'webhook', url: 'http://127.0.0.1:9/' }, body: {} }]);
  await waiting;
  slow.close();
  await slow.idle();
  assert.equal(lines.at(-1), 'notifications: 1 message(s) not delivered (gateway stopping)');
});

test('messages: the webhook carries the request and the commands; Slack gets text naming them', () => {
  const r: AccessRequestView = {
    id: 'a1b2c3d4e5f6',
    kind: 'command',
    status: 'pending',
    user: 'alice',
    connection: 'prod',
    summary: 'delete configmaps <x> -n demo',
    rule: 'guardrails[1] (review)',
    approvers: ['sre'],
    minApprovals: 1,
    approvals: [],
    denials: [],
    createdAt: 'c',
    expiresAt: 'e',
    canApprove: false,
  };
  const [hook, slack] = requestNotifications(
    [
      { type: 'webhook', url: 'http://h/' },
      { type: 'slack', url: secretUrl },
    ],
    'https://gw',
    'request.created',
    r,
    'alice',
  );
  assert.deepEqual((hook!.body as { commands: unknown }).commands, {
    approve: 'hoopctl approve a1b2c3d4e5f6',
    deny: 'hoopctl deny a1b2c3d4e5f6',
    wait: 'hoopctl wait a1b2c3d4e5f6',
  });
  assert.equal((hook!.body as { event: string }).event, 'request.created');
  assert.equal((hook!.body as { link: string }).link, 'https://gw/ui/requests/a1b2c3d4e5f6');
  const text = slack!.body as { text: string; blocks: { text: { text: string } }[] };
  assert.match(
    text.text,
    /^alice asks for delete configmaps <x> -n demo on prod; 0\/1 approvals from sre needed\. Request a1b2c3d4e5f6\. Approve: hoopctl approve a1b2c3d4e5f6/,
  );
  assert.match(
    text.blocks[0]!.text.text,
    /&lt;x&gt;.*\nApprove: `hoopctl approve a1b2c3d4e5f6`.*\n<https:\/\/gw\/ui\/requests\/a1b2c3d4e5f6\|Open the request in the console>$/s,
  );
  assert.match(text.text, / https:\/\/gw\/ui\/requests\/a1b2c3d4e5f6$/);
  assert.equal(describeEvent('request.denied', r, 'sam'), 'Request a1b2c3d4e5f6 of alice was denied: delete configmaps <x> -n demo on prod (by sam).');
});
