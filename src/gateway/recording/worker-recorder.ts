/**
 * The gateway's side of the recording worker: a CastRecorder whose masking and asciicast formatting run on the
 * worker thread, so the relay's thread only decodes frames, copies the decoded bytes once and stores the lines the
 * worker sends back. Events of one event-loop turn go over in one message, stdout/stderr/stdin runs joined.
 * Nothing passes unrecorded: every relayed byte is posted before the next one is read; a worker that dies or a store
 * write that fails fails the recording, and the caller cuts the stream. When the worker falls more than
 * BACKLOG_HIGH bytes behind, `onBacklog(true)` asks the caller to stop reading until it caught up (`onBacklog(false)`).
 */
import { Worker } from 'node:worker_threads';
import type { CompiledMasking } from '../../policy/compile-masking.js';
import type { RecordingRecord, Store } from '../../store/store.js';
import type { CastRecorder } from './cast-recorder.js';
import type { FromWorker, ToWorker } from './recording-protocol.js';
import type { StreamEvent } from './remote-command-decoder.js';

const BACKLOG_HIGH = 8 << 20;
const BACKLOG_LOW = 2 << 20;
// A joined run stays one cast event: at most this long, so the session cap still stops a recording about where it
// did when every frame was its own event (a line that does not fit the cap is dropped whole).
const MAX_RUN = 16 << 10;

/** What a worker-backed recorder needs from the gateway. */
export interface WorkerRecorderDeps {
  store: Pick<Store, 'createRecording' | 'appendRecording' | 'updateRecording'>;
  now: () => number;
  masking: CompiledMasking;
  /** The session's recording cap and what this process already counted against it. */
  budget: { max: number; used: number };
  /** The recording failed (worker gone, store write failed): the caller cuts the stream. */
  onFailure(cause: unknown): void;
  /** The worker is (true) or is no longer (false) too far behind the relay. */
  onBacklog?(high: boolean): void;
}

interface Handler {
  deps: WorkerRecorderDeps;
  done(bytes: number): void;
  fail(cause: unknown): void;
  finished(): void;
}

interface SharedWorker {
  post(m: ToWorker, transfer?: ArrayBuffer[]): void;
  handlers: Map<string, Handler>;
  add(id: string, h: Handler): void;
  remove(id: string): void;
}

let shared: SharedWorker | undefined;

