import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCast } from '../../audit/asciicast.js';
import { DEFAULT_MASK_RULES } from '../../mask/index.js';
import type { CompiledMasking } from '../../policy/compile-masking.js';
import type { RecordingPatch, RecordingRecord } from '../../store/store.js';
import { NEW_RECORDING } from './cast-recorder.js';
import { createWorkerRecorder } from './worker-recorder.js';

const masking = { enabled: true, rules: DEFAULT_MASK_RULES } as unknown as CompiledMasking;

function record(id: string): RecordingRecord {
  return {
    id,
    session: `s-${id}`,
    auditID: 'a',
    user: 'u',
    connection: 'c',
    subresource: 'exec',
    protocol: 'v5.channel.k8s.io',
    transport: 'websocket',
    namespace: 'n',
    pod: 'p',
    container: null,
    command: ['sh'],
    tty: false,
    startedAt: '2026-12-02T16:00:00.000Z',
    ...NEW_RECORDING,
    maskedCount: 0,
  };
}

function memoryStore(failAppend = false) {
  const chunks: string[] = [];
  const patches: RecordingPatch[] = [];
  return {
    chunks,
    patches,
    createRecording: () => Promise.resolve(),
    appendRecording: (_id: string, _n: number, lines: string, patch: RecordingPatch) => {
      if (failAppend) return Promise.reject(new Error('disk full'));
      chunks.push(lines);
      patches.push(patch);
      return Promise.resolve();
    },
    updateRecording: (_id: string, patch: RecordingPatch) => {
      patches.push(patch);
      return Promise.resolve();
    },
  };
}

test('the worker recorder masks and formats on the worker; every byte of every event reaches the cast, in order', async () => {
  const store = memoryStore();
  const failures: unknown[] = [];
  const r = createWorkerRecorder(record('ok'), { store, now: () => 1_000, masking, budget: { max: 1 << 30, used: 0 }, onFailure: (e) => failures.push(e) });
  await r.start();
  const out = Array.from({ length: 300 }, (_, i) => `line ${i}\n`).join('');
  // Split at arbitrary points, in several turns of the event loop, with stderr, a resize and stdin in between.
  for (let i = 0; i < out.length; i += 97) r.record([{ type: 'stdout', data: Buffer.from(out.slice(i, i + 97)) }]);
  await new Promise((resolve) => setImmediate(resolve));
  r.record([
    { type: 'stderr', data: Buffer.from('warn: password=hunter2\n') },
    { type: 'resize', width: 120, height: 40 },
  ]);
  r.record([
    { type: 'stdin', data: Buffer.from('exit\r') },
    { type: 'status', status: { status: 'Success' } },
  ]);
  await r.finish();
  assert.deepEqual(failures, []);
  const cast = parseCast(`${JSON.stringify({ version: 2, width: 80, height: 24 })}\n${store.chunks.join('')}`);
  const text = (code: string): string =>
    cast.events
      .filter((e) => e[1] === code)
      .map((e) => e[2])
      .join('');
  assert.equal(text('o'), `${out}warn: password=**hoopctl-masked**\n`);
  assert.equal(text('i'), 'exit\r');
  assert.equal(text('r'), '120x40');
  const last = store.patches.at(-1)!;
  assert.equal(last.exitCode, 0);
  assert.equal(last.maskedCount, 1);
});

test('a store write that fails fails the recording (the caller cuts the stream)', async () => {
  const failures: unknown[] = [];
  const r = createWorkerRecorder(record('bad'), {
    store: memoryStore(true),
    now: () => 1_000,
    masking,
    budget: { max: 1 << 30, used: 0 },
    onFailure: (e) => failures.push(e),
  });
  await r.start();
  r.record([{ type: 'stdout', data: Buffer.alloc(100_000, 0x61) }]);
  await r.finish();
  assert.equal(failures.length, 1);
  assert.match(String(failures[0]), /disk full/);
});
