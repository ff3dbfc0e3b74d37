/** `/v1/requests…`: list, read (with long-poll), approve, deny and withdraw access requests. Shapes: AccessRequestView in api.ts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HoopError } from '../errors.js';
import { authenticateCaller, type GatewayContext } from './gateway-context.js';
import { readJsonBody, sendJson } from './http-json.js';

/** Longest a `GET /v1/requests/:id?wait=N` is held. */
export const MAX_WAIT_SECONDS = 30;

function commentOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HoopError('usage', 'body must be a JSON object');
  const c = (body as { comment?: unknown }).comment;
  if (c === undefined || c === null || c === '') return undefined;
  if (typeof c !== 'string' || c.length > 1000) throw new HoopError('usage', 'comment must be a string of at most 1000 characters');
  return c;
}

function idOf(raw: string): string {
  // Ids are 12 hex digits; anything else is answered 404 without a store lookup.
  if (!/^[0-9a-f]{12}$/.test(raw)) throw new HoopError('not_found', `no access request ${JSON.stringify(raw)}`, { hint: 'run hoopctl requests' });
  return raw;
}

async function readOne(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, id: string, query: URLSearchParams): Promise<void> {
  const caller = await authenticateCaller(gw, req, true);
  let r = await gw.requests.getFor(caller, id);
  const waitText = query.get('wait');
  if (waitText !== null && (r.status === 'pending' || r.status === 'approved')) {
    const seconds = Number(waitText);
    if (!Number.isFinite(seconds) || seconds < 0) throw new HoopError('usage', 'wait must be a number of seconds');
    const stop = new AbortController();
    res.once('close', () => stop.abort());
    // Also wakes on votes that do not change the status, so the waiting CLI can show "1/2 approvals".
    await gw.requests.waitForChange(id, Math.min(seconds, MAX_WAIT_SECONDS) * 1000, stop.signal);
    if (res.destroyed) return;
    r = await gw.requests.getFor(caller, id);
  }
  sendJson(res, 200, { request: await gw.requests.view(r, caller) });
}

/** Answers `/v1/requests` routes; returns false when `path` is not one of them. */
export async function handleRequestRoutes(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, method: string, path: string, query: URLSearchParams): Promise<boolean> {
  if (path === '/v1/requests' && method === 'GET') {
    const caller = await authenticateCaller(gw, req, true);
    const status = query.get('status') ?? 'pending';
    if (status !== 'pending' && status !== 'all') throw new HoopError('usage', 'status must be pending or all');
    sendJson(res, 200, { items: await gw.requests.list(caller, { all: status === 'all' }) });
    return true;
  }
  const m = /^\/v1\/requests\/([^/]+)(\/approve|\/deny)?$/.exec(path);
  if (m === null) return false;
  const id = idOf(m[1]!);
  const action = m[2];
  if (action === undefined && method === 'GET') {
    await readOne(gw, req, res, id, query);
  } else if (action === undefined && method === 'DELETE') {
    const caller = await authenticateCaller(gw, req, false);
    sendJson(res, 200, { request: await gw.requests.withdraw(caller, id) });
  } else if (action !== undefined && method === 'POST') {
    const caller = await authenticateCaller(gw, req, true);
    const comment = commentOf(await readJsonBody(req));
    sendJson(res, 200, { request: await gw.requests.vote(caller, id, action === '/approve' ? 'approve' : 'deny', comment) });
  } else {
    throw new HoopError('not_found', `no endpoint ${method} ${path}`);
  }
  return true;
}
