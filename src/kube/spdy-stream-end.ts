/**
 * The end of a SPDY/3.1 exec/attach stream (kubectl before 1.30, and the fallback of later ones) cut because its
 * session ended, so kubectl prints why instead of exiting without a word: the Status goes on the error stream
 * (the client's SYN_STREAM with `streamType: error`) as a kubelet writes it — v4: the Status JSON, v1–v3: its
 * message — with FIN, and every other stream the client opened gets an empty DATA frame with FIN, so client-go's
 * stdout/stderr copies end and it returns the decoded error (`error: <message>`).
 * https://www.chromium.org/spdy/spdy-protocol/spdy-protocol-draft3-1/ §2.2 (frames), §2.3.7 (half-close).
 * Pure: it follows frame headers of both directions (payloads are skipped by length; only the client's header
 * blocks are inflated) and builds bytes; the proxy decides when to write them.
 */
import { createHeaderInflater } from './spdy-frames.js';
import type { KubeStatus } from './types.js';

/** SPDY remote command protocols (`X-Stream-Protocol-Version`) and what their error stream carries. */
const SPDY_EXEC_PROTOCOLS = new Map<string, 'status' | 'text'>([
  ['v4.channel.k8s.io', 'status'],
  ['v3.channel.k8s.io', 'text'],
  ['v2.channel.k8s.io', 'text'],
  ['channel.k8s.io', 'text'],
]);

/** The negotiated remote command protocol of a SPDY upgrade answer; undefined for WebSocket and port-forward. */
export function spdyExecProtocol(upgrade: string | undefined, protocol: string | undefined): string | undefined {
  if (!/^spdy\/3\.1$/i.test(upgrade?.trim() ?? '')) return undefined;
  const p = protocol?.trim();
  return p !== undefined && SPDY_EXEC_PROTOCOLS.has(p) ? p : undefined;
}

/** One SPDY DATA frame (§2.2.2). */
export function spdyDataFrame(streamId: number, fin: boolean, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((fin ? 1 : 0) << 24) | payload.length, 4);
  return Buffer.concat([head, payload]);
}

/** Follows both directions of a relayed SPDY exec so a Status is only ever added between two frames, on a stream still open. */
export interface SpdyStreamEndTracker {
  /** Feeds bytes the client sent (its SYN_STREAMs name the streams). */
  fromClient(chunk: Buffer): void;
  /** Feeds bytes relayed to the client. */
  fromServer(chunk: Buffer): void;
  /** True when the bytes relayed to the client end exactly at a frame boundary. */
  atBoundary(): boolean;
  /** True once the server ended the error stream or the connection (GOAWAY): the exec ended by itself. */
  closed(): boolean;
  /** The frames that end the exec with `status`; undefined when they cannot be added (no error stream known, bytes not followed). */
  endFrames(status: KubeStatus): Buffer | undefined;
}

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const GOAWAY = 7;
const HEADERS = 8;
const FLAG_FIN = 1;
// A client's SYN_STREAM header block is a few hundred bytes; more than this is not followed (the stream is then just closed).
const MAX_COLLECT = 64 * 1024;

/** Walks frames by their 8-byte header, collecting the first `want(head)` payload bytes of each; throws on a frame it cannot follow. */
function createFrameWalker(want: (head: Buffer, length: number) => number, onFrame: (head: Buffer, payload: Buffer) => void) {
  let head: Buffer = Buffer.alloc(0);
  let length = 0;
  let collect = 0;
  let parts: Buffer[] = [];
  let partBytes = 0;
  let skip = 0;
  const finishHead = (): void => {
    length = head.readUInt32BE(4) & 0xffffff;
    if ((head[0]! & 0x80) !== 0 && (head.readUInt16BE(0) & 0x7fff) !== 3) throw new Error('not SPDY/3');
    collect = Math.min(want(head, length), length);
    if (collect > MAX_COLLECT) throw new Error('SPDY frame too large to follow');
    if (collect === 0) {
      onFrame(head, Buffer.alloc(0));
      skip = length;
      head = Buffer.alloc(0);
    }
  };
  return {
    observe(chunk: Buffer): void {
      let i = 0;
      while (i < chunk.length) {
        if (skip > 0) {
          const take = Math.min(skip, chunk.length - i);
          skip -= take;
          i += take;
        } else if (head.length < 8) {
          const take = Math.min(8 - head.length, chunk.length - i);
          head = Buffer.concat([head, chunk.subarray(i, i + take)]);
          i += take;
          if (head.length === 8) finishHead();
        } else {
          const take = Math.min(collect - partBytes, chunk.length - i);
          parts.push(chunk.subarray(i, i + take));
          partBytes += take;
          i += take;
          if (partBytes === collect) {
            onFrame(head, Buffer.concat(parts));
            skip = length - collect;
            head = Buffer.alloc(0);
            parts = [];
            partBytes = 0;
          }
        }
      }
    },
    atBoundary: (): boolean => skip === 0 && head.length === 0,
  };
}

