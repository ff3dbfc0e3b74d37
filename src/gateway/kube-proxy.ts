/**
 * The Kubernetes reverse proxy on `/k8s/<connection>/…`: authenticate → classify → upgrade rule → authorize →
 * forward, every answer through the gate (pipeline/answer-gate.ts) and audited.
 */
import { randomUUID } from 'node:crypto';
import { auditEvent } from '../audit/audit-event.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { buildStatus } from '../kube/status.js';
import type { KubeStatus } from '../kube/types.js';
import { upgradeResponse } from '../platform/upgrade-response.js';
import type { GatewayContext } from './gateway-context.js';
import { recordProxyAudit } from './pipeline/audit.js';
import { createAuthenticate } from './pipeline/authenticate.js';
import { createAuthorize } from './pipeline/authorize.js';
import { createCommandReviews } from './approvals/command-review.js';
import { upgradeRule } from './pipeline/answer-gate.js';
import { createClassify } from './pipeline/classify.js';
import { isRefusal, sendStatus, type ProxyExchange } from './pipeline/exchange.js';
import { createForward } from './pipeline/forward.js';
import { createForwardUpgrade } from './pipeline/forward-upgrade.js';
import { timedPhase } from './metrics.js';
import { answerSelfReview } from './pipeline/self-review.js';
import { createAuthFailureLimiter, DEFAULT_AUTH_FAILURE_LIMIT, type AuthFailureLimitOptions, type RefusedBatch } from './auth-failure-limit.js';

/** Path prefix of the reverse proxy. */
export const KUBE_PREFIX = '/k8s/';

/** The reverse proxy's two entry points (ordinary requests and HTTP/1.1 upgrades). */
export interface KubeProxy {
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  /** Writes the audit events of requests refused by the unauthenticated-request limit that are still counted; stops its timer. */
  close(): Promise<void>;
}

/** Splits `/k8s/<connection><kube path>`; the kube path is kept byte for byte. */
export function splitKubeUrl(url: string): { connection: string; kubePath: string } | undefined {
  if (!url.startsWith(KUBE_PREFIX)) return undefined;
  const rest = url.slice(KUBE_PREFIX.length);
  const end = rest.search(/[/?]/);
  const connection = end === -1 ? rest : rest.slice(0, end);
  const tail = end === -1 ? '' : rest.slice(end);
  if (connection === '') return undefined;
  return { connection, kubePath: tail.startsWith('/') ? tail : `/${tail}` };
}