function startWorker(): SharedWorker {
  const worker = import.meta.url.endsWith('.ts')
    ? // Under tsx (tests) this module is the .ts source and so is its worker, which registers tsx first.
      new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register();
        return import(${JSON.stringify(new URL('./recording-worker.ts', import.meta.url).href)}); });`,
        { eval: true },
      )
    : new Worker(new URL('./recording-worker.js', import.meta.url));
  const handlers = new Map<string, Handler>();
  // Referenced while a recording is open (its finish waits for the worker), not while idle.
  const self: SharedWorker = {
    post: (m, transfer) => worker.postMessage(m, transfer ?? []),
    handlers,
    add: (id, h) => {
      handlers.set(id, h);
      worker.ref();
    },
    remove: (id) => {
      if (handlers.delete(id) && handlers.size === 0) worker.unref();
    },
  };
  const storeCall = (call: number, run: Promise<void>): void => {
    run.then(
      () => self.post({ op: 'stored', call }),
      (e: unknown) => self.post({ op: 'stored', call, error: e instanceof Error ? e.message : String(e) }),
    );
  };
  worker.on('message', (m: FromWorker) => {
    const h = handlers.get(m.id);
    if (m.op === 'append') {
      storeCall(m.call, h === undefined ? Promise.reject(new Error('recording closed')) : h.deps.store.appendRecording(m.id, m.n, m.lines, m.patch));
      return;
    }
    if (m.op === 'update') {
      storeCall(m.call, h === undefined ? Promise.reject(new Error('recording closed')) : h.deps.store.updateRecording(m.id, m.patch));
      return;
    }
    if (h === undefined) return;
    if (m.op === 'done') h.done(m.bytes);
    else if (m.op === 'failed') h.fail(new Error(m.message));
    else h.finished();
  });
  const gone = (cause: Error): void => {
    if (shared === self) shared = undefined;
    for (const h of handlers.values()) h.fail(cause);
    handlers.clear();
  };
  worker.on('error', gone);
  worker.on('exit', (code) => gone(new Error(`the recording worker exited (${code})`)));
  // After the listeners: adding a 'message' listener refs the worker's port again.
  worker.unref();
  return self;
}

// Joins runs of the same stream so the worker masks and formats one piece per run, and copies every byte once into
// a buffer of its own, which is transferred (not copied again) to the worker.
function batch(events: StreamEvent[]): { events: StreamEvent[]; transfer: ArrayBuffer[]; bytes: number } {
  const out: StreamEvent[] = [];
  const transfer: ArrayBuffer[] = [];
  let bytes = 0;
  for (let i = 0; i < events.length;) {
    const e = events[i]!;
    if (!('data' in e)) {
      out.push(e);
      i++;
      continue;
    }
    let end = i;
    let size = 0;
    while (end < events.length) {
      const next = events[end]!;
      if (!('data' in next) || next.type !== e.type || (end > i && size + next.data.length > MAX_RUN)) break;
      size += next.data.length;
      end++;
    }
    const joined = new Uint8Array(size);
    for (let k = i, off = 0; k < end; k++) {
      const d = (events[k] as { data: Buffer }).data;
      joined.set(d, off);
      off += d.length;
    }
    out.push({ type: e.type, data: joined as Buffer });
    transfer.push(joined.buffer);
    bytes += size;
    i = end;
  }
  return { events: out, transfer, bytes };
}

/** A CastRecorder for `record` whose masking and formatting run on the shared recording worker. */
export function createWorkerRecorder(record: RecordingRecord, deps: WorkerRecorderDeps): CastRecorder {
  const { id } = record;
  let queued: StreamEvent[] = [];
  let queuedAt = 0;
  let scheduled = false;
  let backlog = 0;
  let high = false;
  let failed = false;
  let worker: SharedWorker | undefined;
  let finishing: { resolve(): void } | undefined;

  const fail = (cause: unknown): void => {
    if (failed) return;
    failed = true;
    worker?.remove(id);
    finishing?.resolve();
    deps.onFailure(cause);
  };
  const post = (): void => {
    scheduled = false;
    if (queued.length === 0 || worker === undefined || failed) return;
    const b = batch(queued);
    queued = [];
    backlog += b.bytes;
    worker.post({ op: 'events', id, events: b.events, bytes: b.bytes, at: queuedAt }, b.transfer);
    if (!high && backlog > BACKLOG_HIGH) {
      high = true;
      deps.onBacklog?.(true);
    }
  };
  const handler: Handler = {
    deps,
    done(bytes) {
      backlog -= bytes;
      if (high && backlog < BACKLOG_LOW) {
        high = false;
        deps.onBacklog?.(false);
      }
    },
    fail,
    finished() {
      worker?.remove(id);
      finishing?.resolve();
    },
  };
  return {
    id,
    async start() {
      await deps.store.createRecording(record);
      worker = shared ??= startWorker();
      worker.add(id, handler);
      worker.post({
        op: 'open',
        record,
        startedMs: deps.now(),
        budget: deps.budget,
        masking: { enabled: deps.masking.enabled, patterns: deps.masking.rules.values.patterns },
      });
    },
    record(events) {
      if (failed || events.length === 0) return;
      // A pipe's 'drain' may have resumed a paused socket: pause it again until the worker caught up.
      if (high) deps.onBacklog?.(true);
      if (queued.length === 0) queuedAt = deps.now();
      for (const e of events) queued.push(e);
      if (!scheduled) {
        scheduled = true;
        setImmediate(post);
      }
    },
    mark(text) {
      post();
      worker?.post({ op: 'mark', id, text, at: deps.now() });
    },
    async finish(finalMark) {
      post();
      if (worker === undefined || failed) return;
      const w = worker;
      await new Promise<void>((resolve) => {
        finishing = { resolve };
        w.post({ op: 'finish', id, at: deps.now(), finalMark });
      });
    },
  };
}
