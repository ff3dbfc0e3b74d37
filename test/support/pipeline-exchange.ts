/**
 * In-memory exchanges for the pipeline's step tests (src/gateway/pipeline/*.test.ts), after hono's `app.request`:
 * a real IncomingMessage/ServerResponse pair on an unconnected socket, with what the step writes captured.
 */
import { IncomingMessage, ServerResponse, type OutgoingHttpHeaders } from 'node:http';
import { Socket } from 'node:net';
import { stringify } from 'yaml';
import type { SessionClaims } from '../../src/api/wire.js';
import { createAccessRequests } from '../../src/gateway/approvals/access-requests.js';
import { createAuditHealth } from '../../src/gateway/audit-health.js';
import { createBodyBudget } from '../../src/gateway/body-budget.js';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import type { GatewayContext } from '../../src/gateway/gateway-context.js';
import { createNotifier } from '../../src/gateway/notify/notifier.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
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

let exchanges = 0;

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
    auditID: `audit-test-${++exchanges}`,
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

const KUBECONFIG = stringify({
  apiVersion: 'v1',
  kind: 'Config',
  'current-context': 'admin@prod',
  clusters: [{ name: 'prod', cluster: { server: 'https://10.0.0.1:6443' } }],
  users: [{ name: 'admin', user: { token: 'held-token' } }],
  contexts: [{ name: 'admin@prod', context: { cluster: 'prod', user: 'admin' } }],
});

/** The parts of a gateway the steps before forward read (config, a SQLite store in memory, audit, approvals); close() ends them. */
export type InMemoryGateway = Pick<GatewayContext, 'config' | 'store' | 'now' | 'log' | 'auditHealth' | 'bodies' | 'requests' | 'publicUrl'> & {
  logs: string[];
  close(): Promise<void>;
};

/** A gateway context read from a real config file (in memory) with `policy` and `extra` top-level keys, on a SQLite store in memory. */
export async function inMemoryGateway(policy: unknown, now: () => number, extra: Record<string, unknown> = {}): Promise<InMemoryGateway> {
  const files: Record<string, string> = {
    '/etc/hoop/gw.yaml': stringify({
      oidc: { issuers: [{ issuer: 'http://127.0.0.1:9000', clientId: 'hoopctl' }] },
      connections: [{ name: 'prod', credential: { kubeconfig: './admin.kubeconfig', context: 'admin@prod' } }],
      policy,
      ...extra,
    }),
    '/etc/hoop/admin.kubeconfig': KUBECONFIG,
  };
  const config = await loadGatewayConfig('/etc/hoop/gw.yaml', {
    env: {},
    readFile: async (p) => {
      const v = files[p];
      if (v === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
      return v;
    },
  });
  const store = await openSqliteStore(':memory:');
  const logs: string[] = [];
  const log = (line: string): void => void logs.push(line);
  const notifier = createNotifier({ log });
  const publicUrl = 'https://gw.test';
  const requests = createAccessRequests({ store, config, publicUrl, now, log, notifier });
  return {
    config,
    store,
    now,
    log,
    logs,
    publicUrl,
    auditHealth: createAuditHealth(now),
    bodies: createBodyBudget(),
    requests,
    async close() {
      requests.close();
      notifier.close();
      await store.close();
    },
  };
}