const isControl = (head: Buffer): boolean => (head[0]! & 0x80) !== 0;
const controlType = (head: Buffer): number => head.readUInt16BE(2);

/** Creates the tracker for a stream that negotiated `protocol` (see spdyExecProtocol). */
export function createSpdyStreamEndTracker(protocol: string): SpdyStreamEndTracker {
  const kind = SPDY_EXEC_PROTOCOLS.get(protocol) ?? 'text';
  const opened: number[] = []; // streams the client opened, in order
  let errorStream: number | undefined;
  const done = new Set<number>(); // streams the server finished or either side reset
  let goAway = false;
  let broken = false;
  const inflate = createHeaderInflater();

  // Every header block of the client's direction is inflated, in order: they share one zlib stream.
  const client = createFrameWalker(
    (head, length) =>
      isControl(head) && [SYN_STREAM, SYN_REPLY, HEADERS].includes(controlType(head)) ? length : isControl(head) && controlType(head) === RST_STREAM ? 4 : 0,
    (head, payload) => {
      if (!isControl(head)) return;
      const type = controlType(head);
      if (type === SYN_STREAM && payload.length >= 10) {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        opened.push(id);
        if (inflate(payload.subarray(10)).get('streamtype')?.[0] === 'error') errorStream ??= id;
      } else if ((type === SYN_REPLY || type === HEADERS) && payload.length >= 4) {
        inflate(payload.subarray(4));
      } else if (type === RST_STREAM && payload.length >= 4) {
        done.add(payload.readUInt32BE(0) & 0x7fffffff);
      }
    },
  );
  const server = createFrameWalker(
    (head) => (isControl(head) && [SYN_REPLY, RST_STREAM].includes(controlType(head)) ? 4 : 0),
    (head, payload) => {
      const fin = (head[4]! & FLAG_FIN) !== 0;
      if (!isControl(head)) {
        if (fin) done.add(head.readUInt32BE(0) & 0x7fffffff);
        return;
      }
      const type = controlType(head);
      if (type === GOAWAY) goAway = true;
      else if (payload.length >= 4 && (type === RST_STREAM || (type === SYN_REPLY && fin))) done.add(payload.readUInt32BE(0) & 0x7fffffff);
    },
  );
  const guard = (f: () => void): void => {
    if (broken) return;
    try {
      f();
    } catch {
      broken = true;
    }
  };
  return {
    fromClient: (chunk) => guard(() => client.observe(chunk)),
    fromServer: (chunk) => guard(() => server.observe(chunk)),
    atBoundary: () => !broken && server.atBoundary(),
    closed: () => goAway || (errorStream !== undefined && done.has(errorStream)),
    endFrames(status) {
      if (broken || goAway || errorStream === undefined || done.has(errorStream) || !server.atBoundary()) return undefined;
      const body = Buffer.from(kind === 'status' ? JSON.stringify(status) : status.message, 'utf8');
      const frames = [spdyDataFrame(errorStream, true, body)];
      for (const id of opened) if (id !== errorStream && !done.has(id)) frames.push(spdyDataFrame(id, true, Buffer.alloc(0)));
      return Buffer.concat(frames);
    },
  };
}
