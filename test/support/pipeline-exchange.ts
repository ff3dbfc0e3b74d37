/**
 * In-memory exchanges for the pipeline's step tests (src/gateway/pipeline/*.test.ts), after hono's `app.request`:
 * a real IncomingMessage/ServerResponse pair on an unconnected socket, with what the step writes captured.
 */
import { IncomingMessage, ServerResponse, type OutgoingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import type { SessionClaims } from '../../src/api/wire.js';
import type { GatewayContext } from '../../src/gateway/gateway-context.js';
import type { AuthenticatedExchange, ProxyExchange } from '../../src/gateway/pipeline/exchange.js';

/** What the step wrote to the client. */
export interface CapturedAnswer {
  status: number | undefined;
  /** Header names lowercased. */
  headers: Record<string, string>;
  body: Buffer;
  ended: boolean;
}

/** What the test asks for: a method, the kube path after `/k8s/<connection>`, and request headers. */
export interface ExchangeInput {
  method?: string;
  kubePath: string;
  headers?: Record<string, string>;
  connection?: string;
}

/** A fresh exchange on `gw` (only the parts of the context the step under test reads need to be real). */
export function inMemoryExchange(gw: GatewayContext, input: ExchangeInput): { x: ProxyExchange; answer: CapturedAnswer } {
  const req = new IncomingMessage(new Socket());
  req.method = input.method ?? 'GET';
  const connection = input.connection ?? 'prod';
  req.url = `/k8s/${connection}${input.kubePath}`;
  for (const [k, v] of Object.entries(input.headers ?? {})) req.headers[k.toLowerCase()] = v;
  const res = new ServerResponse(req);
  const answer: CapturedAnswer = { status: undefined, headers: {}, body: Buffer.alloc(0), ended: false };
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown): void => {
    if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as string | Uint8Array));
  };
  // ServerResponse buffers its output while it has no socket; the test reads the calls instead of parsing HTTP/1.1.
  const writeHead = res.writeHead.bind(res);
  res.writeHead = ((status: number, headers?: OutgoingHttpHeaders) => {
    answer.status = status;
    for (const [k, v] of Object.entries({ ...res.getHeaders(), ...(headers ?? {}) })) {
      if (v !== undefined) answer.headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
    }
    return writeHead(status, headers);
  }) as typeof res.writeHead;
  const write = res.write.bind(res) as (chunk: unknown) => boolean;
  res.write = ((chunk: unknown) => {
    keep(chunk);
    write(chunk);
    return true;
  }) as typeof res.write;
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    keep(chunk);
    answer.body = Buffer.concat(chunks);
    answer.ended = true;
    return end(chunk);
  }) as typeof res.end;
  const x: ProxyExchange = {
    gw,
    req,
    res,
    connectionName: connection,
    kubePath: input.kubePath,
    auditID: 'audit-test',
    startedAt: gw.now(),
    sourceIP: '192.0.2.1',
    status: null,
    bytes: 0,
    message: null,
    audited: false,
  };
  return { x, answer };
}

/** The exchange as authenticate leaves it, for a session with these claims (the store record mirrors them). */
export function withSession(x: ProxyExchange, claims: Partial<SessionClaims> & Pick<SessionClaims, 'sub'>): AuthenticatedExchange {
  const full: SessionClaims = {
    iss: 'https://gw.test',
    aud: 'hoopctl-session',
    groups: [],
    sid: 's-1',
    conn: x.connectionName,
    iat: 0,
    exp: 0,
    jti: 'j',
    ...claims,
  };
  return Object.assign(x, {
    session: {
      claims: full,
      session: {
        id: full.sid,
        user: full.sub,
        groups: full.groups,
        connection: full.conn,
        namespace: full.ns ?? null,
        role: full.role ?? null,
        reason: null,
        createdAt: new Date(0).toISOString(),
        expiresAt: new Date(full.exp * 1000).toISOString(),
        endedAt: null,
        endReason: null,
      },
    },
  });
}
