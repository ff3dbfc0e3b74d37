/**
 * The recording worker: masks and formats the decoded events of every recorded exec/attach stream of this gateway
 * process off the relay's thread (the cast recorder, unchanged, runs here). Store writes go back to the gateway as
 * messages; a failed write fails the recording there and the gateway cuts the stream.
 */
import { parentPort } from 'node:worker_threads';
import type { CompiledMasking } from '../../policy/compile-masking.js';
import { compileValueMasker } from '../../mask/value-patterns.js';
import type { RecordingPatch } from '../../store/store.js';
import { createCastRecorder, type CastRecorder } from './cast-recorder.js';
import { recordingMasker } from './recording-masker.js';
import type { FromWorker, ToWorker } from './recording-protocol.js';

const port = parentPort!;
const send = (m: FromWorker): void => port.postMessage(m);
const recorders = new Map<string, CastRecorder>();
// Bytes recorded per session by this process: the worker is the only one that takes from it once seeded.
const budgets = new Map<string, { used: number }>();
const calls = new Map<number, { resolve(): void; reject(e: Error): void }>();
let nextCall = 0;
// The time the gateway saw each message's bytes, so a cast's timing is the relay's, not the worker's.
let clock = 0;

function storeCall(post: (call: number) => FromWorker): Promise<void> {
  const call = nextCall++;
  return new Promise<void>((resolve, reject) => {
    calls.set(call, { resolve, reject });
    send(post(call));
  });
}

function open(m: Extract<ToWorker, { op: 'open' }>): void {
  const { record } = m;
  let counter = budgets.get(record.session);
  if (counter === undefined) {
    counter = { used: m.budget.used };
    budgets.set(record.session, counter);
  }
  const c = counter;
  // Only the value patterns reach a recording (maskString); they are plain data and are compiled again here.
  const masking = { enabled: m.masking.enabled, rules: { values: compileValueMasker(m.masking.patterns) } } as unknown as CompiledMasking;
  recorders.set(
    record.id,
    createCastRecorder(record, {
      store: {
        createRecording: () => Promise.resolve(),
        appendRecording: (id: string, n: number, lines: string, patch: RecordingPatch) => storeCall((call) => ({ op: 'append', id, call, n, lines, patch })),
        updateRecording: (id: string, patch: RecordingPatch) => storeCall((call) => ({ op: 'update', id, call, patch })),
      },
      now: () => clock,
      startedMs: m.startedMs,
      createMasker: recordingMasker(masking),
      budget: {
        max: m.budget.max,
        take: (bytes) => {
          if (c.used + bytes > m.budget.max) return false;
          c.used += bytes;
          return true;
        },
      },
      onFailure: (cause) => send({ op: 'failed', id: record.id, message: cause instanceof Error ? cause.message : String(cause) }),
    }),
  );
}

port.on('message', (m: ToWorker) => {
  if (m.op === 'stored') {
    const waiting = calls.get(m.call);
    calls.delete(m.call);
    if (m.error === undefined) waiting?.resolve();
    else waiting?.reject(new Error(m.error));
    return;
  }
  if (m.op === 'open') {
    open(m);
    return;
  }
  clock = m.at;
  const r = recorders.get(m.id);
  if (r === undefined) return;
  if (m.op === 'events') {
    // Structured clone hands Buffers over as plain Uint8Arrays.
    r.record(m.events.map((e) => ('data' in e ? { ...e, data: Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength) } : e)));
    send({ op: 'done', id: m.id, bytes: m.bytes });
  } else if (m.op === 'mark') {
    r.mark(m.text);
  } else {
    recorders.delete(m.id);
    r.finish(m.finalMark).then(
      () => send({ op: 'finished', id: m.id }),
      (e: unknown) => {
        send({ op: 'failed', id: m.id, message: `final write: ${e instanceof Error ? e.message : String(e)}` });
        send({ op: 'finished', id: m.id });
      },
    );
  }
});
