/** One request on `/k8s/<connection>/…` as it moves through the pipeline steps, and how a step refuses it. */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeStatus, RequestInfo } from '../../kube/types.js';
import type { PolicyDecision } from '../../policy/types.js';
import type { GatewayContext } from '../gateway-context.js';
import type { VerifiedSession } from '../session-token.js';

/** State of one proxied request; steps fill it in order. */
export interface ProxyExchange {
  gw: GatewayContext;
  req: IncomingMessage;
  /** Ordinary requests answer here. */
  res?: ServerResponse;
  /** HTTP/1.1 upgrade requests (exec, attach, port-forward) answer on the raw socket. */
  upgrade?: { socket: Duplex; head: Buffer };
  connectionName: string;
  /** Path and query after `/k8s/<connection>`, exactly as received (never cleaned). */
  kubePath: string;
  auditID: string;
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
  /** Values masked in the answer and in the audited request body (undefined: none). */
  maskedCount?: number;
  /** The request body as the audit event records it: masked, or size and SHA-256 when it is not JSON/YAML. */
  requestObject?: unknown;
  /** Masking exceptions (policy paths) that left objects of this answer in clear. */
  maskExemptions?: Set<string>;
}

/** A pipeline step: returns a Status to refuse the request, or undefined to go on. */
export type ProxyStep = (x: ProxyExchange) => Promise<KubeStatus | undefined>;

/** Writes a Kubernetes Status answer after `beforeEnd` (the audit write) succeeded; destroys the answer if it failed. */
export async function sendStatus(x: ProxyExchange, status: KubeStatus, beforeEnd: () => Promise<void>): Promise<void> {
  const body = Buffer.from(JSON.stringify(status));
  x.status = status.code;
  x.bytes = body.length;
  x.message ??= status.message;
  try {
    await beforeEnd();
  } catch {
    x.res?.destroy();
    x.upgrade?.socket.destroy();
    return;
  }
  if (x.res !== undefined) {
    if (x.res.headersSent || x.res.destroyed) { x.res.destroy(); return; }
    x.res.writeHead(status.code, {
      'content-type': 'application/json', 'content-length': body.length, 'cache-control': 'no-cache, private',
      'audit-id': x.auditID, ...(status.code === 403 ? { 'x-content-type-options': 'nosniff' } : {}),
    });
    x.res.end(body);
  } else if (x.upgrade !== undefined) {
    writeRawResponse(x.upgrade.socket, status.code, [['Content-Type', 'application/json'], ['Audit-Id', x.auditID]], body);
  }
}

/** Writes a complete HTTP/1.1 response on a raw socket and closes it (upgrade requests that were not upgraded). */
export function writeRawResponse(socket: Duplex, code: number, headers: [string, string][], body: Buffer): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Unknown'}`];
  for (const [k, v] of headers) lines.push(`${k}: ${v.replace(/[\r\n]/g, '')}`);
  lines.push(`Content-Length: ${body.length}`, 'Connection: close', '', '');
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]));
}
