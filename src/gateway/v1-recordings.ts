/**
 * `/v1` endpoints of recordings and of the audit chain:
 * `GET /v1/sessions/:id/recordings` (metadata, oldest first), `GET /v1/recordings/:id` (the asciicast v2
 * file; owner or admin), `GET /v1/audit/verify` (admins: the chain report).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { castFile, castHeader } from '../audit/asciicast.js';
import { shellQuote } from '../audit/shell-quote.js';
import { HoopError } from '../errors.js';
import { maskArgv } from '../mask/line-masker.js';
import { createMaskContext } from '../mask/mask-object.js';
import type { RecordingRecord } from '../store/store.js';
import { authenticateCaller, type Caller, type GatewayContext } from './gateway-context.js';
import { sendJson } from './http-json.js';

function mayRead(caller: Caller, owner: string): void {
  if (!caller.admin && caller.user !== owner) throw new HoopError('denied', "only the session's owner and gateway admins may read its recordings");
}

/** A recording as it is served and shown: its command masked (again: recordings stored before commands were masked on the way in). */
export function shownRecording(gw: Pick<GatewayContext, 'config'>, r: RecordingRecord): RecordingRecord {
  return { ...r, command: maskArgv(r.command, createMaskContext(gw.config.policy.masking.rules)) };
}

/** The title of a recording, as a terminal shows it. */
export function recordingTitle(r: RecordingRecord): string {
  const target = `${r.pod ?? '?'}${r.container ? ` -c ${r.container}` : ''}${r.namespace ? ` -n ${r.namespace}` : ''}`;
  return r.subresource === 'attach' ? `kubectl attach ${target}` : `kubectl exec ${target} -- ${shellQuote(r.command)}`;
}

/** `GET /v1/sessions/:id/recordings`. */
export async function listSessionRecordings(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
  const caller = await authenticateCaller(gw, req, true);
  const session = await gw.store.getSession(sessionId);
  if (session === undefined) throw new HoopError('not_found', `no session ${sessionId}`);
  mayRead(caller, session.user);
  sendJson(res, 200, { items: (await gw.store.listRecordings(sessionId)).map((r) => shownRecording(gw, r)) });
}

/** `GET /v1/recordings/:id`: the asciicast v2 file. */
export async function getRecording(gw: GatewayContext, req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
  const caller = await authenticateCaller(gw, req, true);
  const stored = await gw.store.getRecording(id);
  if (stored === undefined) throw new HoopError('not_found', `no recording ${id}`);
  mayRead(caller, stored.user);
  const r = shownRecording(gw, stored);
  const body = castFile(castHeader({ ...r, title: recordingTitle(r) }), await gw.store.readRecording(id));
  res.writeHead(200, {
    'content-type': 'application/x-asciicast',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-hoopctl-recording-truncated': String(r.truncated),
  });
  res.end(body);
}

/** `GET /v1/audit/verify`: the chain report (admins). */
export async function verifyAudit(gw: GatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const caller = await authenticateCaller(gw, req, false);
  if (!caller.admin)
    throw new HoopError('denied', 'only gateway admins may verify the audit log', { hint: 'or run hoopctl audit verify --db FILE on the gateway host' });
  // Every event from the first (`hoopctl audit verify`), read in pages between which the gateway serves other requests.
  const report = await gw.auditChain.full();
  sendJson(res, 200, report);
}
