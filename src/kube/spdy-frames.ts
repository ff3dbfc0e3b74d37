/**
 * A passive SPDY/3.1 frame reader for one direction of a relayed exec/attach stream: it never changes the
 * bytes, only reads a copy. Header blocks of one direction form one zlib stream seeded with the SPDY/3
 * dictionary (https://www.chromium.org/spdy/spdy-protocol/spdy-protocol-draft3-1/ §2.6.10); only the
 * client's SYN_STREAM headers (`streamType`) are needed, so only that direction inflates them. Shared by the
 * gateway's recorder and the local proxy's end of a cut exec (spdy-stream-end.ts).
 */
import { constants, inflateSync } from 'node:zlib';

/** What one frame means to a recorder. */
export type SpdyEvent =
  | { kind: 'open'; streamId: number; headers: Map<string, string[]>; fin: boolean }
  | { kind: 'data'; streamId: number; data: Buffer; fin: boolean }
  | { kind: 'reset'; streamId: number }
  | { kind: 'other' };

const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const HEADERS = 8;
const MAX_FRAME = 16 * 1024 * 1024;
// Re-inflating all header bytes so far keeps this synchronous; an exec has a handful of small blocks.
const MAX_HEADER_BYTES = 256 * 1024;

const WORDS = [
  'options',
  'head',
  'post',
  'put',
  'delete',
  'trace',
  'accept',
  'accept-charset',
  'accept-encoding',
  'accept-language',
  'accept-ranges',
  'age',
  'allow',
  'authorization',
  'cache-control',
  'connection',
  'content-base',
  'content-encoding',
  'content-language',
  'content-length',
  'content-location',
  'content-md5',
  'content-range',
  'content-type',
  'date',
  'etag',
  'expect',
  'expires',
  'from',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-range',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'pragma',
  'proxy-authenticate',
  'proxy-authorization',
  'range',
  'referer',
  'retry-after',
  'server',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'vary',
  'via',
  'warning',
  'www-authenticate',
  'method',
  'get',
  'status',
  '200 OK',
  'version',
  'HTTP/1.1',
  'url',
  'public',
  'set-cookie',
  'keep-alive',
  'origin',
];
const TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden' +
  '404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,' +
  'publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/** The SPDY/3 header dictionary (§2.6.10.1), 1423 bytes. */
export const SPDY3_DICTIONARY: Buffer = Buffer.concat([
  ...WORDS.flatMap((w) => {
    const n = Buffer.alloc(4);
    n.writeUInt32BE(w.length);
    return [n, Buffer.from(w, 'latin1')];
  }),
  Buffer.from(TAIL, 'latin1'),
]);

function headerBlock(raw: Buffer): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let off = 0;
  const count = raw.readUInt32BE(off);
  off += 4;
  for (let i = 0; i < count; i++) {
    const nameLen = raw.readUInt32BE(off);
    off += 4;
    const name = raw
      .subarray(off, off + nameLen)
      .toString('latin1')
      .toLowerCase();
    off += nameLen;
    const valueLen = raw.readUInt32BE(off);
    off += 4;
    out.set(
      name,
      raw
        .subarray(off, off + valueLen)
        .toString('utf8')
        .split('\0'),
    );
    off += valueLen;
  }
  return out;
}

/**
 * Inflates the header blocks of one direction, in order (they share one zlib stream); throws past `maxBytes`
 * of compressed header bytes (256 KiB unless told). Also the simulated cluster's reader (spdy-framer.ts).
 */
export function createHeaderInflater(maxBytes = MAX_HEADER_BYTES): (block: Buffer) => Map<string, string[]> {
  const blocks: Buffer[] = [];
  let blockBytes = 0;
  let produced = 0;
  return (block) => {
    blockBytes += block.length;
    if (blockBytes > maxBytes) throw new Error('SPDY header blocks exceed what the reader inflates');
    blocks.push(block);
    const all = inflateSync(Buffer.concat(blocks), { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const out = all.subarray(produced);
    produced = all.length;
    return out.length === 0 ? new Map() : headerBlock(out);
  };
}

/** Reads one direction; `inflateHeaders` only for the client's side. Throws on a malformed stream. */
export function createSpdyReader(inflateHeaders: boolean): (chunk: Buffer) => SpdyEvent[] {
  let buf: Buffer = Buffer.alloc(0);
  const inflate = createHeaderInflater();
  return (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    const events: SpdyEvent[] = [];
    while (buf.length >= 8) {
      const length = buf.readUInt32BE(4) & 0xffffff;
      if (length > MAX_FRAME) throw new Error('SPDY frame too large');
      if (buf.length < 8 + length) break;
      const flags = buf[4]!;
      const payload = buf.subarray(8, 8 + length);
      if ((buf[0]! & 0x80) === 0) {
        events.push({ kind: 'data', streamId: buf.readUInt32BE(0) & 0x7fffffff, data: Buffer.from(payload), fin: (flags & 1) !== 0 });
      } else {
        if ((buf.readUInt16BE(0) & 0x7fff) !== 3) throw new Error(`SPDY version ${buf.readUInt16BE(0) & 0x7fff} is not 3`);
        const type = buf.readUInt16BE(2);
        if (type === SYN_STREAM && length >= 10) {
          const streamId = payload.readUInt32BE(0) & 0x7fffffff;
          const headers = inflateHeaders ? inflate(payload.subarray(10)) : new Map<string, string[]>();
          events.push({ kind: 'open', streamId, headers, fin: (flags & 1) !== 0 });
        } else if (inflateHeaders && (type === SYN_REPLY || type === HEADERS) && length >= 4) {
          // Not needed, but they share the zlib stream: skipping one would garble every later block.
          inflate(payload.subarray(4));
          events.push({ kind: 'other' });
        } else if (type === RST_STREAM && length >= 4) {
          events.push({ kind: 'reset', streamId: payload.readUInt32BE(0) & 0x7fffffff });
        } else {
          events.push({ kind: 'other' });
        }
      }
      buf = buf.subarray(8 + length);
    }
    return events;
  };
}
