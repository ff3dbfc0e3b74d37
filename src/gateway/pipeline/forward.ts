/**
 * Pipeline step 4: forward to the upstream with the held credential and impersonation, and hand the answer to the
 * gate (answer-gate.ts), which alone decides what the client receives. A change to the cluster is forwarded only
 * once its `RequestReceived` audit event is stored.
 */
import type { Dispatcher } from 'undici';
import { buildStatus } from '../../kube/status.js';
import type { KubeStatus, RequestInfo } from '../../kube/types.js';
import type { GatewayContext } from '../gateway-context.js';
import { auditFailedStatus, endAudit, recordProxyAudit, recordProxyStage } from './audit.js';
import { deliverAnswer } from './answer-gate.js';
import { sendStatus, type AuthenticatedExchange, type AuthorizedExchange, type ClassifiedExchange, type ProxyExchange } from './exchange.js';
import { maskingRequestHeaders, prepareMaskedRequest } from './mask-request.js';
import { cutStatus } from './stream-end.js';
import { upstreamRequestHeaders, type UpstreamIdentity } from './upstream-headers.js';
import type { Upstream } from './upstream-pools.js';
import { UpstreamCredentialError } from './exec-credential.js';

/** Forwards an ordinary (non-upgrade) request and answers it through the gate. */
export type ForwardStep = (x: AuthorizedExchange) => Promise<void>;

/** Status for an unreachable upstream, as kube's own proxies word it. */
export function upstreamUnreachable(connection: string, cause: unknown): KubeStatus {
  if (cause instanceof UpstreamCredentialError) {
    return buildStatus(
      503,
      'ServiceUnavailable',
      `the gateway has no working credential for the Kubernetes API of connection "${connection}" (${cause.message}); try again shortly`,
    );
  }
  const detail = (cause as { code?: string })?.code ?? (cause as Error)?.message ?? 'error';
  return buildStatus(503, 'ServiceUnavailable', `the gateway cannot reach the Kubernetes API of connection "${connection}" (${detail}); try again shortly`);
}

/** The credential and impersonation headers for this request. */
export async function upstreamIdentity(gw: GatewayContext, up: Upstream, x: AuthenticatedExchange): Promise<UpstreamIdentity> {
  const { claims } = x.session;
  const id: UpstreamIdentity = { authorization: await up.authorization(), auditID: x.auditID };
  if (up.connection.impersonate) {
    const { userPrefix, groupPrefix } = gw.config.impersonation;
    id.impersonate = { user: `${userPrefix}${claims.sub}`, groups: claims.groups.map((g) => `${groupPrefix}${g}`) };
    x.impersonatedUser = id.impersonate.user;
  }
  return id;
}

const READ_VERBS = new Set(['get', 'list', 'watch']);

/** Open streams one session may hold at the gateway; each holds an upstream connection. */
export const MAX_STREAMS_PER_SESSION = 100;

/** True for requests whose answer may stay open for minutes: watches and followed logs. */
export function isLongStream(x: ClassifiedExchange): boolean {
  const { info } = x;
  if (info.verb === 'watch') return true;
  if (info.subresource !== 'log') return false;
  const follow = new URL(x.kubePath, 'http://k8s.invalid').searchParams.get('follow');
  return follow !== null && follow !== '0' && follow.toLowerCase() !== 'false';
}

/** True when the request may change the cluster (or opens an exec-class stream): it is audited before it is forwarded. */
export function changesCluster(method: string, info: RequestInfo | undefined): boolean {
  if (info === undefined) return true;
  if (info.execClass) return true;
  if (info.isResourceRequest) return !READ_VERBS.has(info.verb);
  return method !== 'GET' && method !== 'HEAD';
}

/** Writes the `RequestReceived` event of a change; on failure answers 503 and returns false. */
export async function auditBeforeForwarding(x: ProxyExchange): Promise<boolean> {
  if (!changesCluster(x.req.method ?? 'GET', x.info)) return true;
  try {
    await recordProxyStage(x, 'RequestReceived');
    return true;
  } catch {
    x.message = 'refused: its audit event could not be written, so it was not forwarded';
    endAudit(x);
    await sendStatus(x, auditFailedStatus(x), async () => undefined);
    return false;
  }
}

function hasBody(x: ProxyExchange): boolean {
  const len = x.req.headers['content-length'];
  return x.req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0');
}

/** Builds the forward step. */
export function createForward(gw: GatewayContext): ForwardStep {
  return async (x) => {
    const { res } = x;
    const audit = (): Promise<void> => recordProxyAudit(x);
    const up = gw.upstreams.get(x.connectionName);
    if (up === undefined) {
      await sendStatus(x, buildStatus(404, 'NotFound', `connection "${x.connectionName}" is not configured on this gateway`), audit);
      return;
    }
    const { session } = x.session;
    const long = isLongStream(x);
    if (long && gw.streams.count(session.id) >= MAX_STREAMS_PER_SESSION) {
      res.setHeader('retry-after', '10');
      await sendStatus(
        x,
        buildStatus(
          429,
          'TooManyRequests',
          `this session holds ${MAX_STREAMS_PER_SESSION} open requests at the gateway already; close some watches or logs -f first`,
        ),
        audit,
      );
      return;
    }
    const abort = new AbortController();
    const untrack = gw.streams.add(session.id, Date.parse(session.expiresAt), {
      close: (reason) => {
        x.cutReason = reason;
        x.message = `closed by the gateway: ${reason}`;
        abort.abort();
        // The gate ends a cut watch with an ERROR event; whatever is still open a moment later is cut hard.
        setTimeout(() => res.destroy(), 1000).unref();
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
    if (!(await auditBeforeForwarding(x))) return;
    let upstream: Dispatcher.ResponseData;
    const sent = performance.now();
    try {
      const headers = upstreamRequestHeaders(x.req.headersDistinct, x.req.headers, await upstreamIdentity(gw, up, x));
      upstream = await (long ? up.streamPool : up.pool).request({
        path: `${up.basePath}${x.kubePath}`,
        method: (x.req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: masking ? maskingRequestHeaders(x, headers) : headers,
        body: x.requestBody ?? (hasBody(x) ? x.req : null),
        signal: abort.signal,
      });
    } catch (cause) {
      if (res.destroyed) {
        await audit().catch(() => undefined);
        return;
      }
      if (x.cutReason !== undefined) {
        await sendStatus(x, cutStatus(x, x.cutReason), audit);
        return;
      }
      gw.log(`upstream of ${x.connectionName} unreachable (audit ${x.auditID}): ${(cause as { code?: string }).code ?? (cause as Error).message}`);
      await sendStatus(x, upstreamUnreachable(x.connectionName, cause), audit);
      return;
    }
    gw.metrics?.observePhase('upstream', (performance.now() - sent) / 1000);
    x.status = upstream.statusCode;
    await deliverAnswer(x, { statusCode: upstream.statusCode, headers: upstream.headers, body: upstream.body });
  };
}
