/** Pipeline step 3: the policy decides; deny and (for now) needs-approval both answer a 403 Status kubectl prints. */
import { forbiddenStatus } from '../../kube/status.js';
import { evaluatePolicy } from '../../policy/evaluate-policy.js';
import type { CompiledPolicy } from '../../policy/compiled-policy.js';
import type { PolicyDecision } from '../../policy/types.js';
import type { ProxyStep } from './exchange.js';

/** The sentence after kube's "User … cannot …:": why, which rule, and what to run next. */
export function refusalReason(d: PolicyDecision): string {
  const why = d.effect === 'approval'
    ? `${d.reason}; this gateway version does not grant approvals yet`
    : d.reason;
  return `${why} (hoopctl rule ${d.rule})${d.hint === undefined ? '' : `; hint: ${d.hint}`}`;
}

/** Builds the authorize step for a compiled policy. */
export function createAuthorize(policy: CompiledPolicy): ProxyStep {
  return async (x) => {
    const { claims } = x.session!;
    const info = x.info!;
    const decision = evaluatePolicy(policy, {
      subject: { user: claims.sub, groups: claims.groups },
      connection: x.connectionName,
      ...(claims.role === undefined ? {} : { role: claims.role }),
      request: info,
    });
    x.decision = decision;
    // Fail closed: anything but an explicit allow is refused (approval flows come later).
    if (decision.effect === 'allow') return undefined;
    return forbiddenStatus(info, claims.sub, refusalReason(decision));
  };
}
