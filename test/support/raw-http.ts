// One HTTP/1.1 exchange on a raw socket (node:net or node:tls): the request goes out byte for byte as
// written, every byte that comes back is kept — status line, headers, body, and whatever follows a
// 101 — and a strict parser reads it back, so a test can judge the answer as a client would.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { brotliDecompressSync, constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** Where to send: a plain or TLS socket on 127.0.0.1. */
export interface RawTarget {
  port: number;
  host?: string;
  /** PEM of the CA that signed the server's certificate; absent for plain TCP. */
  tlsCa?: string;
}

/** Everything the server sent, and why the capture ended. */
export interface RawCapture {
  bytes: Buffer;
  ended: 'closed' | 'idle' | 'complete' | 'max' | 'error';
  error?: string;
}

/** How long a capture waits: for the first byte, for silence after it, in all, and after a complete final answer. */
export interface CaptureTimes {
  firstByteMs: number;
  idleMs: number;
  maxMs: number;
  graceMs: number;
}

// Streams (watch, logs -f, upgrades) are cut after a short silence; a slow first byte on a loaded machine is not silence.
const DEFAULT_TIMES: CaptureTimes = { firstByteMs: 1500, idleMs: 200, maxMs: 4000, graceMs: 25 };

/** Sends `request` and captures the answer until close, silence, a complete final answer, or the deadline. */
export function exchangeRaw(target: RawTarget, request: Buffer, times: Partial<CaptureTimes> = {}, isHead = false): Promise<RawCapture> {
  const t = { ...DEFAULT_TIMES, ...times };
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const host = target.host ?? '127.0.0.1';
    const socket: Socket =
      target.tlsCa === undefined
        ? netConnect({ host, port: target.port })
        : tlsConnect({ host, port: target.port, ca: target.tlsCa, servername: host === '127.0.0.1' ? undefined : host, ALPNProtocols: ['http/1.1'] });
    let idle: NodeJS.Timeout | undefined;
    let grace: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (ended: RawCapture['ended'], error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      clearTimeout(grace);
      clearTimeout(max);
      socket.destroy();
      resolve({ bytes: Buffer.concat(chunks), ended, ...(error === undefined ? {} : { error }) });
    };
    const max = setTimeout(() => finish('max'), t.maxMs);
    const armIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => finish('idle'), chunks.length === 0 ? t.firstByteMs : t.idleMs);
    };
    socket.on(target.tlsCa === undefined ? 'connect' : 'secureConnect', () => {
      socket.write(request);
      armIdle();
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      armIdle();
      const parsed = parseHttpAnswers(Buffer.concat(chunks), isHead);
      const last = parsed.answers.at(-1);
      if (last !== undefined && last.complete && last.status >= 200 && parsed.trailing.length === 0) {
        clearTimeout(grace);
        grace = setTimeout(() => finish('complete'), t.graceMs);
      }
    });
    socket.on('end', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('error', (e) => finish('error', e.message));
  });
}

/** One parsed answer. `body` is de-chunked; `decoded` is also decompressed (undefined when it could not be). */
export interface HttpAnswer {
  statusLine: string;
  status: number;
  headers: [string, string][];
  body: Buffer;
  decoded: Buffer | undefined;
  /** True when the framing says the body is whole (Content-Length reached, last chunk, or no body). */
  complete: boolean;
  /** Bytes after a 101: the upgraded stream. */
  upgraded?: Buffer;
}

/** Parsed answers plus what the parser found wrong, and bytes it could not place. */
export interface ParsedHttp {
  answers: HttpAnswer[];
  problems: string[];
  trailing: Buffer;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** First value of a header, case-insensitively. */
export function headerOf(a: HttpAnswer, name: string): string | undefined {
  return a.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

function decode(body: Buffer, encoding: string | undefined): Buffer | undefined {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  const partial = { finishFlush: constants.Z_SYNC_FLUSH };
  try {
    if (enc === 'identity' || enc === '') return body;
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(body, partial);
    if (enc === 'deflate') {
      try {
        return inflateSync(body, partial);
      } catch {
        return inflateRawSync(body, partial);
      }
    }
    if (enc === 'br') return brotliDecompressSync(body, { finishFlush: constants.BROTLI_OPERATION_FLUSH });
  } catch {
    return undefined;
  }
  return undefined;
}

/** Reads chunked framing from `at`; returns the data, where it ended, and whether the last chunk came. */
function dechunk(buf: Buffer, at: number, problems: string[]): { data: Buffer; end: number; complete: boolean } {
  const parts: Buffer[] = [];
  let i = at;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol === -1) return { data: Buffer.concat(parts), end: buf.length, complete: false };
    const sizeText = buf.subarray(i, eol).toString('latin1').split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) {
      problems.push(`bad chunk size line ${JSON.stringify(buf.subarray(i, eol).toString('latin1').slice(0, 40))}`);
      return { data: Buffer.concat(parts), end: buf.length, complete: false };
    }
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      // Trailers, then an empty line.
      let j = eol + 2;
      for (;;) {
        const e = buf.indexOf('\r\n', j);
        if (e === -1) return { data: Buffer.concat(parts), end: buf.length, complete: false };
        if (e === j) return { data: Buffer.concat(parts), end: e + 2, complete: true };
        j = e + 2;
      }
    }
    if (buf.length < eol + 2 + size + 2) {
      parts.push(buf.subarray(eol + 2, Math.min(buf.length, eol + 2 + size)));
      return { data: Buffer.concat(parts), end: buf.length, complete: false };
    }
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    if (buf.subarray(eol + 2 + size, eol + 4 + size).toString('latin1') !== '\r\n') problems.push('chunk data not followed by CRLF');
    i = eol + 4 + size;
  }
}

