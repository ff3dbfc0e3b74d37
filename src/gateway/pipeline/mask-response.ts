/**
 * Relays an upstream answer masked (gateway authoritative): decodes gzip/deflate/br, masks by the
 * plan (mask-plan.ts), fixes the framing (no Content-Length/Encoding from upstream; a buffered JSON
 * answer gets its own Content-Length), and adds `X-Hoopctl-Masked: <rule set version>` so the local
 * proxy knows not to mask again. JSON documents up to BUFFER_BYTES are buffered (one Content-Length);
 * larger ones, watch streams and logs are written as they are masked: a watch event is flushed the
 * moment its last byte arrives. Anything that cannot be masked is refused, never passed.
 */
import type { ServerResponse } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { buildStatus } from '../../kube/status.js';
import type { StreamMasker } from '../../mask/json-stream.js';
import { createBufferedJsonMasker } from '../../mask/json-document.js';
import { createWatchMasker } from '../../mask/watch-masker.js';
import { createLineMasker } from '../../mask/line-masker.js';
import { createMaskContext, kindForResource, type MaskContext } from '../../mask/mask-object.js';
import { maskExemptionFor } from '../../policy/masking-exceptions.js';
import { sendStatus, type ProxyExchange } from './exchange.js';
import { maskModeFor, type MaskMode } from './mask-plan.js';
import { clientResponseHeaders } from './upstream-headers.js';

/** Response header naming the rule set the gateway applied. */
export const MASKED_HEADER = 'x-hoopctl-masked';
/** JSON answers up to this size are buffered and sent with a Content-Length. */
const BUFFER_BYTES = 1 << 20;
/** Largest single value (object, list element, event, line) the maskers hold: 64 Mi characters. */
const LIMITS = { maxValueChars: 64 << 20 };

/** The masking context of one request: its rules, the kind its objects have, and the exceptions that apply to the caller. */
export function maskContextFor(x: ProxyExchange): MaskContext {
  const { policy } = x.gw.config;
  const info = x.info;
  const kind = info?.isResourceRequest ? kindForResource(info.resource) : undefined;
  const claims = x.session?.claims;
  const exemption = info?.isResourceRequest && claims !== undefined
    ? maskExemptionFor(policy, {
      subject: { user: claims.sub, groups: claims.groups }, connection: x.connectionName, resource: info.resource,
      ...(claims.role === undefined ? {} : { role: claims.role }),
    })
    : undefined;
  return createMaskContext(policy.masking.rules, {
    ...(kind === undefined ? {} : { kindHint: kind }),
    ...(exemption === undefined ? {} : {
      isExempt: (namespace: string, name: string) => {
        const by = exemption(namespace, name);
        if (by === undefined) return false;
        (x.maskExemptions ??= new Set()).add(by);
        return true;
      },
    }),
  });
}

function decoded(body: Readable, encoding: string): Readable {
  const zlib = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip()
    : encoding === 'deflate' ? createInflate()
      : encoding === 'br' ? createBrotliDecompress() : undefined;
  if (zlib === undefined) return body;
  pipeline(body, zlib, () => undefined);
  return zlib;
}

// undici's body emits an AbortError when destroyed unread; nobody else listens to it any more.
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

function masker(mode: MaskMode, ctx: MaskContext): StreamMasker {
  if (mode === 'watch') return createWatchMasker(ctx, LIMITS);
  if (mode === 'lines') return createLineMasker(ctx, LIMITS);
  // Up to BUFFER_BYTES the answer is buffered anyway: native JSON.parse/stringify, then the streaming scanner past it.
  return createBufferedJsonMasker(ctx, LIMITS, BUFFER_BYTES);
}

function write(res: ServerResponse, chunk: Buffer): Promise<void> | undefined {
  if (res.write(chunk)) return undefined;
  return new Promise((resolve, reject) => {
    const done = (): void => { res.off('close', closed); resolve(); };
    const closed = (): void => { res.off('drain', done); reject(new Error('client went away')); };
    res.once('drain', done);
    res.once('close', closed);
  });
}

