/**
 * Messages between the gateway's event loop and the recording worker (recording-worker.ts). The relay decodes the
 * stream's frames and posts the decoded events; the worker masks them and formats the asciicast lines, and asks the
 * gateway to store them (the store stays on the gateway's thread, with its one database connection).
 */
import type { ValuePattern } from '../../mask/value-patterns.js';
import type { RecordingPatch, RecordingRecord } from '../../store/store.js';
import type { StreamEvent } from './remote-command-decoder.js';

/** Gateway → worker. */
export type ToWorker =
  | {
      op: 'open';
      record: RecordingRecord;
      masking: { enabled: boolean; patterns: readonly ValuePattern[] };
      budget: { max: number; used: number };
      startedMs: number;
    }
  | { op: 'events'; id: string; events: StreamEvent[]; bytes: number; at: number }
  | { op: 'mark'; id: string; text: string; at: number }
  | { op: 'finish'; id: string; at: number; finalMark?: string | undefined }
  | { op: 'stored'; call: number; error?: string };

/** Worker → gateway. */
export type FromWorker =
  | { op: 'append'; id: string; call: number; n: number; lines: string; patch: RecordingPatch }
  | { op: 'update'; id: string; call: number; patch: RecordingPatch }
  | { op: 'done'; id: string; bytes: number }
  | { op: 'failed'; id: string; message: string }
  | { op: 'finished'; id: string };