/** Parses a captured byte stream as HTTP/1.1 answers (1xx interim answers, then a final one). */
export function parseHttpAnswers(buf: Buffer, isHead = false): ParsedHttp {
  const answers: HttpAnswer[] = [];
  const problems: string[] = [];
  let at = 0;
  while (at < buf.length) {
    const headEnd = buf.indexOf('\r\n\r\n', at);
    if (headEnd === -1) {
      if (!/^HTTP\/1\.1 /.test(buf.subarray(at, at + 9).toString('latin1')) && buf.length - at >= 9)
        problems.push(`not an HTTP/1.1 status line: ${JSON.stringify(buf.subarray(at, at + 60).toString('latin1'))}`);
      return { answers, problems, trailing: buf.subarray(at) };
    }
    const lines = buf.subarray(at, headEnd).toString('latin1').split('\r\n');
    const statusLine = lines[0]!;
    const m = /^HTTP\/1\.1 ([1-5]\d\d)(?: ([\t \x21-\x7e\x80-\xff]*))?$/.exec(statusLine);
    if (m === null) {
      problems.push(`not an HTTP/1.1 status line: ${JSON.stringify(statusLine.slice(0, 80))}`);
      return { answers, problems, trailing: buf.subarray(at) };
    }
    const status = Number(m[1]);
    const headers: [string, string][] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = colon === -1 ? '' : line.slice(0, colon);
      if (!TOKEN.test(name)) problems.push(`malformed header line ${JSON.stringify(line.slice(0, 80))}`);
      else headers.push([name, line.slice(colon + 1).trim()]);
    }
    const answer: HttpAnswer = { statusLine, status, headers, body: Buffer.alloc(0), decoded: Buffer.alloc(0), complete: true };
    answers.push(answer);
    at = headEnd + 4;
    const te = headers.filter(([n]) => n.toLowerCase() === 'transfer-encoding').map(([, v]) => v.toLowerCase());
    const cls = headers.filter(([n]) => n.toLowerCase() === 'content-length').map(([, v]) => v);
    if (te.length > 0 && cls.length > 0) problems.push('both Transfer-Encoding and Content-Length');
    if (new Set(cls).size > 1 || cls.some((v) => !/^\d+$/.test(v))) problems.push(`bad Content-Length ${JSON.stringify(cls)}`);
    if (status === 101) {
      answer.upgraded = buf.subarray(at);
      return { answers, problems, trailing: Buffer.alloc(0) };
    }
    if ((status >= 100 && status < 200) || status === 204 || status === 304 || isHead) {
      if ((status === 204 || status < 200) && (te.length > 0 || cls.some((v) => v !== '0'))) problems.push(`${status} with a body framing header`);
      if (status >= 200 && at < buf.length) {
        problems.push(
          `${buf.length - at} bytes after a ${status} answer that has no body${isHead ? ' (a body on a HEAD answer)' : ''}: ${JSON.stringify(buf.subarray(at, at + 60).toString('latin1'))}`,
        );
        return { answers, problems, trailing: buf.subarray(at) };
      }
      continue;
    }
    if (te.length > 0) {
      if (
        te
          .join(',')
          .split(',')
          .map((s) => s.trim())
          .at(-1) !== 'chunked'
      )
        problems.push(`Transfer-Encoding ${te.join(',')} without chunked last`);
      const c = dechunk(buf, at, problems);
      answer.body = c.data;
      answer.complete = c.complete;
      at = c.end;
    } else if (cls.length > 0) {
      const n = Number(cls[0]);
      answer.body = buf.subarray(at, Math.min(buf.length, at + n));
      answer.complete = buf.length >= at + n;
      at = Math.min(buf.length, at + n);
    } else {
      // Delimited by close: everything left is the body.
      answer.body = buf.subarray(at);
      answer.complete = false;
      at = buf.length;
    }
    answer.decoded = decode(answer.body, headerOf(answer, 'content-encoding'));
    if (answer.complete && at < buf.length) {
      problems.push(`${buf.length - at} bytes after a complete answer: ${JSON.stringify(buf.subarray(at, at + 60).toString('latin1'))}`);
      return { answers, problems, trailing: buf.subarray(at) };
    }
  }
  return { answers, problems, trailing: Buffer.alloc(0) };
}
