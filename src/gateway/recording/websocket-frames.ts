/**
 * A passive WebSocket frame reader (RFC 6455 §5.2): it reads a copy of the bytes the gateway relays and
 * never changes them. Payloads are handed out piece by piece as they arrive (unmasked), so a large frame
 * is never buffered; `first` marks the first piece of a message, whose first byte is the k8s channel.
 */

/** A piece of a frame's payload. Continuation frames carry their message's opcode. */
export interface WebSocketPiece {
  opcode: number;
  data: Buffer;
  /** First piece of a data message (or of a control frame). */
  first: boolean;
  /** Last piece of a message (or of a control frame). */
  last: boolean;
}

/** Opcodes (§5.2). */
export const WS_OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** Feeds raw bytes of one direction; throws on frames a relay must not pass unseen (extensions, bad opcodes). */
export type WebSocketReader = (chunk: Buffer) => WebSocketPiece[];

/** Creates a reader for one direction of one connection. */
export function createWebSocketReader(): WebSocketReader {
  let header: Buffer = Buffer.alloc(0);
  let remaining = -1; // payload bytes left in the current frame; -1: reading a header
  let mask: Buffer | undefined;
  let maskOffset = 0;
  let frame = { opcode: 0, fin: true, control: false, firstPiece: true };
  let messageOpcode = 0;
  let inMessage = false;

  function parseHeader(): boolean {
    if (header.length < 2) return false;
    const b0 = header[0]!;
    const b1 = header[1]!;
    let len = b1 & 0x7f;
    let off = 2;
    if (len === 126) {
      if (header.length < 4) return false;
      len = header.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (header.length < 10) return false;
      const big = header.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('WebSocket frame too large');
      len = Number(big);
      off = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    if (masked) {
      if (header.length < off + 4) return false;
      mask = Buffer.from(header.subarray(off, off + 4));
      off += 4;
    } else mask = undefined;
    if ((b0 & 0x70) !== 0) throw new Error('WebSocket frame uses an extension (RSV bits set); it cannot be recorded');
    const opcode = b0 & 0x0f;
    const control = (opcode & 0x08) !== 0;
    if (![0, 1, 2, 8, 9, 10].includes(opcode)) throw new Error(`WebSocket opcode ${opcode} is not defined`);
    if (!control) {
      if (opcode === 0 && !inMessage) throw new Error('WebSocket continuation frame outside a message');
      if (opcode !== 0 && inMessage) throw new Error('WebSocket data frame inside a fragmented message');
      if (opcode !== 0) messageOpcode = opcode;
    }
    frame = { opcode: control ? opcode : messageOpcode, fin: (b0 & 0x80) !== 0, control, firstPiece: control || opcode !== 0 };
    if (!control) inMessage = !frame.fin;
    remaining = len;
    maskOffset = 0;
    header = header.subarray(off);
    return true;
  }

  return (chunk) => {
    const out: WebSocketPiece[] = [];
    let input: Buffer = chunk;
    for (;;) {
      if (remaining < 0) {
        header = header.length === 0 ? input : Buffer.concat([header, input]);
        input = Buffer.alloc(0);
        if (!parseHeader()) return out;
        input = header;
        header = Buffer.alloc(0);
      }
      const take = Math.min(remaining, input.length);
      const data = Buffer.from(input.subarray(0, take));
      if (mask !== undefined) for (let i = 0; i < data.length; i++) data[i] = data[i]! ^ mask[(maskOffset + i) & 3]!;
      maskOffset += take;
      remaining -= take;
      input = input.subarray(take);
      const done = remaining === 0;
      if (take > 0 || done) {
        out.push({ opcode: frame.opcode, data, first: frame.firstPiece, last: done && (frame.fin || frame.control) });
        frame.firstPiece = false;
      }
      if (!done) return out;
      remaining = -1;
      if (input.length === 0) return out;
    }
  };
}
