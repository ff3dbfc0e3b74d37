/** The gateway's own endpoints: `/v1/…`, health, readiness and JWKS, routed from one table. Everything else is the Kubernetes proxy's. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HoopError } from '../errors.js';
import { parseDuration } from '../credential/duration.js';
import { rolesFor } from '../policy/subject-bindings.js';
import type { ConnectionSummary, GatewayConfigResponse } from '../api/wire.js';
import { authenticateCaller, type GatewayContext } from './gateway-context.js';
import { sendError, sendJson } from './http-json.js';
import { createRouteTable, sendMethodNotAllowed, type Route } from './route-table.js';
import { createSession, endSession, listSessions } from './v1-sessions.js';
import { listRequests, readRequest, voteOnRequest, withdrawRequest } from './v1-requests.js';
import { getRecording, listSessionRecordings, verifyAudit } from './v1-recordings.js';
import { handleTokenExchange } from './v1-token-exchange.js';
import { whoami } from './v1-whoami.js';
import { handleConsoleRoute, isConsolePath } from './ui/console.js';

const DEFAULT_AUDIT_LIMIT = 200;
const MAX_AUDIT_LIMIT = 5000;

function configResponse(gw: GatewayContext, version: string): GatewayConfigResponse {
  const cli = gw.config.oidc.issuers.find((i) => i.cli);
  const ci = gw.config.oidc.issuers.filter((i) => i.kind === 'ci').map((i) => ({ issuer: i.issuer, audience: i.clientId }));
  // No issuer for people (a CI-only gateway): hoopctl login reads its absence and says so.
  return { ...(cli === undefined ? {} : { issuer: cli.issuer, clientId: cli.clientId, scopes: cli.scopes }), version, ...(ci.length === 0 ? {} : { ci }) };
}

async function listConnections(gw: GatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const caller = await authenticateCaller(gw, req, true);
  const items: ConnectionSummary[] = [];
  for (const c of gw.config.connections) {
    const roles = rolesFor(gw.config.policy, caller, c.name);
    // People see the connections they hold a role on; admins see every one.
    if (roles.length === 0 && !caller.admin) continue;
    items.push({
      name: c.name,
      ...(c.description === undefined ? {} : { description: c.description }),
      defaultTtlSeconds: c.defaultTtlSeconds,
      maxTtlSeconds: c.maxTtlSeconds,
      roles,
    });
  }
  sendJson(res, 200, { items });
}

function sinceOf(text: string, nowMs: number): string {
  if (/^\d+[hms]/.test(text)) return new Date(nowMs - parseDuration(text) * 1000).toISOString();
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new HoopError('usage', `since=${JSON.stringify(text)} is neither an RFC 3339 time nor a duration like 1h`);
  return new Date(t).toISOString();
}

async function listAudit(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
  const caller = await authenticateCaller(gw, req, true);
  const asked = q.get('user') ?? undefined;
  if (!caller.admin && asked !== undefined && asked !== caller.user) throw new HoopError('denied', "only gateway admins may read other people's audit events");
  const limitText = q.get('limit');
  const limit = limitText === null ? DEFAULT_AUDIT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit <= 0) throw new HoopError('usage', 'limit must be a positive integer');
  const session = q.get('session') ?? undefined;
  const since = q.get('since');
  // `after=SEQ`: only chained events after that position, oldest first (`hoopctl audit --follow`).
  const afterText = q.get('after');
  const afterSeq = afterText === null ? undefined : Number(afterText);
  if (afterSeq !== undefined && (!Number.isInteger(afterSeq) || afterSeq < 0))
    throw new HoopError('usage', 'after must be a non-negative integer (an audit seq)');
  const user = caller.admin ? asked : caller.user;
  const applied = Math.min(limit, MAX_AUDIT_LIMIT);
  const items = await gw.store.listAudit({
    ...(session === undefined ? {} : { session }),
    ...(user === undefined ? {} : { user }),
    ...(since === null ? {} : { since: sinceOf(since, gw.now()) }),
    limit: applied,
    ...(afterSeq === undefined ? {} : { afterSeq }),
  });
  // `limit` says what was applied, so a client that asked for more than the maximum can tell it got less.
  sendJson(res, 200, { items, limit: applied });
}

async function ready(gw: GatewayContext, res: ServerResponse): Promise<void> {
  const problems = gw.readiness === undefined ? [] : await gw.readiness.problems();
  if (problems.length > 0) {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' }).end(`${problems.join('\n')}\n`);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
}

/** What a route's handler is given. */
interface RouteContext {
  gw: GatewayContext;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  version: string;
}

