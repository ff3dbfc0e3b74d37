import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCast } from '../../audit/asciicast.js';
import type { RecordingPatch, RecordingRecord } from '../../store/store.js';
import { DEFAULT_MASK_RULES } from '../../mask/index.js';
import { createCastRecorder, NEW_RECORDING, type TextMasker } from './cast-recorder.js';
import { recordingMasker } from './record-upgrade.js';
import { recordingRecord } from '../../../test/support/store-contract.js';
import { createRemoteCommandDecoder } from './remote-command-decoder.js';
import { spdyHeaderDeflate, spdySynStream as synStream } from '../../../test/support/spdy-client-frames.js';
import { createWebSocketReader } from './websocket-frames.js';

function wsFrame(payload: Buffer, o: { opcode?: number; fin?: boolean; mask?: boolean } = {}): Buffer {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([0, len])
      : len < 65536
        ? Buffer.from([0, 126, len >> 8, len & 255])
        : Buffer.concat([
            Buffer.from([0, 127]),
            (() => {
              const b = Buffer.alloc(8);
              b.writeBigUInt64BE(BigInt(len));
              return b;
            })(),
          ]);
  head[0] = ((o.fin ?? true) ? 0x80 : 0) | (o.opcode ?? 2);
  if (!o.mask) return Buffer.concat([head, payload]);
  head[1]! |= 0x80;
  const key = Buffer.from([9, 8, 7, 6]);
  return Buffer.concat([head, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))]);
}

test('WebSocket reader: masked, fragmented, every length form, split at any byte; extensions refused', () => {
  const big = Buffer.alloc(70_000, 0x61);
  const wire = Buffer.concat([
    wsFrame(Buffer.from([0, ...Buffer.from('he')]), { fin: false, mask: true }),
    wsFrame(Buffer.from('llo'), { opcode: 0, mask: true }),
    wsFrame(Buffer.from('ping'), { opcode: 9 }),
    wsFrame(Buffer.concat([Buffer.from([1]), Buffer.alloc(300, 0x62)])),
    wsFrame(Buffer.concat([Buffer.from([1]), big]), { mask: true }),
  ]);
  const read = createWebSocketReader();
  const pieces = [...wire].flatMap((_, i) => (i % 997 === 0 ? read(wire.subarray(i, i + 997)) : []));
  const messages: string[] = [];
  for (const p of pieces) {
    if (p.first) messages.push(`${p.opcode}:`);
    messages[messages.length - 1] += p.data.toString('latin1');
  }
  assert.deepEqual(
    messages.map((m) => m.length),
    [2 + 1 + 5, 6, 2 + 1 + 300, 2 + 1 + 70_000],
  );
  assert.equal(messages[0], '2:\0hello');
  assert.equal(messages[1], '9:ping');
  assert.throws(() => createWebSocketReader()(Buffer.from([0xc2, 0x00])), /extension/);
});

test('WebSocket decoder (v5 and base64): stdin, stdout, stderr, resize, close signal, status', () => {
  const d = createRemoteCommandDecoder('websocket', 'v5.channel.k8s.io');
  const ch = (c: number, text: string, mask = false): Buffer => wsFrame(Buffer.concat([Buffer.from([c]), Buffer.from(text)]), { mask });
  assert.deepEqual(
    d.fromClient(Buffer.concat([ch(0, 'ls\n', true), ch(4, '{"Width":120,"Height":40}', true), wsFrame(Buffer.from([255, 0]), { mask: true })])),
    [
      { type: 'stdin', data: Buffer.from('ls\n') },
      { type: 'resize', width: 120, height: 40 },
    ],
  );
  assert.deepEqual(d.fromServer(Buffer.concat([ch(1, ''), ch(1, 'out'), ch(2, 'err'), ch(3, '{"metadata":{},"status":"Success"}')])), [
    { type: 'stdout', data: Buffer.from('out') },
    { type: 'stderr', data: Buffer.from('err') },
  ]);
  assert.deepEqual(d.end(), [{ type: 'status', status: { metadata: {}, status: 'Success' } }]);
  const b64 = createRemoteCommandDecoder('websocket', 'base64.channel.k8s.io');
  assert.deepEqual(b64.fromServer(wsFrame(Buffer.from(`1${Buffer.from('hi there').toString('base64')}`), { opcode: 1 })), [
    { type: 'stdout', data: Buffer.from('hi there') },
  ]);
});

