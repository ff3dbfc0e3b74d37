/**
 * Asks the upstream kube-apiserver the same SelfSubjectAccessReview, as the identity the gateway would
 * forward the real request with (held credential + impersonation), so `kubectl auth can-i` says yes only
 * when both hoopctl and the cluster's RBAC would let the request through.
 */
import type { Dispatcher } from 'undici';
import type { NonResourceAttributes, ResourceAttributes } from '../../kube/self-review.js';
import type { AuthenticatedExchange } from './exchange.js';
import { upstreamIdentity } from './forward.js';
import { upstreamRequestHeaders } from './upstream-headers.js';

/** The upstream's verdict, or why it could not be asked. */
export type UpstreamAccess = { asked: true; allowed: boolean; denied: boolean; reason: string; evaluationError: string } | { asked: false; why: string };

/** How long a can-i waits for the upstream before answering without it (kubectl's own timeout is longer). */
const UPSTREAM_REVIEW_TIMEOUT_MS = 10_000;
const MAX_ANSWER_BYTES = 256 * 1024;

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      return undefined;
    }
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined;
}

/** Posts a JSON SelfSubjectAccessReview upstream for the exchange's session; never throws. */
export async function askUpstreamAccess(
  x: AuthenticatedExchange,
  attributes: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes },
): Promise<UpstreamAccess> {
  const up = x.gw.upstreams.get(x.connectionName);
  if (up === undefined) return { asked: false, why: `connection "${x.connectionName}" has no upstream on this gateway` };
  const review = { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec: attributes };
  const body = Buffer.from(JSON.stringify(review));
  try {
    const ua = x.req.headers['user-agent'];
    const headers = upstreamRequestHeaders(
      { accept: ['application/json'], 'content-type': ['application/json'], ...(ua === undefined ? {} : { 'user-agent': [ua] }) },
      {},
      await upstreamIdentity(x.gw, up, x),
    );
    const answer = await up.pool.request({
      path: `${up.basePath}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`,
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(UPSTREAM_REVIEW_TIMEOUT_MS),
    });
    const text = await readCapped(answer.body);
    if (text === undefined) return { asked: false, why: 'the upstream answer was too large' };
    let doc: unknown;
    try {
      doc = JSON.parse(text.toString('utf8'));
    } catch {
      return { asked: false, why: `the upstream answered ${answer.statusCode} with a body that is not JSON` };
    }
    const status = field(doc, 'status');
    const allowed = field(status, 'allowed');
    if ((answer.statusCode !== 201 && answer.statusCode !== 200) || typeof allowed !== 'boolean') {
      const message = field(doc, 'message');
      return { asked: false, why: `the upstream answered ${answer.statusCode}${typeof message === 'string' ? `: ${message}` : ''}` };
    }
    const str = (k: string): string => (typeof field(status, k) === 'string' ? (field(status, k) as string) : '');
    return { asked: true, allowed, denied: field(status, 'denied') === true, reason: str('reason'), evaluationError: str('evaluationError') };
  } catch (e) {
    const code = (e as { code?: string }).code;
    return { asked: false, why: `the upstream could not be reached (${code ?? (e as Error).message})` };
  }
}
