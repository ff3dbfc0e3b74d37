/**
 * Single-command review: a request a guardrail holds for approval is refused with a Status naming
 * a review; once approved, the same request (same session, verb, path and query, body content
 * type and hash) passes once within the approved window. kubectl 1.30+ sends an exec first as GET
 * + WebSocket and, on any non-101 answer, again as POST + SPDY (KEP-4006), so exec-class requests are keyed
 * on verb `create` whatever the method, and one approved exec may be retried once over the other
 * transport within a few seconds.
 */
import { createHash } from 'node:crypto';
import { buildStatus, forbiddenStatus } from '../../kube/status.js';
import type { KubeStatus } from '../../kube/types.js';
import { JsonTooDeepError } from '../../mask/json-depth.js';
import { maskRequestUri } from '../../mask/line-masker.js';
import { createMaskContext } from '../../mask/mask-object.js';
import type { PolicyDecision, ReviewRequirement } from '../../policy/types.js';
import type { AccessRequestRecord } from '../../store/store.js';
import type { ClassifiedExchange, ProxyExchange } from '../pipeline/exchange.js';
import { bodyBudgetStatus } from '../body-budget.js';
import { auditedRequestObject, bodyTooDeepStatus } from '../pipeline/mask-request.js';
import type { AccessRequests } from './access-requests.js';
import { commandSummary } from './request-view.js';
import { reviewLimitStatus, reviewRetryAfter } from './review-limit.js';

/** kube-apiserver refuses request bodies over 3 MiB; a reviewed body is held in memory, so the same limit applies. */
export const MAX_REVIEWED_BODY = 3 * 1024 * 1024;
/** How long after an approved exec its retry over the other transport still counts as the same request. */
export const EXEC_RETRY_MS = 30_000;

/** Outcome for a request a guardrail holds for review. */
export type ReviewOutcome = { kind: 'approved'; request: AccessRequestRecord } | { kind: 'refused'; status: KubeStatus; request?: AccessRequestRecord };

/** Reviews of single requests. */
export interface CommandReviews {
  review(x: ClassifiedExchange, decision: PolicyDecision & { review: ReviewRequirement }): Promise<ReviewOutcome>;
}

/** What makes two requests "the same request" for a review. */
export interface FingerprintInput {
  sessionId: string;
  connection: string;
  /** The authorization verb (`create` for every exec-class request). */
  verb: string;
  /** Path and query exactly as received. */
  requestURI: string;
  /**
   * The body's Content-Type (reviewBodyType): the same bytes mean another change as a JSON merge
   * patch, a strategic merge patch, a JSON patch or an apply patch.
   */
  contentType: string;
  bodySha256: string;
}

/** SHA-256 over the fields that identify a reviewed request. */
export function reviewFingerprint(f: FingerprintInput): string {
  return createHash('sha256')
    .update(JSON.stringify([f.sessionId, f.connection, f.verb, f.requestURI, f.contentType, f.bodySha256]))
    .digest('hex');
}

/** The Content-Type a fingerprint binds: case and spaces do not change what the API server reads; without a body there is nothing to type (exec's two transports stay one request). */
export function reviewBodyType(header: string | undefined, bodyLength: number): string {
  return bodyLength === 0 ? '' : (header ?? '').toLowerCase().replace(/\s+/g, '');
}

