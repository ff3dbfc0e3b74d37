/**
 * `kubectl auth can-i` answered by hoopctl's policy: a SelfSubjectAccessReview's attributes become the
 * RequestInfo the gateway would classify for the real request, and evaluatePolicy decides, so the answer
 * and the later request cannot disagree. The reason names the rule as a 403 would.
 */
import { KNOWN_RESOURCES } from '../kube/known-resources.js';
import { nonResourceRequestInfo } from '../kube/request-info.js';
import type { NonResourceAttributes, ResourceAttributes } from '../kube/self-review.js';
import type { RequestInfo } from '../kube/types.js';
import { evaluatePolicy } from './evaluate-policy.js';
import type { PolicyDecision, PolicyRequest } from './types.js';

/** What hoopctl answers to one SelfSubjectAccessReview (before any upstream check). */
export interface AccessAnswer {
  allowed: boolean;
  /** True when a rule refuses outright (guardrail or default deny); false when approval would allow it. */
  denied: boolean;
  /** The sentence kubectl prints after "no - ". */
  reason: string;
  decision: PolicyDecision;
  /** The request as the gateway would classify it. */
  info: RequestInfo;
}

// Same set as request-info.ts: these open a channel into a container and are authorized as `create`.
const POD_EXEC_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'ephemeralcontainers']);

function clusterScoped(group: string, resource: string): boolean {
  return KNOWN_RESOURCES.some((k) => k.resource === resource && k.group === group && !k.namespaced);
}

/**
 * The RequestInfo of the request a review asks about. kubectl fills in its default namespace even for
 * cluster-scoped resources (fixture 111: `can-i delete namespaces` asks in "default"); the real request
 * carries none, so known cluster-scoped resources are asked with namespace ''. A Namespace object counts
 * as inside itself, as kube's RequestInfo reads `/api/v1/namespaces/demo`.
 */
export function reviewRequestInfo(q: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes }): RequestInfo {
  const ra = q.resourceAttributes;
  if (ra === undefined) {
    const nra = q.nonResourceAttributes ?? {};
    return nonResourceRequestInfo(nra.path ?? '', nra.verb ?? '');
  }
  const group = ra.group ?? '';
  const resource = ra.resource ?? '';
  const name = ra.name ?? '';
  const subresource = ra.subresource ?? '';
  let namespace = ra.namespace ?? '';
  if (group === '' && resource === 'namespaces') namespace = name;
  else if (clusterScoped(group, resource)) namespace = '';
  const version = ra.version ?? '';
  const segments = [
    group === '' ? 'api' : `apis/${group}`,
    version || '*',
    namespace === '' || resource === 'namespaces' ? '' : `namespaces/${namespace}`,
    resource,
    name,
    subresource,
  ];
  return {
    isResourceRequest: true,
    path: `/${segments.filter((s) => s !== '').join('/')}`,
    verb: ra.verb ?? '',
    apiPrefix: group === '' ? 'api' : 'apis',
    apiGroup: group,
    apiVersion: version,
    namespace,
    resource,
    subresource,
    name,
    execClass: subresource === 'proxy' || (resource === 'pods' && POD_EXEC_SUBRESOURCES.has(subresource)),
  };
}

/** The reason text of a decision, worded like the gateway's 403 ("… (hoopctl rule …); hint: …"). */
export function decisionReason(d: PolicyDecision): string {
  const rule = `(hoopctl rule ${d.rule})`;
  if (d.effect === 'approval') {
    if (d.review !== undefined) {
      const n = d.review.minApprovals;
      return `needs approval: ${d.reason}; the request is held for review by ${d.review.approvers.join(', ') || 'the approvers'} (${n} approval${n === 1 ? '' : 's'}) when you make it ${rule}`;
    }
    return `needs approval: ${d.hint ?? d.reason} ${rule}`;
  }
  return `${d.reason} ${rule}${d.hint === undefined ? '' : `; hint: ${d.hint}`}`;
}

/** Answers a SelfSubjectAccessReview for the session `who` with hoopctl's policy. */
export function answerAccessReview(
  policy: Parameters<typeof evaluatePolicy>[0],
  who: Omit<PolicyRequest, 'request'>,
  q: { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes },
): AccessAnswer {
  const info = reviewRequestInfo(q);
  const decision = evaluatePolicy(policy, { ...who, request: info });
  return { allowed: decision.effect === 'allow', denied: decision.effect === 'deny', reason: decisionReason(decision), decision, info };
}
