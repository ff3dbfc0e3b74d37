// SPDY/3.1 framing for the server side of `kubectl exec/attach/port-forward`: splits the byte
// stream into frames, decodes the zlib-compressed header blocks (one compression context per
// direction, seeded with the SPDY/3 dictionary; the dictionary and the inflater are the gateway's
// pure reader's, kube/spdy-frames.ts) and builds the frames a kubelet would send.
// Spec: https://www.chromium.org/spdy/spdy-protocol/spdy-protocol-draft3-1/ (§2.2 framing, §2.6.10 headers).
import { createHeaderInflater, SPDY3_DICTIONARY } from '../kube/spdy-frames.js';

/** Frame types of SPDY/3 control frames (§2.6). */
export const SPDY = { SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9 } as const;
/** FLAG_FIN on data and stream control frames. */
export const FLAG_FIN = 0x01;

function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Header names (lower-case) to their values (a NUL-separated value is several). */
export type SpdyHeaders = Map<string, string[]>;

/** One decoded frame. */
export type SpdyFrame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; flags: number; streamId: number; value: number; headers?: SpdyHeaders };

/** Incremental reader: feed socket chunks, get whole frames. */
export function createFrameReader(): (chunk: Buffer) => SpdyFrame[] {
  let buf: Buffer = Buffer.alloc(0);
  // No cap on header bytes: a port-forward connection opens two streams per forwarded connection, for as long as it lasts.
  const inflate = createHeaderInflater(Number.POSITIVE_INFINITY);
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    const frames: SpdyFrame[] = [];
    while (buf.length >= 8) {
      const length = buf.readUInt32BE(4) & 0xffffff;
      if (buf.length < 8 + length) break;
      const flags = buf[4]!;
      const payload = buf.subarray(8, 8 + length);
      if ((buf[0]! & 0x80) === 0) {
        frames.push({ kind: 'data', streamId: buf.readUInt32BE(0) & 0x7fffffff, flags, data: Buffer.from(payload) });
      } else {
        const type = buf.readUInt16BE(2);
        const streamId = length >= 4 ? payload.readUInt32BE(0) & 0x7fffffff : 0;
        const value = length >= 8 ? payload.readUInt32BE(4) : 0;
        const frame: SpdyFrame = { kind: 'control', type, flags, streamId, value };
        if (type === SPDY.SYN_STREAM) frame.headers = inflate(payload.subarray(10));
        else if (type === SPDY.SYN_REPLY || type === SPDY.HEADERS) frame.headers = inflate(payload.subarray(4));
        frames.push(frame);
      }
      buf = buf.subarray(8 + length);
    }
    return frames;
  };
}

/** Compresses this side's header blocks: stored (uncompressed) deflate blocks in one zlib stream, valid for any inflater. */
export function createHeaderDeflater(): (headers: Record<string, string>) => Buffer {
  let started = false;
  return (headers) => {
    const entries = Object.entries(headers);
    const parts: Buffer[] = [u32(entries.length)];
    for (const [k, v] of entries) {
      const name = Buffer.from(k.toLowerCase(), 'latin1');
      const value = Buffer.from(v, 'utf8');
      parts.push(u32(name.length), name, u32(value.length), value);
    }
    const raw = Buffer.concat(parts);
    const out: Buffer[] = [];
    if (!started) {
      // zlib header with FDICT set, then the dictionary's Adler-32 (RFC 1950 §2.2).
      out.push(Buffer.from([0x78, 0xbb]), u32(adler32(SPDY3_DICTIONARY)));
      started = true;
    }
    for (let off = 0; off < raw.length; off += 0xffff) {
      const piece = raw.subarray(off, off + 0xffff);
      const h = Buffer.alloc(5);
      h.writeUInt16LE(piece.length, 1);
      h.writeUInt16LE(~piece.length & 0xffff, 3);
      out.push(h, piece);
    }
    // An empty stored block, exactly what Z_SYNC_FLUSH writes: Go's flate hands out buffered
    // output only when it sees one, and would otherwise read past the frame and fail.
    out.push(SYNC_FLUSH_MARKER);
    return Buffer.concat(out);
  };
}

const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

/** A control frame with the given payload. */
export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE((((flags & 0xff) << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([h, payload]);
}

/** A DATA frame (split by the caller below 16 MiB). */
export function dataFrame(streamId: number, data: Buffer, fin = false): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h.writeUInt32BE((((fin ? FLAG_FIN : 0) << 24) | data.length) >>> 0, 4);
  return Buffer.concat([h, data]);
}

/** SYN_REPLY for a stream, with a compressed (possibly empty) header block. */
export function synReplyFrame(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  return controlFrame(SPDY.SYN_REPLY, fin ? FLAG_FIN : 0, Buffer.concat([u32(streamId), headerBlock]));
}

/** RST_STREAM with a status code (§2.6.3). */
export function rstStreamFrame(streamId: number, status: number): Buffer {
  return controlFrame(SPDY.RST_STREAM, 0, Buffer.concat([u32(streamId), u32(status)]));
}

/** PING echo (§2.6.5). */
export function pingFrame(id: number): Buffer {
  return controlFrame(SPDY.PING, 0, u32(id));
}

/** GOAWAY (§2.6.6). */
export function goAwayFrame(lastGoodStreamId: number, status = 0): Buffer {
  return controlFrame(SPDY.GOAWAY, 0, Buffer.concat([u32(lastGoodStreamId), u32(status)]));
}
