/**
 * The gateway answers `kubectl auth whoami` and `kubectl auth can-i` itself, for every session whatever
 * its role, because the upstream's answer would describe the impersonated identity's RBAC, not what
 * hoopctl lets through. Runs after classify and before authorize (authorize must not refuse these).
 * The answer is JSON (kubectl 1.32+ asks in protobuf but accepts JSON, fixture 83), audited as
 * decision allow, rule `gateway:self-review`, before it completes.
 */
import { buildStatus } from '../../kube/status.js';
import { readReviewBody, ReviewBodyError, selfReviewTarget, type ReviewQuestion, type SelfReviewTarget } from '../../kube/self-review.js';
import type { KubeStatus } from '../../kube/types.js';
import { createMaskContext, maskDocument } from '../../mask/mask-object.js';
import { answerAccessReview } from '../../policy/access-review.js';
import { listSessionRules } from '../../policy/rules-review.js';
import { rolesFor } from '../../policy/subject-bindings.js';
import type { PolicyRequest } from '../../policy/types.js';
import { sendHeld } from './deliver.js';
import { sendStatus, type ClassifiedExchange, type ProxyExchange } from './exchange.js';
import { askUpstreamAccess } from './upstream-access-review.js';

/** The rule every self-review answer is audited under. */
export const SELF_REVIEW_RULE = 'gateway:self-review';

/** Reviews are a few hundred bytes; anything much larger is not one. */
const MAX_REVIEW_BYTES = 64 * 1024;

/** A review answer ready to send: the object and a one-line summary for the audit message. */
interface ReviewAnswer {
  object: Record<string, unknown>;
  summary: string;
}

/**
 * Answers the request when it is a self review and returns true; returns false for every other request.
 * Refusals (wrong method, unreadable body) are Status answers, audited under the same rule.
 */
export async function answerSelfReview(x: ClassifiedExchange, audit: () => Promise<void>): Promise<boolean> {
  const target = selfReviewTarget(x.info);
  if (target === undefined) return false;
  const refuse = async (status: KubeStatus): Promise<true> => {
    x.refusedBy = 'self-review';
    await sendStatus(x, status, audit);
    return true;
  };
  if (x.req.method !== 'POST') return refuse(buildStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
  if (x.upgrade !== undefined) return refuse(buildStatus(400, 'BadRequest', `${target.kind} is not served over a protocol upgrade`));
  const body = await readBody(x);
  if (body === undefined) return refuse(buildStatus(413, 'RequestEntityTooLarge', `a ${target.kind} body must be under ${MAX_REVIEW_BYTES} bytes`));
  let question: ReviewQuestion;
  try {
    question = readReviewBody(target, x.req.headers['content-type'], body);
  } catch (e) {
    if (!(e instanceof ReviewBodyError)) throw e;
    const reason = e.code === 415 ? 'UnsupportedMediaType' : e.code === 422 ? 'Invalid' : 'BadRequest';
    return refuse(buildStatus(e.code, reason, e.message));
  }
  // The question is the caller's own words, but the audit log never keeps a secret-looking value in clear.
  const mask = createMaskContext(x.gw.config.policy.masking.rules);
  x.requestObject = maskDocument(question, mask);
  if (mask.counter.masked > 0) x.maskedCount = (x.maskedCount ?? 0) + mask.counter.masked;
  await sendReviewAnswer(x, await answerQuestion(x, target, question));
  return true;
}

/** Beyond this, an oversized body is not drained for the 413: leaving the loop cuts the connection. */
const MAX_DRAIN_BYTES = 1024 * 1024;

async function readBody(x: ProxyExchange): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of x.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_REVIEW_BYTES) parts.push(chunk);
    else if (size > MAX_DRAIN_BYTES) return undefined;
  }
  if (size > MAX_REVIEW_BYTES) return undefined;
  x.requestBody = Buffer.concat(parts);
  return x.requestBody;
}

function policySubjectOf(x: ClassifiedExchange): Omit<PolicyRequest, 'request'> {
  const { claims } = x.session;
  // The same input as the authorize step, namespace scope included, so can-i never says yes to what is refused.
  return {
    subject: { user: claims.sub, groups: claims.groups },
    connection: x.connectionName,
    ...(claims.role === undefined ? {} : { role: claims.role }),
    ...(claims.ns === undefined ? {} : { namespaces: [claims.ns] }),
  };
}

