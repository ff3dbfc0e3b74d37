/**
 * Pipeline step 3: the policy decides. Deny answers a 403 Status kubectl prints; a request a guardrail
 * holds for review passes once its review is approved, and is otherwise refused naming the review.
 */
import { forbiddenStatus } from '../../kube/status.js';
import { evaluatePolicy } from '../../policy/evaluate-policy.js';
import type { CompiledPolicy } from '../../policy/compiled-policy.js';
import type { PolicyDecision } from '../../policy/types.js';
import type { CommandReviews } from '../approvals/command-review.js';
import type { AuthorizedExchange, ClassifiedExchange, ProxyStep } from './exchange.js';

/** The sentence after kube's "User … cannot …:": why, which rule, and what to run next. */
export function refusalReason(d: PolicyDecision): string {
  return `${d.reason} (hoopctl rule ${d.rule})${d.hint === undefined ? '' : `; hint: ${d.hint}`}`;
}

/** Builds the authorize step for a compiled policy; without `reviews`, requests held for review are refused. */
export function createAuthorize(policy: CompiledPolicy, reviews?: CommandReviews): ProxyStep<ClassifiedExchange, AuthorizedExchange> {
  return async (x) => {
    const { claims } = x.session;
    const { info } = x;
    const decision = evaluatePolicy(policy, {
      subject: { user: claims.sub, groups: claims.groups },
      connection: x.connectionName,
      ...(claims.role === undefined ? {} : { role: claims.role }),
      // A session opened for a namespace (asked for, or approved) is a scope, not a default.
      ...(claims.ns === undefined ? {} : { namespaces: [claims.ns] }),
      request: info,
    });
    // Set on refusals too: the audit names the rule that refused.
    const decided = Object.assign(x, { decision });
    if (decision.effect === 'allow') return decided;
    const review = decision.review;
    if (decision.effect === 'approval' && review !== undefined && reviews !== undefined) {
      const outcome = await reviews.review(x, { ...decision, review });
      if (outcome.kind === 'refused') return outcome.status;
      const by = outcome.request.id;
      decided.decision = { ...decision, effect: 'allow', reason: `approved by review ${by}`, rule: `${decision.rule} → review ${by}` };
      decided.message = `approved by review ${by}`;
      return decided;
    }
    // Fail closed: anything but an explicit allow is refused.
    return forbiddenStatus(info, claims.sub, refusalReason(decision));
  };
}
