// The server end of a SPDY/3.1 connection as kubelet's streaming server runs it: the client
// (kubectl) opens every stream with SYN_STREAM and a `streamType` header; the server replies at
// once, echoes client PINGs, and ends with GOAWAY. No flow control: neither kubectl's spdystream
// nor kubelet's sends or honours WINDOW_UPDATE.
import type { Duplex } from 'node:stream';
import { createChunkQueue } from './chunk-queue.js';
import {
  createFrameReader,
  createHeaderDeflater,
  dataFrame,
  FLAG_FIN,
  goAwayFrame,
  pingFrame,
  rstStreamFrame,
  SPDY,
  synReplyFrame,
  type SpdyHeaders,
} from './spdy-framer.js';

const MAX_DATA_FRAME = 32 * 1024;

/** One stream opened by the client. */
export interface SpdyStream {
  readonly id: number;
  readonly headers: SpdyHeaders;
  /** First value of a header (names are lower-case in SPDY). */
  header(name: string): string | undefined;
  /** Sends data; resolves when the socket has room again. */
  write(data: Buffer): Promise<void>;
  /** Half-closes our side (empty DATA with FIN). */
  end(): void;
  /** Data from the client, in order; the iterator ends at the client's FIN, RST or the connection's end. */
  [Symbol.asyncIterator](): AsyncIterator<Buffer>;
}

/** A server SPDY connection. */
export interface SpdySession {
  /** Sends GOAWAY and closes the connection (after a grace period for the client to hang up). */
  close(): void;
  readonly closed: Promise<void>;
}

function createStream(id: number, headers: SpdyHeaders, send: (b: Buffer) => Promise<void>): SpdyStream & { push(d: Buffer): void; finish(): void } {
  const incoming = createChunkQueue();
  let localEnded = false;
  return {
    id,
    headers,
    header: (name) => headers.get(name.toLowerCase())?.[0],
    async write(data) {
      if (localEnded) return;
      for (let off = 0; off < data.length; off += MAX_DATA_FRAME) await send(dataFrame(id, data.subarray(off, off + MAX_DATA_FRAME)));
    },
    end() {
      if (localEnded) return;
      localEnded = true;
      void send(dataFrame(id, Buffer.alloc(0), true));
    },
    push(d) {
      if (d.length > 0) incoming.push(d);
    },
    finish: () => incoming.end(),
    [Symbol.asyncIterator]: () => incoming[Symbol.asyncIterator](),
  };
}

/** Runs the server side of SPDY on `socket` (already past the 101); `onStream` gets each stream after its SYN_REPLY. */
export function createSpdySession(socket: Duplex, onStream: (s: SpdyStream) => void): SpdySession {
  const read = createFrameReader();
  const deflate = createHeaderDeflater();
  const streams = new Map<number, ReturnType<typeof createStream>>();
  let lastStreamId = 0;
  let goneAway = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });

  const send = (b: Buffer): Promise<void> => {
    if (socket.destroyed || !socket.writable) return Promise.resolve();
    if (socket.write(b)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.once('drain', done);
      socket.once('close', done);
    });
  };

  socket.on('data', (chunk: Buffer) => {
    let frames;
    try {
      frames = read(chunk);
    } catch {
      socket.destroy();
      return;
    }
    for (const f of frames) {
      if (f.kind === 'data') {
        const s = streams.get(f.streamId);
        if (s === undefined) continue;
        s.push(f.data);
        if ((f.flags & FLAG_FIN) !== 0) s.finish();
        continue;
      }
      switch (f.type) {
        case SPDY.SYN_STREAM: {
          if (goneAway) {
            void send(rstStreamFrame(f.streamId, 3));
            break;
          }
          lastStreamId = f.streamId;
          const s = createStream(f.streamId, f.headers ?? new Map(), send);
          streams.set(f.streamId, s);
          void send(synReplyFrame(f.streamId, deflate({})));
          if ((f.flags & FLAG_FIN) !== 0) s.finish();
          onStream(s);
          break;
        }
        case SPDY.RST_STREAM:
          streams.get(f.streamId)?.finish();
          break;
        // Client pings have odd ids; answer them with the same frame (§2.6.5).
        case SPDY.PING:
          if ((f.streamId & 1) === 1) void send(pingFrame(f.streamId));
          break;
        case SPDY.GOAWAY:
          goneAway = true;
          socket.end();
          break;
        default:
          break;
      }
    }
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    for (const s of streams.values()) s.finish();
    resolveClosed();
  });

  return {
    closed,
    close() {
      // kubectl hangs up by itself once it has read every stream to its FIN; a GOAWAY sent first
      // could overtake frames still queued in its stream workers, so give it a moment.
      const timer = setTimeout(() => {
        if (!goneAway) {
          goneAway = true;
          void send(goAwayFrame(lastStreamId));
        }
        socket.end();
        setTimeout(() => socket.destroy(), 2000).unref();
      }, 1000);
      timer.unref();
      void closed.then(() => clearTimeout(timer));
    },
  };
}