function data(id: number, text: string, fin = false): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(id, 0);
  h.writeUInt32BE((((fin ? 1 : 0) << 24) | text.length) >>> 0, 4);
  return Buffer.concat([h, Buffer.from(text)]);
}

test('SPDY decoder: streams named by streamType in one shared zlib context; data by stream; status at the end', async () => {
  const deflate = spdyHeaderDeflate();
  const client = Buffer.concat([
    await synStream(deflate, 1, { streamtype: 'error' }),
    await synStream(deflate, 3, { streamtype: 'stdin' }),
    await synStream(deflate, 5, { streamtype: 'stdout' }),
    data(3, 'typed\n', true),
  ]);
  const d = createRemoteCommandDecoder('spdy', 'v4.channel.k8s.io');
  assert.deepEqual(
    [...client].flatMap((_, i) => d.fromClient(client.subarray(i, i + 1))),
    [{ type: 'stdin', data: Buffer.from('typed\n') }],
  );
  assert.deepEqual(
    d.fromServer(
      Buffer.concat([
        data(5, 'shown\n'),
        data(5, '', true),
        data(1, '{"metadata":{},"status":"Failure","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"7"}]}}'),
      ]),
    ),
    [{ type: 'stdout', data: Buffer.from('shown\n') }],
  );
  const last = d.end()[0];
  assert.equal(last?.type, 'status');
  assert.equal(last.type === 'status' ? last.status['reason'] : undefined, 'NonZeroExitCode');
});

function memoryStore() {
  const recs = new Map<string, RecordingRecord>();
  const chunks: string[] = [];
  return {
    recs,
    chunks,
    createRecording: async (r: RecordingRecord) => {
      recs.set(r.id, { ...r });
    },
    appendRecording: async (id: string, n: number, lines: string, patch: RecordingPatch) => {
      assert.equal(n, chunks.length);
      chunks.push(lines);
      Object.assign(recs.get(id)!, patch);
    },
    updateRecording: async (id: string, patch: RecordingPatch) => {
      Object.assign(recs.get(id)!, patch);
    },
  };
}

const record: RecordingRecord = recordingRecord('r1', NEW_RECORDING);

// Masks "hunter2" on complete lines only, like the gateway's line masker.
function masker(): TextMasker {
  let pending = '';
  let n = 0;
  const mask = (s: string): string =>
    s.replace(/hunter2/g, () => {
      n++;
      return '***';
    });
  return {
    push(t) {
      pending += t;
      const cut = pending.lastIndexOf('\n') + 1;
      const out = pending.slice(0, cut);
      pending = pending.slice(cut);
      return mask(out);
    },
    end() {
      const out = pending;
      pending = '';
      return mask(out);
    },
    masked: () => n,
  };
}

test('recorder: masked input held to Enter, resize sets the header, exit code from the status, cap marks and stops', async () => {
  const store = memoryStore();
  let now = 1_000;
  let failed: unknown;
  let used = 0;
  const rec = createCastRecorder(record, {
    store,
    now: () => now,
    createMasker: masker,
    onFailure: (e) => {
      failed = e;
    },
    idleFlushMs: 5,
    flushMs: 5,
    budget: { max: 400, take: (b) => (used + b > 400 ? false : ((used += b), true)) },
  });
  await rec.start();
  rec.record([{ type: 'resize', width: 100, height: 30 }]);
  for (const ch of 'hunter2\r') {
    now += 100;
    rec.record([{ type: 'stdin', data: Buffer.from(ch) }]);
  }
  now += 100;
  rec.record([
    { type: 'stdout', data: Buffer.from('prompt$ ') },
    { type: 'stdout', data: Buffer.from([0xe2, 0x82]) },
    { type: 'stdout', data: Buffer.from([0xac, 0x0a]) },
  ]);
  rec.record([{ type: 'status', status: { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } } }]);
  now += 100;
  rec.record([
    { type: 'stdout', data: Buffer.alloc(500, 0x41) },
    { type: 'stdout', data: Buffer.from('\nlater\n') },
  ]);
  await rec.finish();
  assert.equal(failed, undefined);
  const meta = store.recs.get('r1')!;
  assert.deepEqual([meta.width, meta.height, meta.exitCode, meta.truncated, meta.maskedCount], [100, 30, 2, true, 1]);
  const cast = parseCast(`${JSON.stringify({ version: 2, width: meta.width, height: meta.height })}\n${store.chunks.join('')}`);
  assert.deepEqual(
    cast.events.map((e) => [e[1], e[2]]),
    [
      ['r', '100x30'],
      ['i', '***\r'],
      ['o', 'prompt$ €\n'],
      ['m', "hoopctl: this session's recording cap (400 bytes) was reached here; the stream went on unrecorded"],
    ],
  );
  assert.equal(meta.bytes, Buffer.byteLength(store.chunks.join('')));
  assert.ok(cast.events[1]![0] >= 0.7, 'input is timed when Enter came');
});

