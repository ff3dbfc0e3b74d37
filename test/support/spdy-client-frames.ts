// SPDY/3 SYN_STREAM frames as kubectl (client-go's spdystream) sends them, for the tests of the readers of relayed exec streams.
import { constants, createDeflate, type Deflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from '../../src/kube/spdy-frames.js';

/** The client's header compressor: one zlib stream seeded with the SPDY/3 dictionary, shared by all its header blocks. */
export function spdyHeaderDeflate(): Deflate {
  return createDeflate({ dictionary: SPDY3_DICTIONARY });
}

/** SYN_STREAM for stream `id` (below 256) with `headers`, compressed in `deflate` and flushed with Z_SYNC_FLUSH. */
export async function spdySynStream(deflate: Deflate, id: number, headers: Record<string, string>): Promise<Buffer> {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]!.writeUInt32BE(Object.keys(headers).length);
  for (const [k, v] of Object.entries(headers))
    for (const s of [k, v]) {
      const n = Buffer.alloc(4);
      n.writeUInt32BE(s.length);
      parts.push(n, Buffer.from(s));
    }
  const chunks: Buffer[] = [];
  const onData = (c: Buffer): number => chunks.push(c);
  deflate.on('data', onData);
  deflate.write(Buffer.concat(parts));
  await new Promise<void>((r) => deflate.flush(constants.Z_SYNC_FLUSH, () => r()));
  deflate.off('data', onData);
  const payload = Buffer.concat([Buffer.from([0, 0, 0, id, 0, 0, 0, 0, 0, 0]), ...chunks]);
  const h = Buffer.from([0x80, 3, 0, 1, 0, 0, 0, 0]);
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}
