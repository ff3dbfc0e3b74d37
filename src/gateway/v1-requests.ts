/** `/v1/requests…`: list, read (with long-poll), approve, deny and withdraw access requests. Shapes: AccessRequestView in src/api/wire.ts. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HoopError } from '../errors.js';
import { reviewedBody } from './approvals/reviewed-body.js';
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

/** `GET /v1/requests[?status=pending|all]`. */
export async function listRequests(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const caller = await authenticateCaller(gw, req, true);
  const status = query.get('status') ?? 'pending';
  if (status !== 'pending' && status !== 'all') throw new HoopError('usage', 'status must be pending or all');
  sendJson(res, 200, { items: await gw.requests.list(caller, { all: status === 'all' }) });
}

/** `GET /v1/requests/:id[?wait=N]`: one request, with `wait` held until it changes (at most MAX_WAIT_SECONDS). */
export async function readRequest(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, rawId: string, query: URLSearchParams): Promise<void> {
  const id = idOf(rawId);
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
  const view = await gw.requests.view(r, caller);
  // Approvers see what they approve: the body is bound by hash, so it is shown (masked) with the request.
  const body = await reviewedBody(gw.store, r);
  sendJson(res, 200, { request: body === undefined ? view : { ...view, requestObject: body.value } });
}

/** `DELETE /v1/requests/:id`: the requester withdraws a pending request. */
export async function withdrawRequest(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, rawId: string): Promise<void> {
  const id = idOf(rawId);
  const caller = await authenticateCaller(gw, req, false);
  sendJson(res, 200, { request: await gw.requests.withdraw(caller, id) });
}

/** `POST /v1/requests/:id/approve` and `/deny`, body `{comment?}`: an approver's vote. */
export async function voteOnRequest(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, rawId: string, vote: 'approve' | 'deny'): Promise<void> {
  const id = idOf(rawId);
  const caller = await authenticateCaller(gw, req, true);
  const comment = commentOf(await readJsonBody(req));
  sendJson(res, 200, { request: await gw.requests.vote(caller, id, vote, comment) });
}
