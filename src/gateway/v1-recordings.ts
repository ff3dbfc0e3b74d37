/**
 * `/v1` endpoints of recordings and of the audit chain:
 * `GET /v1/sessions/:id/recordings` (metadata, oldest first), `GET /v1/recordings/:id` (the asciicast v2
 * file; owner or admin), `GET /v1/audit/verify` (admins: the chain report).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { castFile, castHeader } from '../audit/asciicast.js';
import { shellQuote } from '../audit/shell-quote.js';
import { verifyAuditLog } from '../audit/verify-chain.js';
import { HoopError } from '../errors.js';
import type { RecordingRecord } from '../store/store.js';
import { authenticateCaller, type Caller, type GatewayContext } from './gateway-context.js';
import { sendJson } from './http-json.js';

function segment(path: string, prefix: string, suffix = ''): string {
  try {
    return decodeURIComponent(path.slice(prefix.length, path.length - suffix.length));
  } catch (cause) {
    throw new HoopError('usage', 'the id in the path is not valid percent-encoding', { cause });
  }
}

function mayRead(caller: Caller, owner: string): void {
  if (!caller.admin && caller.user !== owner) throw new HoopError('denied', "only the session's owner and gateway admins may read its recordings");
}

/** The title of a recording, as a terminal shows it. */
export function recordingTitle(r: RecordingRecord): string {
  const target = `${r.pod ?? '?'}${r.container ? ` -c ${r.container}` : ''}${r.namespace ? ` -n ${r.namespace}` : ''}`;
  return r.subresource === 'attach' ? `kubectl attach ${target}` : `kubectl exec ${target} -- ${shellQuote(r.command)}`;
}

async function listSessionRecordings(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
  const caller = await authenticateCaller(gw, req, true);
  const session = await gw.store.getSession(sessionId);
  if (session === undefined) throw new HoopError('not_found', `no session ${sessionId}`);
  mayRead(caller, session.user);
  sendJson(res, 200, { items: await gw.store.listRecordings(sessionId) });
}

async function getRecording(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const caller = await authenticateCaller(gw, req, true);
  const r = await gw.store.getRecording(id);
  if (r === undefined) throw new HoopError('not_found', `no recording ${id}`);
  mayRead(caller, r.user);
  const body = castFile(castHeader({ ...r, title: recordingTitle(r) }), await gw.store.readRecording(id));
  res.writeHead(200, {
    'content-type': 'application/x-asciicast', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store',
    'x-hoopctl-recording-truncated': String(r.truncated),
  });
  res.end(body);
}

async function verifyAudit(gw: GatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const caller = await authenticateCaller(gw, req, false);
  if (!caller.admin) throw new HoopError('denied', 'only gateway admins may verify the audit log', { hint: 'or run hoopctl audit verify --db FILE on the gateway host' });
  const report = await verifyAuditLog({ rows: (after, limit) => gw.store.listAuditRows(after, limit), highWater: () => gw.store.auditHighWater() });
  sendJson(res, 200, report);
}

/** Answers the recording and audit-chain endpoints; false when the path is none of them. */
export async function handleRecordingRoutes(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<boolean> {
  if (method !== 'GET') return false;
  if (path === '/v1/audit/verify') await verifyAudit(gw, req, res);
  else if (/^\/v1\/sessions\/[^/]+\/recordings$/.test(path)) await listSessionRecordings(gw, req, res, segment(path, '/v1/sessions/', '/recordings'));
  else if (/^\/v1\/recordings\/[^/]+$/.test(path)) await getRecording(gw, req, res, segment(path, '/v1/recordings/'));
  else return false;
  return true;
}
