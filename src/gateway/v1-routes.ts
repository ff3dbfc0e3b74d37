/** The gateway's own endpoints: `/v1/…`, health, readiness and JWKS. Everything else is the Kubernetes proxy's. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HoopError } from '../errors.js';
import { parseDuration } from '../credential/duration.js';
import { rolesFor } from '../policy/subject-bindings.js';
import type { ConnectionSummary, GatewayConfigResponse } from './api.js';
import { authenticateCaller, type GatewayContext } from './gateway-context.js';
import { sendError, sendJson } from './http-json.js';
import { createSession, endSession, listSessions } from './v1-sessions.js';
import { handleRequestRoutes } from './v1-requests.js';
import { handleRecordingRoutes } from './v1-recordings.js';
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
      name: c.name, ...(c.description === undefined ? {} : { description: c.description }),
      defaultTtlSeconds: c.defaultTtlSeconds, maxTtlSeconds: c.maxTtlSeconds, roles,
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
  if (afterSeq !== undefined && (!Number.isInteger(afterSeq) || afterSeq < 0)) throw new HoopError('usage', 'after must be a non-negative integer (an audit seq)');
  const user = caller.admin ? asked : caller.user;
  const applied = Math.min(limit, MAX_AUDIT_LIMIT);
  const items = await gw.store.listAudit({
    ...(session === undefined ? {} : { session }), ...(user === undefined ? {} : { user }),
    ...(since === null ? {} : { since: sinceOf(since, gw.now()) }), limit: applied,
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

function sessionIdOf(path: string): string {
  try {
    return decodeURIComponent(path.slice('/v1/sessions/'.length));
  } catch (cause) {
    throw new HoopError('usage', 'the session id in the path is not valid percent-encoding', { cause });
  }
}

/** Answers a gateway endpoint; returns false when the path is not one (so the caller tries the proxy). */
export async function handleGatewayRoute(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, version: string): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const is = (m: string, p: string): boolean => method === m && path === p;
  try {
    if (is('GET', '/healthz')) res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
    else if (is('GET', '/readyz')) await ready(gw, res);
    else if (is('GET', '/.well-known/jwks.json')) {
      // Public keys: cacheable, unlike every other answer here.
      const body = JSON.stringify(gw.keys.jwks());
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }).end(body);
    } else if (is('GET', '/v1/config')) sendJson(res, 200, configResponse(gw, version));
    else if (is('GET', '/v1/connections')) await listConnections(gw, req, res);
    else if (is('GET', '/v1/whoami')) await whoami(gw, req, res);
    else if (is('POST', '/v1/sessions')) await createSession(gw, req, res);
    else if (is('POST', '/v1/token')) await handleTokenExchange(gw, req, res);
    else if (is('GET', '/v1/sessions')) await listSessions(gw, req, res, url.searchParams);
    else if (method === 'DELETE' && /^\/v1\/sessions\/[^/]+$/.test(path)) await endSession(gw, req, res, sessionIdOf(path));
    else if (is('GET', '/v1/audit')) await listAudit(gw, req, res, url.searchParams);
    else if (path.startsWith('/v1/requests') && await handleRequestRoutes(gw, req, res, method, path, url.searchParams)) { /* answered */ }
    else if (await handleRecordingRoutes(gw, req, res, method, path)) { /* recordings, audit verify */ }
    else if (isConsolePath(path)) await handleConsoleRoute(gw, req, res, url);
    else if (path.startsWith('/v1/') || path === '/v1') throw new HoopError('not_found', `no endpoint ${method} ${path}`);
    else return false;
  } catch (e) {
    if (res.headersSent) res.destroy();
    else sendError(res, e, gw.log);
  }
  return true;
}