// A client's Audit-ID is kept beside ours only when it is a plain token, so logs stay parseable.
function clientAuditIdOf(req: IncomingMessage): string | undefined {
  const given = req.headers['audit-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : undefined;
}

/** The one audit event of the requests from one source refused by the unauthenticated-request limit in one interval. */
function refusedBatchEvent(b: RefusedBatch, limit: AuthFailureLimitOptions): ReturnType<typeof auditEvent> {
  const from = new Date(b.firstMs).toISOString();
  return auditEvent({
    auditID: randomUUID(),
    stage: 'ResponseComplete',
    time: from,
    verb: 'unauthenticated',
    requestURI: KUBE_PREFIX,
    decision: 'deny',
    rule: 'gateway:rate-limit',
    responseStatus: 429,
    sourceIP: b.source,
    message: `${b.count} unauthenticated request(s) from ${b.source} refused by the rate limit (${limit.perSecond}/s, burst ${limit.burst}) between ${from} and ${new Date(b.lastMs).toISOString()}`,
    annotations: { 'ratelimit.hoopctl.dev/refused-requests': String(b.count) },
  });
}

/** Builds the proxy; every step is built here once, so a mistake in its setup fails at start. */
export function createKubeProxy(gw: GatewayContext, limit: AuthFailureLimitOptions = DEFAULT_AUTH_FAILURE_LIMIT): KubeProxy {
  const authenticate = createAuthenticate(gw);
  const classify = createClassify();
  const authorize = timedPhase(gw.metrics, 'policy', createAuthorize(gw.config.policy, createCommandReviews(gw.requests, gw.now)));
  const forward = createForward(gw);
  const forwardUpgrade = createForwardUpgrade(gw);
  const limiter = createAuthFailureLimiter(limit);
  const writes = new Set<Promise<void>>();
  // The batches are written off the request path: a refused request is answered at once, its batch when its interval ends.
  const writeBatches = (batches: RefusedBatch[]): void => {
    for (const b of batches) {
      const p = gw.store
        .appendAudit(refusedBatchEvent(b, limit))
        .then(
          () => gw.auditHealth.succeeded(),
          (cause: unknown) => {
            gw.auditHealth.failed(cause);
            gw.log(
              `audit write failed for ${b.count} rate-limited unauthenticated request(s) from ${b.source}: ${cause instanceof Error ? cause.message : String(cause)}`,
            );
          },
        )
        .finally(() => writes.delete(p));
      writes.add(p);
    }
  };
  const sweep = setInterval(() => writeBatches(limiter.due(gw.now())), Math.max(1000, Math.min(limit.intervalMs, 10_000)));
  sweep.unref();
  if (!gw.config.policy.masking.enabled) gw.log('WARNING: policy.masking.enabled is false: Secret values reach clients in clear (for benchmarks only)');

  function exchange(req: IncomingMessage, res: ServerResponse, parts: { connection: string; kubePath: string }): ProxyExchange {
    const clientAuditID = clientAuditIdOf(req);
    return {
      gw,
      req,
      res,
      connectionName: parts.connection,
      kubePath: parts.kubePath,
      auditID: randomUUID(),
      startedAt: gw.now(),
      sourceIP: req.socket?.remoteAddress ?? null,
      status: null,
      bytes: 0,
      message: null,
      audited: false,
      ...(clientAuditID === undefined ? {} : { clientAuditID }),
    };
  }

  // A request that proved no identity (401, or a path naming no connection): audited on its own within the source's limit, over it answered 429 and
  // counted into the source's batch (one audit event per interval).
  async function refuseUnauthenticated(x: ProxyExchange, status: KubeStatus): Promise<void> {
    const nowMs = gw.now();
    // A 503 (the store is unreachable) says nothing about the caller.
    const over = status.code === 503 ? undefined : limiter.take(x.sourceIP, nowMs);
    writeBatches(limiter.due(nowMs));
    if (over === undefined) {
      await sendStatus(x, status, () => recordProxyAudit(x));
      return;
    }
    gw.metrics?.unauthenticatedLimited();
    x.audited = true;
    if (!x.res.headersSent) x.res.setHeader('retry-after', String(over.retryAfterSeconds));
    await sendStatus(
      x,
      buildStatus(
        429,
        'TooManyRequests',
        `too many requests without a valid session token from this address; retry after ${over.retryAfterSeconds}s (run hoopctl connect ${x.connectionName === '' ? '<connection>' : x.connectionName} for a session)`,
        { retryAfterSeconds: over.retryAfterSeconds },
      ),
      async () => undefined,
    );
  }

  async function run(x: ProxyExchange): Promise<void> {
    const audit = (): Promise<void> => recordProxyAudit(x);
    const refuse = (status: KubeStatus): Promise<void> => sendStatus(x, status, audit);
    try {
      // Each step hands the next the same exchange, typed with what it filled in (exchange.ts).
      const authenticated = await authenticate(x);
      if (isRefusal(authenticated)) return await refuseUnauthenticated(x, authenticated);
      const classified = await classify(authenticated);
      if (isRefusal(classified)) return await refuse(classified);
      const upgradeRefusal = await upgradeRule(classified);
      if (upgradeRefusal !== undefined) return await refuse(upgradeRefusal);
      // auth whoami / can-i are answered by the gateway for every session, so authorize must not see them.
      if (await answerSelfReview(classified, audit)) return;
      const authorized = await authorize(classified);
      if (isRefusal(authorized)) return await refuse(authorized);
      // The upgrade rule may have turned an upgrade request into a plain one (and cleared x.upgrade).
      const { upgrade } = authorized;
      if (upgrade !== undefined) await forwardUpgrade(authorized, upgrade);
      else await forward(authorized);
    } catch (e) {
      gw.log(`proxy error on ${x.connectionName} ${x.req.method ?? ''} (audit ${x.auditID}): ${e instanceof Error ? e.message : String(e)}`);
      x.message = 'internal gateway error';
      await sendStatus(x, buildStatus(500, 'InternalError', `internal gateway error (audit id ${x.auditID})`), audit);
    }
  }

  // `/k8s/` without a connection name: answered and audited like every other request on the proxy path.
  async function noConnection(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const x = exchange(req, res, { connection: '', kubePath: (req.url ?? '/').slice(KUBE_PREFIX.length - 1) });
    x.refusedBy = 'route';
    await refuseUnauthenticated(x, buildStatus(404, 'NotFound', 'no connection named in the path; use /k8s/<connection>/…'));
  }

  return {
    async handleRequest(req, res) {
      const parts = splitKubeUrl(req.url ?? '/');
      if (parts === undefined) {
        await noConnection(req, res);
        return;
      }
      await run(exchange(req, res, parts));
    },
    async handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      // Answered through an ordinary response on the socket unless the gate admits a protocol switch.
      const { res, takeSocket } = upgradeResponse(req, socket);
      const parts = splitKubeUrl(req.url ?? '/');
      if (parts === undefined) {
        await noConnection(req, res);
        return;
      }
      const x = exchange(req, res, parts);
      x.upgrade = { socket, head, takeSocket };
      await run(x);
    },
    async close() {
      clearInterval(sweep);
      writeBatches(limiter.due(gw.now(), true));
      await Promise.all(writes);
    },
  };
}
