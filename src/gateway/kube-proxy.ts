/** The Kubernetes reverse proxy on `/k8s/<connection>/…`: authenticate → classify → authorize → forward, audited. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { buildStatus } from '../kube/status.js';
import type { GatewayContext } from './gateway-context.js';
import { recordProxyAudit } from './pipeline/audit.js';
import { createAuthenticate } from './pipeline/authenticate.js';
import { createAuthorize } from './pipeline/authorize.js';
import { createCommandReviews } from './approvals/command-review.js';
import { createClassify } from './pipeline/classify.js';
import { sendStatus, type ProxyExchange, type ProxyStep } from './pipeline/exchange.js';
import { createForward } from './pipeline/forward.js';
import { createForwardUpgrade } from './pipeline/forward-upgrade.js';
import { answerSelfReview } from './pipeline/self-review.js';

/** Path prefix of the reverse proxy. */
export const KUBE_PREFIX = '/k8s/';

/** The reverse proxy's two entry points (ordinary requests and HTTP/1.1 upgrades). */
export interface KubeProxy {
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
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

// kube-apiserver accepts a client-chosen Audit-ID; keep it only when it is a plain token, so logs stay parseable.
function auditIdOf(req: IncomingMessage): string {
  const given = req.headers['audit-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
}

/** Builds the proxy; every step is built here once, so a mistake in its setup fails at start. */
export function createKubeProxy(gw: GatewayContext): KubeProxy {
  const authorize = createAuthorize(gw.config.policy, createCommandReviews(gw.requests, gw.now));
  const steps: ProxyStep[] = [createAuthenticate(gw), createClassify(), authorize];
  const forward = createForward(gw);
  const forwardUpgrade = createForwardUpgrade(gw);
  if (!gw.config.policy.masking.enabled) gw.log('WARNING: policy.masking.enabled is false: Secret values reach clients in clear (for benchmarks only)');

  function exchange(req: IncomingMessage, parts: { connection: string; kubePath: string }): ProxyExchange {
    return {
      gw, req, connectionName: parts.connection, kubePath: parts.kubePath, auditID: auditIdOf(req), startedAt: gw.now(),
      sourceIP: req.socket?.remoteAddress ?? null,
      status: null, bytes: 0, message: null, audited: false,
    };
  }

  async function run(x: ProxyExchange): Promise<void> {
    const audit = (): Promise<void> => recordProxyAudit(gw.store, x, gw.now());
    try {
      for (const step of steps) {
        // auth whoami / can-i are answered by the gateway for every session, so authorize must not see them.
        if (step === authorize && await answerSelfReview(x, audit)) return;
        const refusal = await step(x);
        if (refusal !== undefined) {
          await sendStatus(x, refusal, audit);
          return;
        }
      }
      if (x.upgrade !== undefined) await forwardUpgrade(x, audit);
      else await forward(x, audit);
    } catch (e) {
      gw.log(`proxy error on ${x.connectionName} ${x.req.method ?? ''} (audit ${x.auditID}): ${e instanceof Error ? e.message : String(e)}`);
      x.message = 'internal gateway error';
      await sendStatus(x, buildStatus(500, 'InternalError', `internal gateway error (audit id ${x.auditID})`), audit);
    }
  }

  return {
    async handleRequest(req, res) {
      const parts = splitKubeUrl(req.url ?? '/');
      if (parts === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
        return;
      }
      const x = exchange(req, parts);
      x.res = res;
      await run(x);
    },
    async handleUpgrade(req, socket, head) {
      const parts = splitKubeUrl(req.url ?? '/');
      if (parts === undefined) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      socket.on('error', () => socket.destroy());
      const x = exchange(req, parts);
      x.upgrade = { socket, head };
      await run(x);
    },
  };
}
