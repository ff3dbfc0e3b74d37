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

// Lines are written in batches, at most this long after they were recorded (or at once past FLUSH_BYTES):
// one append per request cost the proxy more CPU than relaying the request. close() writes what is queued.
const FLUSH_MS = 50;
const FLUSH_BYTES = 64 << 10;

/** Opens (lazily, at the first line) `file` for appending with mode 0600. Write errors never fail a request. */
export function createTranscript(file: string): Transcript {
  let handle: Promise<FileHandle | undefined> | undefined;
  let queue: Promise<void> = Promise.resolve();
  let pending: string[] = [];
  let pendingChars = 0;
  let timer: NodeJS.Timeout | undefined;
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
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    const lines = pending.join('');
    pending = [];
    pendingChars = 0;
    queue = queue.then(async () => {
      const fh = await opened();
      await fh?.appendFile(lines).catch(() => undefined);
    });
  };
  return {
    file,
    record(entry) {
      const line = `${JSON.stringify(entry)}\n`;
      pending.push(line);
      pendingChars += line.length;
      if (pendingChars >= FLUSH_BYTES) flush();
      else timer ??= setTimeout(flush, FLUSH_MS);
    },
    async close() {
      flush();
      await queue;
      const fh = await handle;
      await fh?.close().catch(() => undefined);
    },
  };
}
