/**
 * THE GATE — the only way from the upstream to a client (DESIGN.md, invariant 1).
 *
 * Invariant: every byte the upstream sends reaches the client through `deliverAnswer` (an HTTP answer: masked,
 * passed or refused by mask-plan.ts, audited by deliver.ts) or through an upgraded stream that
 * `admitUpgradedStream` let through — and only exec, attach and portforward on pods may be upgraded. A request that
 * carries `Connection: Upgrade` anywhere else is served as the plain request it is, with the upgrade headers dropped
 * (kube-apiserver does the same: fixtures 102/103), or refused with a Status when it cannot be (a body node did not
 * parse, a watch asked over WebSocket). No other code writes upstream bytes to a client; if you add a path from the
 * upstream, route it through here, and extend test/integration/answer-gate.test.ts, which enumerates every route
 * against every header shape.
 */
import { buildStatus, badRequestStatus } from '../../kube/status.js';
import type { KubeStatus } from '../../kube/types.js';
import { decideUpgrade, mayUpgrade } from '../../kube/upgrade-rule.js';
import { declaresBody } from '../../platform/upgrade-response.js';
import { recordProxyAudit } from './audit.js';
import { endStream, sendHeld, startStream, writeChunk, abortStream } from './deliver.js';
import { sendStatus, type ClassifiedExchange, type ProxyExchange } from './exchange.js';
import { maskModeFor } from './mask-plan.js';
import { BUFFER_BYTES, discard, relayMasked } from './mask-response.js';
import { clientResponseHeaders } from './upstream-headers.js';
import type { UpstreamAnswer } from './upstream-answer.js';

/**
 * Pipeline step (after classify): decides what an upgrade request is. Exec-class requests keep their upgrade; any
 * other becomes a plain request (its upgrade headers are never forwarded), or is refused when it cannot be one.
 */
export async function upgradeRule(x: ClassifiedExchange): Promise<KubeStatus | undefined> {
  if (x.upgrade === undefined) return undefined;
  const d = decideUpgrade(x.info, x.req.headers.upgrade, declaresBody(x.req));
  if (d.kind === 'upgrade') return undefined;
  if (d.kind === 'refuse') {
    x.refusedBy = 'upgrade';
    return badRequestStatus(d.message);
  }
  x.upgrade = undefined;
  return undefined;
}

/** True when an upgraded (101) stream may start for this request; it is cut otherwise. */
export function admitUpgradedStream(x: ProxyExchange): boolean {
  return x.upgrade !== undefined && mayUpgrade(x.info);
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);

/** Delivers one upstream HTTP answer: masked, passed or refused, and never before its audit event is stored. */
export async function deliverAnswer(x: ProxyExchange, answer: UpstreamAnswer): Promise<void> {
  const h = answer.headers;
  const length = Number(one(h['content-length']));
  const contentLength = Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  const plan = x.gw.config.policy.masking.enabled
    ? maskModeFor({
        info: x.info,
        method: x.req.method ?? 'GET',
        status: answer.statusCode,
        contentType: one(h['content-type']),
        contentEncoding: one(h['content-encoding']),
        contentLength,
      })
    : { mode: 'pass' as const };
  if (plan.mode === 'refuse') {
    discard(answer.body);
    x.message = `refused: the gateway cannot mask ${plan.reason}`;
    await sendStatus(
      x,
      buildStatus(
        502,
        'InternalError',
        `the gateway masks secret values and cannot mask ${plan.reason} from the Kubernetes API of connection "${x.connectionName}"; refused rather than passed unmasked`,
      ),
      () => recordProxyAudit(x),
    );
    return;
  }
  if (plan.mode === 'pass') await relayUnmasked(x, answer, contentLength);
  else await relayMasked(x, answer, plan.mode);
}

// Answers that need no masking (no body, API schema documents, masking off): held whole up to BUFFER_BYTES, else streamed.
async function relayUnmasked(x: ProxyExchange, answer: UpstreamAnswer, declared: number | undefined): Promise<void> {
  const headers = clientResponseHeaders(answer.headers);
  const bodyless = x.req.method === 'HEAD' || answer.statusCode === 204 || answer.statusCode === 304;
  if (bodyless || (declared !== undefined && declared <= BUFFER_BYTES)) {
    const chunks: Buffer[] = [];
    try {
      for await (const c of answer.body as AsyncIterable<Buffer>) chunks.push(c);
    } catch (cause) {
      await abortStream(x, (cause as Error).message);
      return;
    }
    if (!bodyless) delete headers['content-length'];
    await sendHeld(x, answer.statusCode, headers, Buffer.concat(chunks));
    return;
  }
  if (!(await startStream(x, answer.statusCode, headers))) {
    discard(answer.body);
    return;
  }
  let tail: Buffer | undefined;
  try {
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      x.bytes += chunk.length;
      // With a Content-Length the client sees the answer complete at its last byte: that byte waits for the audit.
      const last = declared !== undefined && x.bytes >= declared;
      if (last) tail = chunk.subarray(chunk.length - 1);
      const now = last ? chunk.subarray(0, chunk.length - 1) : chunk;
      if (now.length > 0) await writeChunk(x.res, now);
    }
  } catch (cause) {
    discard(answer.body);
    await abortStream(x, (cause as Error).message);
    return;
  }
  await endStream(x, tail);
}
