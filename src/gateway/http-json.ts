/** JSON in and out of the `/v1` API: bodies, bearer tokens, and HoopError → status + ApiErrorBody. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HoopError, type ErrorCode } from '../errors.js';
import type { ApiErrorBody } from '../api/wire.js';

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  usage: 400,
  config_invalid: 400,
  not_logged_in: 401,
  login_expired: 401,
  login_failed: 401,
  session_expired: 401,
  denied: 403,
  approval_pending: 403,
  not_found: 404,
  gateway_unreachable: 502,
  upstream_error: 502,
  store_error: 503,
  gateway_error: 502,
};

/** The HTTP status the gateway answers for an error code. */
export function statusForCode(code: ErrorCode): number {
  return STATUS_OF[code] ?? 500;
}

/** Writes a JSON answer (no caching: these bodies are per caller). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

/** Writes an ApiErrorBody; anything that is not a HoopError is an internal error whose detail stays in the log. */
export function sendError(res: ServerResponse, err: unknown, log?: (line: string) => void): void {
  if (err instanceof HoopError) {
    const body: ApiErrorBody = err.toJSON();
    const status = statusForCode(err.code);
    if (status >= 500) log?.(`gateway error: ${err.code}: ${err.message}`);
    if (status === 401) res.setHeader('www-authenticate', 'Bearer');
    sendJson(res, status, body);
    return;
  }
  log?.(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  sendJson(res, 500, { code: 'internal', message: 'internal gateway error (this is a bug; the gateway log has the details)' } satisfies ApiErrorBody);
}

/** The bearer token of the request, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** Reads a JSON request body of at most `limit` bytes. */
export async function readJsonBody(req: IncomingMessage, limit = 64 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HoopError('usage', `request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new HoopError('usage', 'request body is not valid JSON', { cause });
  }
}
