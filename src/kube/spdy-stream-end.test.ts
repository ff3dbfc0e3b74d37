import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spdyHeaderDeflate, spdySynStream } from '../../test/support/spdy-client-frames.js';
import { createSpdyReader } from './spdy-frames.js';
import { createSpdyStreamEndTracker, spdyDataFrame, spdyExecProtocol } from './spdy-stream-end.js';
import { sessionEndedStatus } from './stream-end-status.js';

// The client's SYN_STREAMs, compressed as client-go's spdystream does: one zlib stream seeded with the SPDY/3 dictionary.
async function synStreams(streams: [number, string][]): Promise<Buffer> {
  const deflate = spdyHeaderDeflate();
  const out: Buffer[] = [];
  for (const [id, type] of streams) out.push(await spdySynStream(deflate, id, { streamtype: type }));
  return Buffer.concat(out);
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.from([0x80, 3, 0, type, 0, 0, 0, 0]);
  h.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const status = sessionEndedStatus('prod', 'revoked by bob');

function fedByteByByte(feed: (c: Buffer) => void, bytes: Buffer): void {
  for (let i = 0; i < bytes.length; i++) feed(bytes.subarray(i, i + 1));
}

test('spdyExecProtocol: SPDY remote command protocols only (not WebSocket, not port-forward)', () => {
  assert.equal(spdyExecProtocol('SPDY/3.1', 'v4.channel.k8s.io'), 'v4.channel.k8s.io');
  assert.equal(spdyExecProtocol('spdy/3.1', 'channel.k8s.io'), 'channel.k8s.io');
  assert.equal(spdyExecProtocol('SPDY/3.1', 'portforward.k8s.io'), undefined);
  assert.equal(spdyExecProtocol('websocket', 'v4.channel.k8s.io'), undefined);
  assert.equal(spdyExecProtocol('SPDY/3.1', undefined), undefined);
});

test('v4: the Status goes on the client-named error stream with FIN, every other open stream gets FIN, in frames a SPDY reader reads back', async () => {
  const t = createSpdyStreamEndTracker('v4.channel.k8s.io');
  // error is not the first stream here, so the tracker must read the names, not guess from the order.
  fedByteByByte(
    t.fromClient,
    Buffer.concat([
      await synStreams([
        [1, 'stdin'],
        [3, 'stdout'],
        [5, 'error'],
        [7, 'stderr'],
      ]),
      spdyDataFrame(1, false, Buffer.from('typed\n')),
    ]),
  );
  t.fromServer(
    Buffer.concat([
      control(2, 0, Buffer.concat([u32(1), Buffer.alloc(2)])),
      spdyDataFrame(3, false, Buffer.from('out')),
      spdyDataFrame(7, true, Buffer.alloc(0)),
    ]),
  );
  assert.equal(t.atBoundary(), true);
  assert.equal(t.closed(), false);
  const events = createSpdyReader(false)(t.endFrames(status)!);
  assert.deepEqual(
    events.map((e) => [e.kind, 'streamId' in e ? e.streamId : 0, 'fin' in e ? e.fin : false]),
    [
      ['data', 5, true],
      ['data', 1, true],
      ['data', 3, true], // stream 7 (stderr) was already finished by the server
    ],
  );
  const first = events[0]!;
  assert.deepEqual(first.kind === 'data' ? JSON.parse(first.data.toString('utf8')) : undefined, status);
});

test('v1–v3 carry the message as text on the error stream', async () => {
  const t = createSpdyStreamEndTracker('v3.channel.k8s.io');
  t.fromClient(await synStreams([[1, 'error']]));
  const [e] = createSpdyReader(false)(t.endFrames(status)!);
  assert.equal(e?.kind === 'data' ? e.data.toString('utf8') : undefined, status.message);
});

test('nothing is added mid-frame, after the server ended the error stream or the connection, or without an error stream', async () => {
  const syn = await synStreams([
    [1, 'error'],
    [3, 'stdout'],
  ]);
  const mid = createSpdyStreamEndTracker('v4.channel.k8s.io');
  mid.fromClient(syn);
  mid.fromServer(spdyDataFrame(3, false, Buffer.from('partial output')).subarray(0, 12));
  assert.equal(mid.atBoundary(), false);
  assert.equal(mid.endFrames(status), undefined);

  const ended = createSpdyStreamEndTracker('v4.channel.k8s.io');
  ended.fromClient(syn);
  ended.fromServer(spdyDataFrame(1, true, Buffer.from('{"status":"Success"}')));
  assert.equal(ended.closed(), true);
  assert.equal(ended.endFrames(status), undefined);

  const reset = createSpdyStreamEndTracker('v4.channel.k8s.io');
  reset.fromClient(syn);
  reset.fromServer(control(3, 0, Buffer.concat([u32(1), u32(5)])));
  assert.equal(reset.endFrames(status), undefined);

  const gone = createSpdyStreamEndTracker('v4.channel.k8s.io');
  gone.fromClient(syn);
  gone.fromServer(control(7, 0, Buffer.concat([u32(3), u32(0)])));
  assert.equal(gone.closed(), true);
  assert.equal(gone.endFrames(status), undefined);

  const unnamed = createSpdyStreamEndTracker('v4.channel.k8s.io');
  unnamed.fromClient(await synStreams([[1, 'stdout']]));
  assert.equal(unnamed.endFrames(status), undefined);

  const garbage = createSpdyStreamEndTracker('v4.channel.k8s.io');
  garbage.fromClient(Buffer.concat([Buffer.from([0x80, 2, 0, 1]), u32(0)])); // SPDY/2: not followed
  assert.equal(garbage.endFrames(status), undefined);
});
