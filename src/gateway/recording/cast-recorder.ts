/**
 * Turns the decoded events of one exec/attach stream into an asciicast v2 recording in the store:
 * stdout/stderr as "o", stdin as "i" (both masked by the value patterns, line by line, so a secret
 * typed or printed across several writes is still one line to the masker), resizes as "r". Lines are
 * written in chunks; when the session's byte cap is reached an "m" marker says so, the recording is
 * flagged truncated and stops, and the stream itself goes on.
 */
import { StringDecoder } from 'node:string_decoder';
import { castEventLine, type CastCode } from '../../audit/asciicast.js';
import type { RecordingPatch, RecordingRecord, Store } from '../../store/store.js';
import type { StreamEvent } from './remote-command-decoder.js';

/** Masks a text stream line by line (injected: the gateway passes its value patterns). */
export interface TextMasker {
  /** Masked complete lines of what was pushed so far. */
  push(text: string): string;
  /** Masks and returns the pending partial line. */
  end(): string;
  /** Values masked so far. */
  masked(): number;
}

/** How many bytes a session may still record. */
export interface RecordingBudget {
  readonly max: number;
  /** Reserves `bytes`; false once the session's cap would be exceeded (nothing reserved then). */
  take(bytes: number): boolean;
}

/** What the recorder needs from the gateway. */
export interface CastRecorderDeps {
  store: Pick<Store, 'createRecording' | 'appendRecording' | 'updateRecording'>;
  now: () => number;
  /** When the stream started (default: now); the recording worker gets it from the gateway. */
  startedMs?: number;
  createMasker: () => TextMasker;
  budget: RecordingBudget;
  /** A write to the store failed: the caller cuts the stream (nothing goes unrecorded). */
  onFailure(cause: unknown): void;
  /** Output without a newline is written after this much quiet (a prompt), default 150 ms. */
  idleFlushMs?: number;
  /** Buffered lines go to the store at this size or after flushMs, defaults 64 KiB / 250 ms. */
  chunkBytes?: number;
  flushMs?: number;
}

/** One recording in progress. */
export interface CastRecorder {
  readonly id: string;
  /** Creates the recording in the store. */
  start(): Promise<void>;
  /** Records decoded events (never throws). */
  record(events: StreamEvent[]): void;
  /** Records a marker event (e.g. why the stream was cut). */
  mark(text: string): void;
  /** Flushes everything, then (when given) a last marker saying why the stream ended, and writes the final metadata. */
  finish(finalMark?: string): Promise<void>;
}

function exitCodeOf(status: Record<string, unknown>): number | null {
  if (status['status'] === 'Success') return 0;
  const causes = (status['details'] as { causes?: { reason?: string; type?: string; message?: string }[] } | undefined)?.causes ?? [];
  const code = causes.find((c) => c.reason === 'ExitCode' || c.type === 'ExitCode')?.message;
  return code !== undefined && /^\d+$/.test(code) ? Number(code) : null;
}

/** The fields of a recording that has not started yet: no bytes, no end, no exit, 80×24 until the first resize. */
export const NEW_RECORDING = { endedAt: null, width: 80, height: 24, bytes: 0, truncated: false, exitCode: null } as const satisfies Partial<RecordingRecord>;

