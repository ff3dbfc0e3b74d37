/**
 * The masked relay of one upstream answer (called only by the gate, answer-gate.ts): decodes gzip/deflate/br, masks
 * by the plan (mask-plan.ts), fixes the framing (no Content-Length/Encoding from upstream; a held JSON answer gets
 * its own Content-Length), and adds `X-Hoopctl-Masked: <rule set version>` so the local proxy knows not to mask
 * again (and, on a held JSON answer, `X-Hoopctl-Summary`, so it need not parse it for its transcript). JSON
 * documents up to BUFFER_BYTES are held whole; larger ones, watch streams and logs are written as they are masked:
 * a watch event is flushed the moment its last byte arrives. Anything that cannot be masked is refused.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { buildStatus } from '../../kube/status.js';
import type { StreamMasker } from '../../mask/json-stream.js';
import { createBufferedJsonMasker } from '../../mask/json-document.js';
import { SUMMARY_HEADER, encodeSummaryHeader, type JsonSummary } from '../../mask/json-summary.js';
import { createWatchMasker } from '../../mask/watch-masker.js';
import { createLineMasker } from '../../mask/line-masker.js';
import { createMaskContext, kindForResource, type MaskContext } from '../../mask/mask-object.js';
import { maskExemptionFor } from '../../policy/masking-exceptions.js';
import { recordProxyAudit } from './audit.js';
import { abortStream, endStream, sendHeld, startStream, writeChunk } from './deliver.js';
import { sendStatus, type ProxyExchange } from './exchange.js';
import type { MaskMode } from './mask-plan.js';
import { clientResponseHeaders } from './upstream-headers.js';
import type { UpstreamAnswer } from './upstream-answer.js';
import { watchEndLine } from './stream-end.js';

/** Response header naming the rule set the gateway applied. */
export const MASKED_HEADER = 'x-hoopctl-masked';
/** JSON answers up to this size are held whole and sent with a Content-Length. */
export const BUFFER_BYTES = 1 << 20;
/** Largest single value (object, list element, event, line) the maskers hold: 64 Mi characters. */
const LIMITS = { maxValueChars: 64 << 20 };