/**
 * Answers the client with the masked upstream answer and runs `audit` before the answer completes.
 * Returns false, touching nothing, when the answer needs no masking (no body, API schema documents).
 */
export async function relayMaskedAnswer(x: ProxyExchange, upstream: Dispatcher.ResponseData, audit: () => Promise<void>): Promise<boolean> {
  const res = x.res!;
  const h = upstream.headers;
  const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);
  const length = Number(one(h['content-length']));
  const plan = maskModeFor({
    info: x.info, method: x.req.method ?? 'GET', status: upstream.statusCode, contentType: one(h['content-type']),
    contentEncoding: one(h['content-encoding']), contentLength: Number.isSafeInteger(length) ? length : undefined,
  });
  if (plan.mode === 'pass') return false;
  if (plan.mode === 'refuse') {
    discard(upstream.body);
    x.message = `refused: the gateway cannot mask ${plan.reason}`;
    await sendStatus(x, buildStatus(502, 'InternalError',
      `the gateway masks secret values and cannot mask ${plan.reason} from the Kubernetes API of connection "${x.connectionName}"; refused rather than passed unmasked`), audit);
    return true;
  }

  const ctx = maskContextFor(x);
  const m = masker(plan.mode, ctx);
  const headers = clientResponseHeaders(h);
  for (const name of Object.keys(headers)) {
    if (['content-length', 'content-encoding', MASKED_HEADER].includes(name.toLowerCase())) delete headers[name];
  }
  headers[MASKED_HEADER] = x.gw.config.policy.masking.rules.version;
  const text = new StringDecoder('utf8');
  const source = decoded(upstream.body as unknown as Readable, (one(h['content-encoding']) ?? '').toLowerCase().trim());
  // JSON documents wait (up to BUFFER_BYTES) so small answers keep a Content-Length; streams start at once.
  let held: Buffer[] | undefined = plan.mode === 'json' ? [] : undefined;
  let heldBytes = 0;
  const send = async (s: string): Promise<void> => {
    if (s === '') return;
    const chunk = Buffer.from(s, 'utf8');
    if (held !== undefined) {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes <= BUFFER_BYTES) return;
      res.writeHead(upstream.statusCode, headers);
      const all = Buffer.concat(held);
      held = undefined;
      x.bytes += all.length;
      await write(res, all);
      return;
    }
    x.bytes += chunk.length;
    await write(res, chunk);
  };

  if (held === undefined) {
    res.writeHead(upstream.statusCode, headers);
    // A watch or `logs -f` may stay silent for minutes: the client must have the headers now.
    res.flushHeaders();
  }
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) await send(m.push(text.write(chunk)));
    await send(m.push(text.end()) + m.end());
  } catch (cause) {
    x.maskedCount = (x.maskedCount ?? 0) + ctx.counter.masked;
    discard(source);
    discard(upstream.body);
    const why = (cause as Error).message;
    if (held !== undefined && !res.headersSent && !res.destroyed) {
      x.message = `refused: the gateway cannot mask the answer (${why})`;
      await sendStatus(x, buildStatus(502, 'InternalError',
        `the gateway masks secret values and cannot mask this answer from connection "${x.connectionName}" (${why}); refused rather than passed unmasked`), audit);
      return true;
    }
    x.message ??= `stream ended early: ${why}`;
    res.destroy();
    await audit().catch(() => undefined);
    return true;
  }
  x.maskedCount = (x.maskedCount ?? 0) + ctx.counter.masked;
  let tail: Buffer | undefined;
  if (held !== undefined) {
    const body = Buffer.concat(held);
    x.bytes += body.length;
    res.writeHead(upstream.statusCode, { ...headers, 'content-length': body.length });
    // With a Content-Length the client sees the answer complete at its last byte, so that byte waits for the audit write.
    if (body.length > 1) await write(res, body.subarray(0, body.length - 1));
    tail = body.subarray(body.length - 1);
  }
  try {
    await audit();
  } catch {
    res.destroy();
    return true;
  }
  if (tail === undefined || tail.length === 0) res.end();
  else res.end(tail);
  return true;
}
