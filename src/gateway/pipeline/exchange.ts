/** One request on `/k8s/<connection>/…` as it moves through the pipeline steps, and how a step refuses it. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeStatus, RequestInfo } from '../../kube/types.js';
import type { PolicyDecision } from '../../policy/types.js';
import type { GatewayContext } from '../gateway-context.js';
import type { VerifiedSession } from '../session-token.js';

/** The socket of a request that arrived as an HTTP/1.1 upgrade. */
export interface ClientUpgrade {
  socket: Duplex;
  head: Buffer;
  takeSocket(): Duplex;
}

/**
 * State of one proxied request; steps fill it in order. The fields a step fills are optional here (the audit
 * records whatever a request got to); each step returns the exchange typed for the next (AuthenticatedExchange …).
 */
export interface ProxyExchange {
  gw: GatewayContext;
  req: IncomingMessage;
  /**
   * Every answer goes here, also for a request that arrived as an HTTP upgrade (then `res` writes on its socket):
   * only an admitted exec-class upgrade takes the socket back, after the 101 (see answer-gate.ts).
   */
  res: ServerResponse;
  /** Set while the request asks for an HTTP/1.1 upgrade; cleared when the gate serves it as a plain request. */
  upgrade?: ClientUpgrade | undefined;
  connectionName: string;
  /** Path and query after `/k8s/<connection>`, exactly as received (never cleaned). */
  kubePath: string;
  /** Chosen by the gateway: a client-chosen id could collide with another request's. */
  auditID: string;
  /** The client's own Audit-ID, when it sent a plain token, recorded beside ours. */
  clientAuditID?: string;
  startedAt: number;
  /** Read when the request arrives: `req.socket` is gone once the exchange ends. */
  sourceIP: string | null;
  session?: VerifiedSession;
  /** The request body when a step had to read it (a reviewed request is hashed); forward then sends these bytes instead of `req`. */
  requestBody?: Buffer;
  info?: RequestInfo;
  decision?: PolicyDecision;
  /** Which step refused the request, for the audit rule when no policy rule decided. */
  refusedBy?: string;
  impersonatedUser?: string;
  status: number | null;
  bytes: number;
  message: string | null;
  audited: boolean;
  /** Time spent waiting on this request's audit writes so far, in ms (the audit phase of /metrics). */
  auditWaitMs?: number;
  /** Values masked in the answer and in the audited request body (undefined: none). */
  maskedCount?: number;
  /** The request body as the audit event records it: masked, or size and SHA-256 when it is not JSON/YAML. */
  requestObject?: unknown;
  /** The single-command review that holds (or approved) this request: its audit events name it. */
  reviewRequest?: string;
  /** Masking exceptions (policy paths) that left objects of this answer in clear. */
  maskExemptions?: Set<string>;
  /** The masked request URI and start time as the audit records them: computed once, shared by the request's events. */
  auditStatic?: { requestURI: string; uriMasked: number; time: string };
  /** Set when the gateway cuts this request's stream (session ended, gateway stopping): why. */
  cutReason?: string;
}

// Discovery documents: /api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>, /version (with or without a query).
const DISCOVERY_PATH = /^\/(?:api(?:\/[^/?]+)?|apis(?:\/[^/?]+){0,2}|version)\/?(?:\?.*)?$/;

/** Past authenticate: the session token is verified and is for this connection. */
export type AuthenticatedExchange = ProxyExchange & { session: VerifiedSession };
/** Past classify: the request is read as kube-apiserver reads it. */
export type ClassifiedExchange = AuthenticatedExchange & { info: RequestInfo };
/** Past authorize: the policy allowed it (directly, or by an approved review). */
export type AuthorizedExchange = ClassifiedExchange & { decision: PolicyDecision };

/** A pipeline step: the same exchange typed for the next step, or the Status that refuses it. */
export type ProxyStep<In extends ProxyExchange, Out extends In> = (x: In) => Promise<Out | KubeStatus>;

/** True when a step refused the request. */
export function isRefusal(r: ProxyExchange | KubeStatus): r is KubeStatus {
  return 'kind' in r && r.kind === 'Status';
}

/**
 * Answers with a Kubernetes Status after `audit` ran. A Status carries nothing from upstream, so it is sent even
 * when its audit write fails (the failure is logged by the recorder): the client learns why, nothing leaks.
 */
export async function sendStatus(x: ProxyExchange, status: KubeStatus, audit: () => Promise<void>): Promise<void> {
  const body = Buffer.from(JSON.stringify(status));
  x.status = status.code;
  x.bytes = body.length;
  x.message ??= status.message;
  try {
    await audit();
  } catch {
    /* logged where it failed */
  }
  const { res } = x;
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  if (status.code >= 500 && DISCOVERY_PATH.test(x.kubePath)) {
    // kubectl's discovery client prints only a generic line for a JSON Status (or for any 503), but quotes a plain-text
    // 500/502 body: "an error on the server ("…") has prevented the request from succeeding".
    const text = Buffer.from(`${status.message}\n`, 'utf8');
    res.writeHead(status.code === 503 ? 502 : status.code, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': text.length,
      'cache-control': 'no-cache, private',
      'audit-id': x.auditID,
    });
    res.end(text);
    return;
  }
  res.writeHead(status.code, {
    'content-type': 'application/json',
    'content-length': body.length,
    'cache-control': 'no-cache, private',
    'audit-id': x.auditID,
    ...(status.code === 403 ? { 'x-content-type-options': 'nosniff' } : {}),
    ...(status.code === 503 ? { 'retry-after': '1' } : {}),
  });
  res.end(body);
}