/** The masking context of one request: its rules, the kind its objects have, and the exceptions that apply to the caller. */
export function maskContextFor(x: ProxyExchange): MaskContext {
  const { policy } = x.gw.config;
  const info = x.info;
  const kind = info?.isResourceRequest ? kindForResource(info.resource) : undefined;
  const claims = x.session?.claims;
  const exemption =
    info?.isResourceRequest && claims !== undefined
      ? maskExemptionFor(policy, {
          subject: { user: claims.sub, groups: claims.groups },
          connection: x.connectionName,
          resource: info.resource,
          ...(claims.role === undefined ? {} : { role: claims.role }),
        })
      : undefined;
  return createMaskContext(policy.masking.rules, {
    ...(kind === undefined ? {} : { kindHint: kind }),
    ...(exemption === undefined
      ? {}
      : {
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
  const zlib =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  if (zlib === undefined) return body;
  pipeline(body, zlib, () => undefined);
  return zlib;
}

/** Drops an answer body nobody will read (undici emits an AbortError when it is destroyed unread). */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

function masker(mode: MaskMode, ctx: MaskContext, onSummary: (s: JsonSummary) => void): StreamMasker {
  if (mode === 'watch') return createWatchMasker(ctx, LIMITS);
  if (mode === 'lines') return createLineMasker(ctx, LIMITS);
  // Up to BUFFER_BYTES the answer is held anyway: native JSON.parse/stringify, then the streaming scanner past it.
  return createBufferedJsonMasker(ctx, LIMITS, BUFFER_BYTES, onSummary);
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);

/** Relays the upstream answer masked as `mode` says, with the audit written before the client sees it complete. */
export async function relayMasked(x: ProxyExchange, upstream: UpstreamAnswer, mode: Exclude<MaskMode, 'pass' | 'refuse'>): Promise<void> {
  const spent = { ms: 0 };
  try {
    await relay(x, upstream, mode, spent);
  } finally {
    x.gw.metrics?.observePhase('masking', spent.ms / 1000);
  }
}

// `spent` collects the time inside the masker only (the masking phase of /metrics), not the waits for upstream or the client.
async function relay(x: ProxyExchange, upstream: UpstreamAnswer, mode: Exclude<MaskMode, 'pass' | 'refuse'>, spent: { ms: number }): Promise<void> {
  const { res } = x;
  const h = upstream.headers;
  const ctx = maskContextFor(x);
  let summary: JsonSummary | undefined;
  const m = masker(mode, ctx, (s) => {
    summary = s;
  });
  const headers: OutgoingHttpHeaders = clientResponseHeaders(h);
  for (const name of Object.keys(headers)) {
    if (['content-length', 'content-encoding', MASKED_HEADER, SUMMARY_HEADER].includes(name.toLowerCase())) delete headers[name];
  }
  headers[MASKED_HEADER] = x.gw.config.policy.masking.rules.version;
  const text = new StringDecoder('utf8');
  const source = decoded(upstream.body, (one(h['content-encoding']) ?? '').toLowerCase().trim());
  // JSON documents are held (up to BUFFER_BYTES) so small answers keep a Content-Length; streams start at once.
  let held: Buffer[] | undefined = mode === 'json' ? [] : undefined;
  let heldBytes = 0;
  if (held === undefined && !(await startStream(x, upstream.statusCode, headers))) {
    discard(source);
    discard(upstream.body);
    return;
  }
  const send = async (s: string): Promise<void> => {
    if (s === '') return;
    const chunk = Buffer.from(s, 'utf8');
    if (held !== undefined) {
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes <= BUFFER_BYTES) return;
      if (!(await startStream(x, upstream.statusCode, headers))) throw new NotStarted();
      const all = Buffer.concat(held);
      held = undefined;
      x.bytes += all.length;
      await writeChunk(res, all);
      return;
    }
    x.bytes += chunk.length;
    await writeChunk(res, chunk);
  };

  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const t = performance.now();
      const out = m.push(text.write(chunk));
      spent.ms += performance.now() - t;
      await send(out);
    }
    const t = performance.now();
    const out = m.push(text.end()) + m.end();
    spent.ms += performance.now() - t;
    await send(out);
  } catch (cause) {
    x.maskedCount = (x.maskedCount ?? 0) + ctx.counter.masked;
    discard(source);
    discard(upstream.body);
    if (cause instanceof NotStarted) return;
    const why = (cause as Error).message;
    if (held !== undefined && !res.headersSent && !res.destroyed) {
      x.message = `refused: the gateway cannot mask the answer (${why})`;
      await sendStatus(
        x,
        buildStatus(
          502,
          'InternalError',
          `the gateway masks secret values and cannot mask this answer from connection "${x.connectionName}" (${why}); refused rather than passed unmasked`,
        ),
        () => recordProxyAudit(x),
      );
      return;
    }
    const cut = x.cutReason;
    if (cut !== undefined && mode === 'watch' && res.headersSent && !res.destroyed) {
      // A watch cut by the gateway (session ended, gateway stopping) ends with an ERROR event kubectl prints.
      x.message ??= `stream cut: ${cut}`;
      const line = watchEndLine(x, cut);
      x.bytes += line.length;
      res.write(line);
      await endStream(x);
      return;
    }
    await abortStream(x, why);
    return;
  }
  x.maskedCount = (x.maskedCount ?? 0) + ctx.counter.masked;
  if (held !== undefined) {
    // The local proxy's transcript reads this instead of parsing the body again.
    const value = summary === undefined ? undefined : encodeSummaryHeader(summary);
    if (value !== undefined) headers[SUMMARY_HEADER] = value;
    await sendHeld(x, upstream.statusCode, headers, Buffer.concat(held));
  } else await endStream(x);
}

class NotStarted extends Error {}
