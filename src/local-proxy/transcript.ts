/**
 * The session transcript: one JSON line per request the local proxy served (method, masked URI,
 * status, latency, answer summary). The file is 0600; by default it lives in the session dir and
 * goes with it at teardown; `--transcript FILE` keeps it (appended) after the session.
 */
import { chmod, mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AnswerSummary } from './answer-summary.js';

/** One transcript line. */
export interface TranscriptEntry {
  time: string;
  method: string;
  /** Path and query, the query masked by the value patterns. */
  uri: string;
  status: number;
  ms: number;
  /** Answer bytes relayed to the client. */
  bytes: number;
  contentType?: string;
  /** `gateway <rule set>` when the gateway masked the answer, `local` when the summary was masked here. */
  masking: string;
  upgrade?: true;
  summary?: AnswerSummary;
}

/** An append-only transcript file. */
export interface Transcript {
  readonly file: string;
  record(entry: TranscriptEntry): void;
  /** Writes what is queued and closes the file. */
  close(): Promise<void>;
}

/** Opens (lazily, at the first line) `file` for appending with mode 0600. Write errors never fail a request. */
export function createTranscript(file: string): Transcript {
  let handle: Promise<FileHandle | undefined> | undefined;
  let queue: Promise<void> = Promise.resolve();
  let pending: string[] = [];
  const opened = (): Promise<FileHandle | undefined> => {
    handle ??= (async () => {
      try {
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        const fh = await open(file, 'a', 0o600);
        // An existing file keeps its mode on open: the transcript is private either way.
        await chmod(file, 0o600);
        return fh;
      } catch {
        return undefined;
      }
    })();
    return handle;
  };
  return {
    file,
    record(entry) {
      pending.push(`${JSON.stringify(entry)}\n`);
      // One append for every line recorded before the previous append finished, not one per request.
      if (pending.length > 1) return;
      queue = queue.then(async () => {
        const fh = await opened();
        const lines = pending.join('');
        pending = [];
        await fh?.appendFile(lines).catch(() => undefined);
      });
    },
    async close() {
      await queue;
      const fh = await handle;
      await fh?.close().catch(() => undefined);
    },
  };
}
