/**
 * The last bytes of a stream cut because its hoopctl session ended, so the client prints why instead of
 * ending silently (watch) or dumping `websocket: close 1006` (exec):
 * - a watch ends with an ERROR event carrying a Status, framed as kube-apiserver does (one JSON line, then the
 *   end of the chunked body; fixtures/kube-apiserver-1.32 observation 36);
 * - a WebSocket exec/attach (`v5.channel.k8s.io` and older, KEP-4006) ends with a message on the error channel
 *   (3) carrying a Status, then a normal close frame (RFC 6455 §5.5.1); client-go's v4+ error decoder turns a
 *   Failure Status into `error: <message>`.
 * Pure: it only builds bytes and tracks frame boundaries; the proxies decide when to write them.
 */
import { buildStatus } from './status.js';
import type { KubeStatus } from './types.js';

/** What a user reads when a session ended: why, and the command that opens a new one. */
export function sessionEndedMessage(connection: string, why: string): string {
  return `hoopctl session for ${connection} ended (${why}); run: hoopctl connect ${connection}`;
}

/** The Status of a request or stream cut by a session end: 401, as kube-apiserver answers a credential that stopped working. */
export function sessionEndedStatus(connection: string, why: string): KubeStatus {
  return buildStatus(401, 'Unauthorized', sessionEndedMessage(connection, why));
}

/**
 * The gateway's stream-close reasons (live-streams.ts: `session revoked by bob`, `session expired`, `session
 * ended`) in the words of sessionEndedMessage; undefined for a reason that is no session end (`gateway stopping`).
 */
export function closeReasonWhy(reason: string): string | undefined {
  const m = /^session (expired|ended|(?:revoked|ended) by .+)$/.exec(reason);
  if (m === null) return undefined;
  return m[1] === 'ended' ? 'ended at the gateway' : m[1];
}

/** A watch's final event: `{"type":"ERROR","object":<Status>}` and its newline. */
export function watchErrorEvent(status: KubeStatus): Buffer {
  return Buffer.from(`${JSON.stringify({ type: 'ERROR', object: status })}\n`, 'utf8');
}

/** True for a JSON watch answer the ERROR event can be appended to (not protobuf, not a log stream). */
export function isJsonWatch(target: string, contentType: string | undefined): boolean {
  return /[?&]watch=(true|1)(&|$)/.test(target) && /^application\/json\b/i.test(contentType ?? '');
}

/** Remote command subprotocols whose error channel (3) carries a Status JSON (v4+) or a plain message (v1–v3). */
const CHANNEL_PROTOCOLS = new Map<string, 'binary-status' | 'base64-status' | 'binary-text' | 'base64-text'>([
  ['v5.channel.k8s.io', 'binary-status'],
  ['v4.channel.k8s.io', 'binary-status'],
  ['v4.base64.channel.k8s.io', 'base64-status'],
  ['v3.channel.k8s.io', 'binary-text'],
  ['v2.channel.k8s.io', 'binary-text'],
  ['channel.k8s.io', 'binary-text'],
  ['base64.channel.k8s.io', 'base64-text'],
]);

/** True when the negotiated `Sec-WebSocket-Protocol` is a remote command protocol with an error channel (not port-forward). */
export function isExecChannelProtocol(protocol: string | undefined): boolean {
  return protocol !== undefined && CHANNEL_PROTOCOLS.has(protocol.trim());
}

/** One unmasked server-to-client WebSocket frame (RFC 6455 §5.2), FIN set. */
export function webSocketFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  let head: Buffer;
  if (len < 126) {
    head = Buffer.from([0x80 | opcode, len]);
  } else if (len < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;
const ERROR_CHANNEL = 3;

/** A close frame with a status code (1000: normal closure) and a reason cut to fit a control frame. */
export function webSocketCloseFrame(code = 1000, reason = ''): Buffer {
  let text = Buffer.from(reason, 'utf8');
  // Control frames carry at most 125 bytes (§5.5); cut at a character boundary.
  while (text.length > 123) text = Buffer.from(text.toString('utf8').slice(0, -1), 'utf8');
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return webSocketFrame(OPCODE_CLOSE, payload);
}

/**
 * The bytes that end a remote command WebSocket with `status`: the error-channel message, then a normal
 * close frame. Undefined for a protocol without an error channel (port-forward).
 */
export function execEndFrames(protocol: string | undefined, status: KubeStatus): Buffer | undefined {
  const kind = protocol === undefined ? undefined : CHANNEL_PROTOCOLS.get(protocol.trim());
  if (kind === undefined) return undefined;
  const body = Buffer.from(kind.endsWith('status') ? JSON.stringify(status) : status.message, 'utf8');
  const message = kind.startsWith('base64')
    ? webSocketFrame(OPCODE_TEXT, Buffer.from(`${ERROR_CHANNEL}${body.toString('base64')}`, 'ascii'))
    : webSocketFrame(OPCODE_BINARY, Buffer.concat([Buffer.from([ERROR_CHANNEL]), body]));
  return Buffer.concat([message, webSocketCloseFrame(1000, '')]);
}

/** Follows the frames of one direction of a WebSocket, so bytes are only ever added between two frames. */
export interface WebSocketFrameTracker {
  /** Feeds the next relayed bytes. */
  observe(chunk: Buffer): void;
  /** True when the relayed bytes end exactly at a frame boundary. */
  atBoundary(): boolean;
  /** True once a close frame went by: the stream ended by itself, nothing may follow. */
  closed(): boolean;
}

/** Creates a tracker; it reads only frame headers (payloads are skipped by length). */
export function createWebSocketFrameTracker(): WebSocketFrameTracker {
  let header: Buffer = Buffer.alloc(0);
  let remaining = 0; // payload bytes of the current frame still to come
  let closeSeen = false;
  let broken = false;

  const headerLength = (h: Buffer): number | undefined => {
    if (h.length < 2) return undefined;
    const len7 = h[1]! & 0x7f;
    const masked = (h[1]! & 0x80) !== 0;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
  };

  return {
    observe(chunk) {
      let i = 0;
      while (i < chunk.length && !broken) {
        if (remaining > 0) {
          const take = Math.min(remaining, chunk.length - i);
          remaining -= take;
          i += take;
          continue;
        }
        header = Buffer.concat([header, chunk.subarray(i, i + 1)]);
        i += 1;
        const need = headerLength(header);
        if (need === undefined || header.length < need) continue;
        const len7 = header[1]! & 0x7f;
        let len: number;
        if (len7 === 126) len = header.readUInt16BE(2);
        else if (len7 === 127) {
          const big = header.readBigUInt64BE(2);
          if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
            broken = true;
            break;
          }
          len = Number(big);
        } else len = len7;
        if ((header[0]! & 0x0f) === OPCODE_CLOSE) closeSeen = true;
        header = Buffer.alloc(0);
        remaining = len;
      }
    },
    atBoundary: () => !broken && remaining === 0 && header.length === 0,
    closed: () => closeSeen,
  };
}
