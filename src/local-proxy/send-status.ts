/** Kubernetes `Status` answers of the local proxy itself. */
import type { ServerResponse } from 'node:http';
import { buildStatus } from '../kube/status.js';
import type { KubeStatus } from '../kube/types.js';

/** A token that is not this session's (or none). */
export const UNAUTHORIZED = buildStatus(
  401,
  'Unauthorized',
  'hoopctl local proxy: the token in this kubeconfig does not belong to this session (ended or replaced?)',
);
/** An absolute-form or asterisk-form request target. */
export const BAD_PATH = buildStatus(400, 'BadRequest', 'hoopctl local proxy: request target must be an origin-form path');

/** The gateway cannot be reached (or the request to it failed before an answer). */
export function badGateway(origin: string, err: unknown): KubeStatus {
  const code = (err as { code?: string }).code ?? (err as Error).message;
  return buildStatus(502, 'BadGateway', `hoopctl local proxy: cannot reach the gateway at ${origin} (${code})`);
}

/** Answers with `status`, or cuts the connection when an answer already started. */
export function sendStatus(res: ServerResponse, status: KubeStatus): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(status);
  res.writeHead(status.code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
