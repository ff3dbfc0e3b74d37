// The final bytes of cut streams, read back by a real WebSocket parser (ws's Receiver, as a client reads them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ws from 'ws';
import {
  closeReasonWhy,
  createWebSocketFrameTracker,
  execEndFrames,
  isExecChannelProtocol,
  isJsonWatch,
  sessionEndedStatus,
  watchErrorEvent,
  webSocketFrame,
} from './stream-end-status.js';

const status = sessionEndedStatus('prod', 'revoked by bob@example.com');

function readAsClient(bytes: Buffer): { messages: { data: Buffer; binary: boolean }[]; close?: { code: number; reason: string } } {
  const out: ReturnType<typeof readAsClient> = { messages: [] };
  // ws exports its frame parser at run time; @types/ws does not declare it.
  const { Receiver } = ws as unknown as {
    Receiver: new (o: { isServer: boolean }) => NodeJS.WritableStream & { on(event: string, fn: (...args: never[]) => void): void };
  };
  const r = new Receiver({ isServer: false });
  r.on('message', (data: Buffer, binary: boolean) => out.messages.push({ data, binary }));
  r.on('conclude', (code: number, reason: Buffer) => {
    out.close = { code, reason: reason.toString() };
  });
  r.write(bytes);
  return out;
}

test('the session-ended Status says why and names the command that reopens the session', () => {
  assert.deepEqual(status, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    reason: 'Unauthorized',
    code: 401,
    message: 'hoopctl session for prod ended (revoked by bob@example.com); run: hoopctl connect prod',
  });
});

test('a watch ends with one ERROR line carrying the Status, as kube-apiserver frames it', () => {
  const line = watchErrorEvent(status).toString('utf8');
  assert.ok(line.endsWith('}\n'));
  assert.equal(line.indexOf('\n'), line.length - 1);
  assert.deepEqual(JSON.parse(line), { type: 'ERROR', object: status });
});

test('isJsonWatch: JSON watches only', () => {
  const table: [string, string | undefined, boolean][] = [
    ['/api/v1/pods?watch=true', 'application/json', true],
    ['/api/v1/pods?resourceVersion=5&watch=1', 'application/json;stream=watch', true],
    ['/api/v1/pods?watch=true', 'application/vnd.kubernetes.protobuf;stream=watch', false],
    ['/api/v1/namespaces/d/pods/p/log?follow=true', 'text/plain', false],
    ['/api/v1/pods?watch=false', 'application/json', false],
    ['/api/v1/pods?notwatch=true', 'application/json', false],
  ];
  for (const [target, type, want] of table) assert.equal(isJsonWatch(target, type), want, `${target} ${type}`);
});

test('v5/v4 exec ends with the Status on error channel 3, then a normal close frame', () => {
  for (const p of ['v5.channel.k8s.io', 'v4.channel.k8s.io']) {
    const got = readAsClient(execEndFrames(p, status)!);
    assert.equal(got.messages.length, 1);
    assert.equal(got.messages[0]!.binary, true);
    assert.equal(got.messages[0]!.data[0], 3);
    assert.deepEqual(JSON.parse(got.messages[0]!.data.subarray(1).toString()), status);
    assert.deepEqual(got.close, { code: 1000, reason: '' });
  }
});

test('base64 and pre-v4 protocols get their own error-channel encoding; port-forward gets nothing', () => {
  const b64 = readAsClient(execEndFrames('v4.base64.channel.k8s.io', status)!);
  const text = b64.messages[0]!.data.toString();
  assert.equal(text[0], '3');
  assert.deepEqual(JSON.parse(Buffer.from(text.slice(1), 'base64').toString()), status);
  const v2 = readAsClient(execEndFrames('v2.channel.k8s.io', status)!);
  assert.equal(v2.messages[0]!.data.subarray(1).toString(), status.message);
  assert.equal(execEndFrames('v2.portforward.k8s.io', status), undefined);
  assert.equal(execEndFrames(undefined, status), undefined);
  assert.equal(isExecChannelProtocol('SPDY/3.1'), false);
});

test('the frame tracker knows frame boundaries across any split, for short, 16-bit and 64-bit lengths, and sees the close frame', () => {
  const frames = [webSocketFrame(2, Buffer.from([1, 104, 105])), webSocketFrame(2, Buffer.alloc(300, 1)), webSocketFrame(2, Buffer.alloc(70_000, 2))];
  const all = Buffer.concat(frames);
  const ends = new Set<number>([0]);
  let at = 0;
  for (const f of frames) {
    at += f.length;
    ends.add(at);
  }
  for (const step of [1, 2, 3, 7, 126, 1000, all.length]) {
    const t = createWebSocketFrameTracker();
    for (let i = 0; i < all.length; i += step) {
      const end = Math.min(all.length, i + step);
      t.observe(all.subarray(i, end));
      assert.equal(t.atBoundary(), ends.has(end), `step ${step} at ${end}`);
    }
    assert.equal(t.closed(), false);
  }
  const t = createWebSocketFrameTracker();
  t.observe(execEndFrames('v5.channel.k8s.io', status)!);
  assert.equal(t.closed(), true);
  assert.equal(t.atBoundary(), true);
});

test('closeReasonWhy words the gateway close reasons that are session ends, and only those', () => {
  const table: [string, string | undefined][] = [
    ['session revoked by bob@example.com', 'revoked by bob@example.com'],
    ['session ended by alice@example.com', 'ended by alice@example.com'],
    ['session expired', 'expired'],
    ['session ended', 'ended at the gateway'],
    ['gateway stopping', undefined],
    ['', undefined],
  ];
  for (const [reason, want] of table) assert.equal(closeReasonWhy(reason), want, reason);
});
