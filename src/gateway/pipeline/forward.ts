/**
 * Pipeline step 4: forward to the upstream with the held credential and impersonation, streaming both bodies.
 * Each upstream read is written to the client as it arrives, so a watch reaches kubectl event by event;
 * only `res.end()` waits, for the audit write.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { buildStatus } from '../../kube/status.js';
import type { KubeStatus } from '../../kube/types.js';
import type { GatewayContext } from '../gateway-context.js';
import { sendStatus, type ProxyExchange } from './exchange.js';
import { maskingRequestHeaders, prepareMaskedRequest } from './mask-request.js';
import { relayMaskedAnswer } from './mask-response.js';
import { clientResponseHeaders, upstreamRequestHeaders, type UpstreamIdentity } from './upstream-headers.js';
import type { Upstream } from './upstream-pools.js';

/** Forwards an ordinary (non-upgrade) request and answers it; `audit` runs before the response ends. */
export type ForwardStep = (x: ProxyExchange, audit: () => Promise<void>) => Promise<void>;

/** Status for an unreachable upstream, as kube's own proxies word it. */
export function upstreamUnreachable(connection: string, cause: unknown): KubeStatus {
  const detail = (cause as { code?: string })?.code ?? (cause as Error)?.message ?? 'error';
  return buildStatus(502, 'ServiceUnavailable', `the gateway cannot reach the Kubernetes API of connection "${connection}" (${detail})`);
}

/** The credential and impersonation headers for this request. */
export async function upstreamIdentity(gw: GatewayContext, up: Upstream, x: ProxyExchange): Promise<UpstreamIdentity> {
  const { claims } = x.session!;
  const id: UpstreamIdentity = { authorization: await up.authorization(), auditID: x.auditID };
  if (up.connection.impersonate) {
    const { userPrefix, groupPrefix } = gw.config.impersonation;
    id.impersonate = { user: `${userPrefix}${claims.sub}`, groups: claims.groups.map((g) => `${groupPrefix}${g}`) };
    x.impersonatedUser = id.impersonate.user;
  }
  return id;
}

function waitDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => { res.off('drain', done); res.off('close', closed); resolve(); };
    const closed = (): void => { res.off('drain', done); reject(new Error('client went away')); };
    res.on('drain', done);
    res.once('close', closed);
  });
}

function hasBody(x: ProxyExchange): boolean {
  const len = x.req.headers['content-length'];
  return x.req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

/** Builds the forward step. */
export function createForward(gw: GatewayContext): ForwardStep {
  return async (x, audit) => {
    const res = x.res!;
    const up = gw.upstreams.get(x.connectionName);
    if (up === undefined) {
      await sendStatus(x, buildStatus(404, 'NotFound', `connection "${x.connectionName}" is not configured on this gateway`), audit);
      return;
    }
    const session = x.session!.session;
    const abort = new AbortController();
    const untrack = gw.streams.add(session.id, Date.parse(session.expiresAt), {
      close: (reason) => {
        x.message = `closed by the gateway: ${reason}`;
        abort.abort();
        res.destroy();
      },
    });
    res.once('close', () => {
      untrack();
      if (!res.writableFinished) abort.abort();
    });

    const masking = gw.config.policy.masking.enabled;
    const refusal = masking ? await prepareMaskedRequest(x) : undefined;
    if (refusal !== undefined) {
      await sendStatus(x, refusal, audit);
      return;
    }
    let upstream: Dispatcher.ResponseData;
    try {
      const headers = upstreamRequestHeaders(x.req.headersDistinct, x.req.headers, await upstreamIdentity(gw, up, x));
      upstream = await up.pool.request({
        path: `${up.basePath}${x.kubePath}`,
        method: (x.req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: masking ? maskingRequestHeaders(x, headers) : headers,
        body: x.requestBody ?? (hasBody(x) ? x.req : null),
        signal: abort.signal,
      });
    } catch (cause) {
      if (res.destroyed) { await audit().catch(() => undefined); return; }
      await sendStatus(x, upstreamUnreachable(x.connectionName, cause), audit);
      return;
    }

    x.status = upstream.statusCode;
    if (masking && await relayMaskedAnswer(x, upstream, audit)) return;
    const lengthHeader = Number(upstream.headers['content-length']);
    const declared = Number.isSafeInteger(lengthHeader) && lengthHeader > 0 ? lengthHeader : undefined;
    let tail: Buffer | undefined;
    try {
      res.writeHead(upstream.statusCode, clientResponseHeaders(upstream.headers));
      // A watch (no Content-Length) may not produce its first event for a long time: send its headers now.
      // With a Content-Length they leave with the body, in one write.
      if (declared === undefined) res.flushHeaders();
      for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
        x.bytes += chunk.length;
        // With a Content-Length the client sees the answer complete at its last byte, so that byte waits for the audit write.
        const last = declared !== undefined && x.bytes >= declared;
        if (last) tail = chunk.subarray(chunk.length - 1);
        const now = last ? chunk.subarray(0, chunk.length - 1) : chunk;
        if (now.length > 0 && !res.write(now)) await waitDrain(res);
      }
    } catch (cause) {
      x.message ??= `stream ended early: ${(cause as Error).message}`;
      upstream.body.destroy();
      res.destroy();
      await audit().catch(() => undefined);
      return;
    }
    try {
      await audit();
    } catch {
      // The event could not be recorded: the client must see a failure, not a complete answer.
      res.destroy();
      return;
    }
    if (tail === undefined) res.end();
    else res.end(tail);
  };
}