/** Creates the recorder of `record` (its `bytes`, `truncated`, … are kept up to date by the recorder). */
export function createCastRecorder(record: RecordingRecord, deps: CastRecorderDeps): CastRecorder {
  const startedMs = deps.startedMs ?? deps.now();
  const meta: RecordingRecord = { ...record };
  const idleMs = deps.idleFlushMs ?? 150;
  const chunkBytes = deps.chunkBytes ?? 64 * 1024;
  const sources = {
    stdout: { code: 'o' as CastCode, decoder: new StringDecoder('utf8'), masker: deps.createMasker(), timer: undefined as NodeJS.Timeout | undefined },
    stderr: { code: 'o' as CastCode, decoder: new StringDecoder('utf8'), masker: deps.createMasker(), timer: undefined as NodeJS.Timeout | undefined },
    stdin: { code: 'i' as CastCode, decoder: new StringDecoder('utf8'), masker: deps.createMasker(), timer: undefined as NodeJS.Timeout | undefined },
  };
  let lastT = 0;
  let pending = '';
  let chunkNo = 0;
  let stopped = false;
  let sawResize = false;
  let failed = false;
  let writes: Promise<void> = Promise.resolve();
  let flushTimer: NodeJS.Timeout | undefined;

  const patch = (): RecordingPatch => ({
    bytes: meta.bytes,
    truncated: meta.truncated,
    maskedCount: Object.values(sources).reduce((n, s) => n + s.masker.masked(), record.maskedCount),
    width: meta.width,
    height: meta.height,
    exitCode: meta.exitCode,
  });

  function write(): void {
    if (flushTimer !== undefined) {
      clearTimeout(flushTimer);
      flushTimer = undefined;
    }
    if (pending === '' || failed) return;
    const lines = pending;
    const n = chunkNo++;
    pending = '';
    const p = patch();
    writes = writes
      .then(() => deps.store.appendRecording(meta.id, n, lines, p))
      .catch((e: unknown) => {
        if (!failed) {
          failed = true;
          deps.onFailure(e);
        }
      });
  }

  function emit(code: CastCode, text: string): void {
    if (stopped || text === '') return;
    const t = Math.max(lastT, (deps.now() - startedMs) / 1000);
    lastT = t;
    const line = castEventLine(t, code, text);
    const size = Buffer.byteLength(line);
    if (!deps.budget.take(size)) {
      stopped = true;
      meta.truncated = true;
      const marker = castEventLine(t, 'm', `hoopctl: this session's recording cap (${deps.budget.max} bytes) was reached here; the stream went on unrecorded`);
      pending += marker;
      meta.bytes += Buffer.byteLength(marker);
      write();
      return;
    }
    pending += line;
    meta.bytes += size;
    if (pending.length >= chunkBytes) write();
    else flushTimer ??= setTimeout(write, deps.flushMs ?? 250);
  }

  function text(source: keyof typeof sources, data: Buffer): void {
    const s = sources[source];
    const decoded = s.decoder.write(data);
    emit(s.code, s.masker.push(decoded));
    if (s.timer !== undefined) {
      clearTimeout(s.timer);
      s.timer = undefined;
    }
    // Input waits for Enter (a TTY sends \r): keystrokes of a password stay one line for the masker.
    if (source === 'stdin') {
      if (/\r$/.test(decoded)) emit(s.code, s.masker.end());
      return;
    }
    s.timer = setTimeout(() => {
      s.timer = undefined;
      emit(s.code, s.masker.end());
    }, idleMs);
  }

  function mark(textLine: string): void {
    const t = Math.max(lastT, (deps.now() - startedMs) / 1000);
    lastT = t;
    const line = castEventLine(t, 'm', textLine);
    pending += line;
    meta.bytes += Buffer.byteLength(line);
  }

  return {
    id: record.id,
    start: () => deps.store.createRecording(meta),
    record(events) {
      try {
        for (const e of events) {
          if (e.type === 'status') {
            meta.exitCode = exitCodeOf(e.status);
            continue;
          }
          if (e.type === 'resize') {
            // The header takes the client's first size even when the container printed (a prompt) before it
            // arrived: kubectl sends its terminal's size as the stream opens, so that is the size the session had.
            if (!sawResize) {
              sawResize = true;
              meta.width = e.width;
              meta.height = e.height;
            }
            emit('r', `${e.width}x${e.height}`);
            continue;
          }
          text(e.type, e.data);
        }
      } catch (cause) {
        if (!failed) {
          failed = true;
          deps.onFailure(cause);
        }
      }
    },
    mark,
    async finish(finalMark) {
      for (const s of Object.values(sources)) {
        if (s.timer !== undefined) clearTimeout(s.timer);
        emit(s.code, s.masker.push(s.decoder.end()) + s.masker.end());
      }
      if (finalMark !== undefined) mark(finalMark);
      write();
      await writes;
      if (failed) return;
      await deps.store.updateRecording(meta.id, { ...patch(), endedAt: new Date(deps.now()).toISOString() });
    },
  };
}