test('recorder: a store failure is reported once so the stream can be cut', async () => {
  let failures = 0;
  const rec = createCastRecorder(record, {
    store: {
      ...memoryStore(),
      appendRecording: async () => {
        throw new Error('disk full');
      },
    },
    now: () => 0,
    createMasker: masker,
    onFailure: () => {
      failures++;
    },
    flushMs: 1,
    budget: { max: 1e9, take: () => true },
  });
  rec.record([{ type: 'stdout', data: Buffer.from('a\n') }]);
  await new Promise((r) => setTimeout(r, 20));
  rec.record([{ type: 'stdout', data: Buffer.from('b\n') }]);
  await rec.finish();
  assert.equal(failures, 1);
});

test("recorder: the header has the client's first size even when output came before it; a cut is marked after the last output", async () => {
  const store = memoryStore();
  let now = 1_000;
  const rec = createCastRecorder(record, {
    store,
    now: () => now,
    createMasker: masker,
    onFailure: () => undefined,
    idleFlushMs: 5,
    flushMs: 5,
    budget: { max: 1e9, take: () => true },
  });
  await rec.start();
  rec.record([{ type: 'stdout', data: Buffer.from('welcome\n') }]);
  now += 30;
  rec.record([{ type: 'resize', width: 132, height: 40 }]);
  now += 500;
  rec.record([
    { type: 'resize', width: 100, height: 30 },
    { type: 'stdout', data: Buffer.from('partial line, no newline') },
  ]);
  now += 100;
  await rec.finish('hoopctl: the stream was cut here (session revoked by bob)');
  const meta = store.recs.get('r1')!;
  assert.deepEqual([meta.width, meta.height, meta.exitCode], [132, 40, null], 'the first size the client sent, not the default 80x24 nor a later one');
  const cast = parseCast(`${JSON.stringify({ version: 2, width: meta.width, height: meta.height })}\n${store.chunks.join('')}`);
  assert.deepEqual(
    cast.events.map((e) => [e[1], e[2]]),
    [
      ['o', 'welcome\n'],
      ['r', '132x40'],
      ['r', '100x30'],
      ['o', 'partial line, no newline'],
      ['m', 'hoopctl: the stream was cut here (session revoked by bob)'],
    ],
  );
});

test('recording masker: value patterns over runs of whole lines; a private key split across writes stays masked; off when masking is off', () => {
  const m = recordingMasker({ enabled: true, rules: DEFAULT_MASK_RULES, exceptions: [] })();
  const out =
    m.push('ok\npassw') +
    m.push('ord=hunter2\n-----BEGIN RSA PRIVATE KEY-----\nMIIEabc') +
    m.push('\nMIIEdef\n') +
    m.push('-----END RSA PRIVATE KEY-----\nafter\n') +
    m.end();
  assert.doesNotMatch(out, /hunter2|MIIE/);
  assert.match(out, /^ok\npassword=\*\*hoopctl-masked\*\*\n/);
  assert.match(out, /after\n$/);
  assert.equal(m.masked(), 2);
  const off = recordingMasker({ enabled: false, rules: DEFAULT_MASK_RULES, exceptions: [] })();
  assert.equal(off.push('password=hunter2\n'), 'password=hunter2\n');
});