async function answerQuestion(x: ClassifiedExchange, target: SelfReviewTarget, q: ReviewQuestion): Promise<ReviewAnswer> {
  const head = { kind: target.kind, apiVersion: target.apiVersion };
  const policy = x.gw.config.policy;
  if (q.kind === 'SelfSubjectReview') {
    const userInfo = whoami(x);
    return { object: { ...head, metadata: { creationTimestamp: kubeTime(x.gw.now()) }, status: { userInfo } }, summary: `whoami: ${userInfo.username}` };
  }
  if (q.kind === 'SelfSubjectRulesReview') {
    const status = listSessionRules(policy, policySubjectOf(x), q.namespace);
    // kube-apiserver answers `spec: {}` here (the namespace is not echoed, fixture 113).
    return {
      object: { ...head, metadata: { creationTimestamp: null }, spec: {}, status },
      summary: `can-i --list in ${JSON.stringify(q.namespace)}: ${status.resourceRules.length} resource rules${status.incomplete ? ' (incomplete)' : ''}`,
    };
  }
  const attributes = {
    ...(q.resourceAttributes === undefined ? {} : { resourceAttributes: q.resourceAttributes }),
    ...(q.nonResourceAttributes === undefined ? {} : { nonResourceAttributes: q.nonResourceAttributes }),
  };
  const hoop = answerAccessReview(policy, policySubjectOf(x), attributes);
  let status: { allowed: boolean; denied?: boolean; reason: string; evaluationError?: string } = {
    allowed: hoop.allowed,
    ...(hoop.denied ? { denied: true } : {}),
    reason: hoop.reason,
  };
  if (hoop.allowed) {
    const up = await askUpstreamAccess(x, attributes);
    const who = x.impersonatedUser === undefined ? "the connection's own credential" : JSON.stringify(x.impersonatedUser);
    if (!up.asked)
      status = {
        allowed: true,
        reason: `${hoop.reason}; the cluster's RBAC could not be asked, so this answer is hoopctl's alone: ${up.why}`,
        evaluationError: up.why,
      };
    else if (up.allowed) status = { allowed: true, reason: `${hoop.reason}; the cluster's RBAC allows it too for ${who}` };
    else {
      const why = [up.reason, up.evaluationError].filter((s) => s !== '').join('; ');
      status = {
        allowed: false,
        ...(up.denied ? { denied: true } : {}),
        reason: `hoopctl allows this (${hoop.reason}) but the cluster's RBAC does not allow it for ${who}${why === '' ? '' : `: ${why}`}`,
      };
    }
  }
  const verb = hoop.info.isResourceRequest
    ? `${hoop.info.verb} ${hoop.info.resource}${hoop.info.subresource === '' ? '' : `/${hoop.info.subresource}`}`
    : `${hoop.info.verb} ${hoop.info.path}`;
  return {
    object: { ...head, metadata: { creationTimestamp: null }, spec: attributes, status },
    summary: `can-i ${verb}: ${status.allowed ? 'yes' : 'no'} (${status.reason})`,
  };
}

/** userInfo as the upstream will see the session (prefixed impersonation), plus the hoopctl session in `extra`. */
function whoami(x: ClassifiedExchange): { username: string; groups: string[]; extra: Record<string, string[]> } {
  const { claims } = x.session;
  const { userPrefix, groupPrefix } = x.gw.config.impersonation;
  const impersonate = x.gw.upstreams.get(x.connectionName)?.connection.impersonate ?? false;
  const roles =
    claims.role !== undefined
      ? [claims.role]
      : rolesFor(x.gw.config.policy, { user: claims.sub, groups: claims.groups }, x.connectionName)
          .filter((r) => !r.approval)
          .map((r) => r.name);
  const extra: Record<string, string[]> = {
    'hoopctl.dev/connection': [x.connectionName],
    'hoopctl.dev/role': roles.length === 0 ? ['(none)'] : roles,
    'hoopctl.dev/session': [claims.sid],
    'hoopctl.dev/expires-at': [new Date(claims.exp * 1000).toISOString()],
    'hoopctl.dev/user': [claims.sub],
  };
  if (claims.ns !== undefined) extra['hoopctl.dev/namespace'] = [claims.ns];
  if (claims.groups.length > 0) extra['hoopctl.dev/groups'] = [...claims.groups];
  if (!impersonate) {
    extra['hoopctl.dev/upstream-identity'] = ["the connection's own credential (no impersonation)"];
    return { username: claims.sub, groups: [...claims.groups], extra };
  }
  // kube-apiserver adds system:authenticated to every impersonated user (fixture 112).
  return { username: `${userPrefix}${claims.sub}`, groups: [...claims.groups.map((g) => `${groupPrefix}${g}`), 'system:authenticated'], extra };
}

function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Writes a review answer (201, JSON) through the gate's held-answer path: after its audit event, else a 503 Status. */
export async function sendReviewAnswer(x: ProxyExchange, answer: ReviewAnswer): Promise<void> {
  x.message = answer.summary;
  x.decision = { effect: 'allow', rule: SELF_REVIEW_RULE, reason: answer.summary };
  await sendHeld(x, 201, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' }, Buffer.from(JSON.stringify(answer.object)));
}
