/**
 * How answers leave the gateway, with "no audit, no answer" built in — the one place that writes to the client:
 * - an answer held whole is sent only after its `ResponseComplete` event is stored; if that fails the client gets a
 *   503 Status instead (nothing of the answer);
 * - a streamed answer (watch, logs, large lists) starts only after its `ResponseStarted` event is stored (else the
 *   same 503), and ends only after its `ResponseComplete` event is stored; if that fails the stream is cut, never
 *   completed (with a Content-Length the last byte is held back for this).
 * Writes wait for the client to drain (backpressure), so a slow client cannot make the gateway buffer an answer.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { auditFailedStatus, endAudit, recordProxyAudit, recordProxyStage } from './audit.js';
import { sendStatus, type ProxyExchange } from './exchange.js';

/** Writes one chunk; resolves at once, or when the client drained, or rejects when it went away. */
export function writeChunk(res: ServerResponse, chunk: Buffer): Promise<void> | undefined {
  if (res.destroyed) return Promise.reject(new Error('client went away'));
  if (res.write(chunk)) return undefined;
  return new Promise((resolve, reject) => {
    const done = (): void => {
      res.off('close', closed);
      resolve();
    };
    const closed = (): void => {
      res.off('drain', done);
      reject(new Error('client went away'));
    };
    res.once('drain', done);
    res.once('close', closed);
  });
}

/** Sends a whole answer once its audit event is stored; a 503 Status when it cannot be. */
export async function sendHeld(x: ProxyExchange, status: number, headers: OutgoingHttpHeaders, body: Buffer): Promise<void> {
  x.status = status;
  x.bytes = body.length;
  try {
    await recordProxyAudit(x);
  } catch {
    x.message = 'refused: its audit event could not be written';
    await sendStatus(x, auditFailedStatus(x), async () => undefined);
    return;
  }
  const { res } = x;
  if (res.destroyed) return;
  headers['audit-id'] = x.auditID;
  const bodyless = x.req.method === 'HEAD' || status === 204 || status === 304;
  res.writeHead(status, bodyless ? headers : { ...headers, 'content-length': body.length });
  res.end(bodyless ? undefined : body);
}

/**
 * Starts a streamed answer: its `ResponseStarted` event first, then the headers, flushed (a watch may stay silent
 * for minutes). Returns false when it sent a 503 Status instead.
 */
export async function startStream(x: ProxyExchange, status: number, headers: OutgoingHttpHeaders): Promise<boolean> {
  x.status = status;
  try {
    await recordProxyStage(x, 'ResponseStarted');
  } catch {
    x.message = 'refused: its audit event could not be written';
    endAudit(x);
    await sendStatus(x, auditFailedStatus(x), async () => undefined);
    return false;
  }
  if (x.res.destroyed) return false;
  // The gateway's id, whatever upstream echoed: it is the one the audit log knows.
  headers['audit-id'] = x.auditID;
  x.res.writeHead(status, headers);
  x.res.flushHeaders();
  return true;
}

/** Ends a streamed answer after its `ResponseComplete` event is stored (with the held last byte), or cuts it. */
export async function endStream(x: ProxyExchange, tail?: Buffer): Promise<void> {
  try {
    await recordProxyAudit(x);
  } catch {
    x.res.destroy();
    return;
  }
  if (tail === undefined || tail.length === 0) x.res.end();
  else x.res.end(tail);
}

/** Cuts a stream that failed midway; its completion is still recorded when the store takes it. */
export async function abortStream(x: ProxyExchange, why: string): Promise<void> {
  x.message ??= `stream ended early: ${why}`;
  x.res.destroy();
  await recordProxyAudit(x).catch(() => undefined);
}