/** A `:id` segment of the path, percent-decoded. */
function decodedParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch (cause) {
    throw new HoopError('usage', 'the id in the path is not valid percent-encoding', { cause });
  }
}

/** Every endpoint of the gateway but the Kubernetes proxy (`/k8s/…`) and the web console (`/ui/…`). */
export const GATEWAY_ROUTES: readonly Route<RouteContext>[] = [
  {
    method: 'GET',
    path: '/healthz',
    handle: ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
    },
  },
  { method: 'GET', path: '/readyz', handle: ({ gw, res }) => ready(gw, res) },
  {
    method: 'GET',
    path: '/.well-known/jwks.json',
    handle: ({ gw, res }) => {
      // Public keys: cacheable, unlike every other answer here.
      const body = JSON.stringify(gw.keys.jwks());
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }).end(body);
    },
  },
  { method: 'GET', path: '/v1/config', handle: ({ gw, res, version }) => sendJson(res, 200, configResponse(gw, version)) },
  { method: 'GET', path: '/v1/connections', handle: ({ gw, req, res }) => listConnections(gw, req, res) },
  { method: 'GET', path: '/v1/whoami', handle: ({ gw, req, res }) => whoami(gw, req, res) },
  { method: 'POST', path: '/v1/sessions', handle: ({ gw, req, res }) => createSession(gw, req, res) },
  { method: 'GET', path: '/v1/sessions', handle: ({ gw, req, res, url }) => listSessions(gw, req, res, url.searchParams) },
  { method: 'DELETE', path: '/v1/sessions/:id', handle: ({ gw, req, res }, p) => endSession(gw, req, res, decodedParam(p.id!)) },
  { method: 'GET', path: '/v1/sessions/:id/recordings', handle: ({ gw, req, res }, p) => listSessionRecordings(gw, req, res, decodedParam(p.id!)) },
  { method: 'GET', path: '/v1/recordings/:id', handle: ({ gw, req, res }, p) => getRecording(gw, req, res, decodedParam(p.id!)) },
  { method: 'POST', path: '/v1/token', handle: ({ gw, req, res }) => handleTokenExchange(gw, req, res) },
  { method: 'GET', path: '/v1/audit', handle: ({ gw, req, res, url }) => listAudit(gw, req, res, url.searchParams) },
  { method: 'GET', path: '/v1/audit/verify', handle: ({ gw, req, res }) => verifyAudit(gw, req, res) },
  { method: 'GET', path: '/v1/requests', handle: ({ gw, req, res, url }) => listRequests(gw, req, res, url.searchParams) },
  { method: 'GET', path: '/v1/requests/:id', handle: ({ gw, req, res, url }, p) => readRequest(gw, req, res, p.id!, url.searchParams) },
  { method: 'DELETE', path: '/v1/requests/:id', handle: ({ gw, req, res }, p) => withdrawRequest(gw, req, res, p.id!) },
  { method: 'POST', path: '/v1/requests/:id/approve', handle: ({ gw, req, res }, p) => voteOnRequest(gw, req, res, p.id!, 'approve') },
  { method: 'POST', path: '/v1/requests/:id/deny', handle: ({ gw, req, res }, p) => voteOnRequest(gw, req, res, p.id!, 'deny') },
];

const table = createRouteTable(GATEWAY_ROUTES);

/** Answers a gateway endpoint; returns false when the path is not one (so the caller tries the proxy). */
export async function handleGatewayRoute(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, version: string): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  try {
    const found = table.match(method, path);
    if (found.kind === 'route') await found.route.handle({ gw, req, res, url, version }, found.params);
    else if (found.kind === 'method-not-allowed') sendMethodNotAllowed(res, method, path, found.allow);
    else if (isConsolePath(path)) await handleConsoleRoute(gw, req, res, url);
    else if (path.startsWith('/v1/') || path === '/v1') throw new HoopError('not_found', `no endpoint ${method} ${path}`);
    else return false;
  } catch (e) {
    if (res.headersSent) res.destroy();
    else sendError(res, e, gw.log);
  }
  return true;
}
