/**
 * What flows in a relayed exec/attach stream, in the terms of k8s remotecommand: stdin, stdout,
 * stderr, terminal resizes and the final status. WebSocket: one message per write, first byte = channel
 * (0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize; v5 adds 255 = close, KEP-4006; `base64.*`
 * protocols send the channel as an ASCII digit and base64 text). SPDY/3.1: one stream per channel,
 * named by the `streamType` header of the client's SYN_STREAM.
 */
import { createSpdyReader } from '../../kube/spdy-frames.js';
import { createWebSocketReader, WS_OPCODE } from './websocket-frames.js';

/** A decoded piece of the stream. */
export type StreamEvent =
  | { type: 'stdin' | 'stdout' | 'stderr'; data: Buffer }
  | { type: 'resize'; width: number; height: number }
  | { type: 'status'; status: Record<string, unknown> };

/** Decodes both directions of one stream; each call reads a copy of relayed bytes. Throws on bytes it cannot follow. */
export interface RemoteCommandDecoder {
  fromClient(chunk: Buffer): StreamEvent[];
  fromServer(chunk: Buffer): StreamEvent[];
  /** Events held back until the end (a status split over several writes). */
  end(): StreamEvent[];
}

const CHANNELS: Record<number, 'stdin' | 'stdout' | 'stderr' | 'error' | 'resize'> = { 0: 'stdin', 1: 'stdout', 2: 'stderr', 3: 'error', 4: 'resize' };

// kubectl writes TerminalSize with Go's field names ({"Width":80,"Height":24}), one JSON value per write.
function resizeEvents(text: string): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const m of text.matchAll(/\{[^{}]*\}/g)) {
    try {
      const v = JSON.parse(m[0]) as Record<string, unknown>;
      const width = Number(v['Width'] ?? v['width']);
      const height = Number(v['Height'] ?? v['height']);
      if (Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) out.push({ type: 'resize', width, height });
    } catch {
      /* not a size: ignore */
    }
  }
  return out;
}

function createStatusCollector(): { add(b: Buffer): void; end(): StreamEvent[] } {
  const parts: Buffer[] = [];
  return {
    add: (b) => {
      parts.push(b);
    },
    end() {
      const text = Buffer.concat(parts).toString('utf8').trim();
      parts.length = 0;
      if (text === '') return [];
      try {
        return [{ type: 'status', status: JSON.parse(text) as Record<string, unknown> }];
      } catch {
        // v1-v3 protocols send a plain message instead of a Status.
        return [{ type: 'status', status: { status: 'Failure', message: text } }];
      }
    },
  };
}

function channelEvents(channel: string | undefined, data: Buffer, status: { add(b: Buffer): void }): StreamEvent[] {
  if (data.length === 0 || channel === undefined) return [];
  if (channel === 'stdin' || channel === 'stdout' || channel === 'stderr') return [{ type: channel, data }];
  if (channel === 'resize') return resizeEvents(data.toString('utf8'));
  if (channel === 'error') status.add(data);
  return [];
}

function webSocketDecoder(protocol: string): RemoteCommandDecoder {
  const base64 = protocol.startsWith('base64.');
  const status = createStatusCollector();
  const direction = () => {
    const read = createWebSocketReader();
    let channel: string | undefined;
    let awaitingChannel = false;
    let pending = '';
    return (chunk: Buffer): StreamEvent[] => {
      const out: StreamEvent[] = [];
      for (const piece of read(chunk)) {
        if (piece.opcode !== WS_OPCODE.binary && piece.opcode !== WS_OPCODE.text) continue;
        let data = piece.data;
        if (piece.first) {
          awaitingChannel = true;
          channel = undefined;
          pending = '';
        }
        if (awaitingChannel && data.length > 0) {
          const c = base64 ? data[0]! - 0x30 : data[0]!;
          channel = CHANNELS[c];
          awaitingChannel = false;
          data = data.subarray(1);
        }
        if (base64) {
          // base64 text can split anywhere: decode whole quanta only.
          pending += data.toString('latin1');
          const whole = piece.last ? pending.length : pending.length - (pending.length % 4);
          data = Buffer.from(pending.slice(0, whole), 'base64');
          pending = pending.slice(whole);
        }
        out.push(...channelEvents(channel, data, status));
      }
      return out;
    };
  };
  const client = direction();
  const server = direction();
  return { fromClient: client, fromServer: server, end: () => status.end() };
}

function spdyDecoder(): RemoteCommandDecoder {
  const types = new Map<number, string>();
  const status = createStatusCollector();
  const readClient = createSpdyReader(true);
  const readServer = createSpdyReader(false);
  const events = (list: ReturnType<typeof readClient>): StreamEvent[] =>
    list.flatMap((e) => {
      if (e.kind === 'open') {
        types.set(e.streamId, e.headers.get('streamtype')?.[0] ?? '');
        return [];
      }
      if (e.kind !== 'data') return [];
      return channelEvents(types.get(e.streamId), e.data, status);
    });
  return { fromClient: (c) => events(readClient(c)), fromServer: (c) => events(readServer(c)), end: () => status.end() };
}

/** A decoder for the negotiated transport and stream protocol. */
export function createRemoteCommandDecoder(transport: 'websocket' | 'spdy', protocol: string): RemoteCommandDecoder {
  return transport === 'websocket' ? webSocketDecoder(protocol) : spdyDecoder();
}