function hasBody(x: ProxyExchange): boolean {
  const len = x.req.headers['content-length'];
  return x.upgrade === undefined && (x.req.headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0'));
}

// The body is read here to hash it, so forward sends these bytes instead of the (consumed) stream.
async function readBody(x: ProxyExchange): Promise<Buffer | 'too-large' | 'over-budget'> {
  // Another step (request masking) may have read it already.
  if (x.requestBody !== undefined) return x.requestBody.length > MAX_REVIEWED_BODY ? 'too-large' : x.requestBody;
  if (!hasBody(x)) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  // Held in memory until the exchange ends, within the gateway's budget for request bodies (body-budget.ts).
  const hold = x.gw.bodies.open(x.session?.claims.sid ?? '');
  x.res.once('close', () => hold.release());
  for await (const chunk of x.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REVIEWED_BODY) return 'too-large';
    if (!hold.take(chunk.length)) return 'over-budget';
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  x.requestBody = body;
  return body;
}

/** The sentence after kube's "User … cannot …:" for a held request. */
export function reviewRefusal(decision: PolicyDecision, r: AccessRequestRecord): string {
  const who = `${r.minApprovals} approval${r.minApprovals === 1 ? '' : 's'} from ${r.approvers.join(', ')}`;
  return (
    `${decision.reason} (hoopctl rule ${decision.rule}); review ${r.id} waits for ${who}: hoopctl approve ${r.id}; ` +
    `once approved, send the same request again from this session (hoopctl wait ${r.id})`
  );
}

/** Creates the review step's logic over the access-request service. */
export function createCommandReviews(requests: AccessRequests, now: () => number): CommandReviews {
  async function useApproved(candidates: AccessRequestRecord[], method: string, execClass: boolean): Promise<AccessRequestRecord | undefined> {
    const t = now();
    for (const c of candidates) {
      if (c.status === 'approved' && c.uses === 0 && c.validUntil !== null && Date.parse(c.validUntil) > t) {
        if (await requests.transition(c, { status: 'used', uses: 1, usedAt: new Date(t).toISOString(), usedMethod: method })) return c;
      }
      const retry =
        execClass && c.status === 'used' && c.uses === 1 && c.usedMethod !== method && c.usedAt !== null && t - Date.parse(c.usedAt) < EXEC_RETRY_MS;
      if (retry && (await requests.transition(c, { uses: 2 }))) return c;
    }
    return undefined;
  }

  return {
    async review(x, decision) {
      const { claims, session } = x.session;
      const { info } = x;
      const body = await readBody(x);
      if (body === 'too-large') {
        return { kind: 'refused', status: buildStatus(413, 'RequestEntityTooLarge', `a request held for review may carry at most ${MAX_REVIEWED_BODY} bytes`) };
      }
      if (body === 'over-budget') {
        if (!x.res.headersSent) x.res.setHeader('retry-after', '1');
        return { kind: 'refused', status: bodyBudgetStatus(x.gw.bodies.limits) };
      }
      const method = (x.req.method ?? 'GET').toUpperCase();
      const fingerprint = reviewFingerprint({
        sessionId: claims.sid,
        connection: x.connectionName,
        verb: info.execClass ? 'create' : info.verb,
        requestURI: x.kubePath,
        contentType: reviewBodyType(x.req.headers['content-type'], body.length),
        bodySha256: createHash('sha256').update(body).digest('hex'),
      });
      const found = await requestsFor(requests, fingerprint);
      const approved = await useApproved(found, method, info.execClass);
      if (approved !== undefined) {
        x.reviewRequest = approved.id;
        return { kind: 'approved', request: approved };
      }
      // Forward never runs for a held request, so prepareMaskedRequest does not record its body: the review does, masked
      // as every audited body is, for the audit and for the approvers (console, GET /v1/requests/:id).
      let audited: { value: unknown; masked: number };
      try {
        audited = auditedRequestObject(body, x.req.headers['content-type'], info, x.gw.config.policy.masking.rules);
      } catch (e) {
        if (!(e instanceof JsonTooDeepError)) throw e;
        x.message = 'refused: the request body nests too deep to be masked';
        return { kind: 'refused', status: bodyTooDeepStatus() };
      }
      let pending = found.find((c) => c.status === 'pending');
      if (pending === undefined) {
        const limit = x.gw.config.approvals.reviewLimit;
        const recent = await x.gw.store.listAccessRequests({
          user: claims.sub,
          since: new Date(now() - limit.windowSeconds * 1000).toISOString(),
          limit: 10_000,
        });
        const wait = reviewRetryAfter(
          recent.filter((r) => r.kind === 'command' && r.sessionId === claims.sid).map((r) => Date.parse(r.createdAt)),
          limit,
          now(),
        );
        if (wait !== undefined) {
          // sendStatus merges headers set here; an upgrade refusal carries the wait in details.retryAfterSeconds only.
          if (x.res !== undefined && !x.res.headersSent) x.res.setHeader('retry-after', String(wait));
          return { kind: 'refused', status: reviewLimitStatus(limit, wait, x.connectionName) };
        }
        pending = await requests.create({
          kind: 'command',
          user: claims.sub,
          groups: claims.groups,
          connection: x.connectionName,
          role: claims.role ?? null,
          namespace: info.namespace === '' ? null : info.namespace,
          reason: null,
          ttlSeconds: null,
          sessionId: claims.sid,
          fingerprint,
          // Stored, listed and sent to webhooks: masked as the audit masks it (a query can carry a secret).
          verb: info.execClass ? 'create' : info.verb,
          requestURI: maskRequestUri(x.kubePath, createMaskContext(x.gw.config.policy.masking.rules)),
          summary: commandSummary(info),
          rule: decision.rule,
          approvers: decision.review.approvers,
          minApprovals: decision.review.minApprovals,
          // A review outliving its session could never be used.
          notAfterMs: Date.parse(session.expiresAt),
          requestObject: audited.value,
        });
      }
      x.reviewRequest = pending.id;
      if (body.length > 0) {
        x.requestObject = audited.value;
        x.maskedCount = (x.maskedCount ?? 0) + audited.masked;
      }
      return { kind: 'refused', request: pending, status: forbiddenStatus(info, claims.sub, reviewRefusal(decision, pending)) };
    },
  };
}

async function requestsFor(requests: AccessRequests, fingerprint: string): Promise<AccessRequestRecord[]> {
  const rows = await requests.byFingerprint(fingerprint);
  const settled: AccessRequestRecord[] = [];
  for (const r of rows) {
    const s = await requests.get(r.id);
    if (s !== undefined) settled.push(s);
  }
  return settled;
}
