/**
 * The policy decision for one classified request. Order, so that deny beats approval beats allow:
 * guardrails (whatever the role) → the session's namespace scope → discovery defaults → the
 * session's roles → default deny, with the role that would help named in the hint.
 */
import type { RequestInfo } from '../kube/types.js';
import type { CompiledGuardrail, CompiledPolicy } from './compiled-policy.js';
import { ruleMatches } from './match-rule.js';
import { namespaceScopeRefusal } from './namespace-scope.js';
import { compilePatterns, matchesPattern } from './pattern.js';
import { boundRoles, type BoundRole } from './subject-bindings.js';
import type { PolicyDecision, PolicyRequest } from './types.js';

/**
 * What kubectl and client libraries read before anything else (kube's system:discovery and
 * system:public-info-viewer ClusterRoles); without them kubectl cannot even print our refusal.
 */
export const DISCOVERY_URL_PATTERNS: readonly string[] = [
  '/api',
  '/api/*',
  '/apis',
  '/apis/*',
  '/openapi',
  '/openapi/*',
  '/version',
  '/version/',
  '/healthz',
  '/livez',
  '/readyz',
];
const DISCOVERY_URLS = compilePatterns(DISCOVERY_URL_PATTERNS);

/** Decides allow / deny / approval for `req`; default deny. */
export function evaluatePolicy(policy: CompiledPolicy, req: PolicyRequest): PolicyDecision {
  const { request: info, connection } = req;
  let approvalGuardrail: CompiledGuardrail | undefined;
  for (const g of policy.guardrails) {
    if (!matchesPattern(g.connections, connection) || !ruleMatches(g.match, info)) continue;
    if (g.effect === 'deny') {
      return { effect: 'deny', rule: guardrailPath(g), reason: `denied by guardrail "${g.name}"${g.message === undefined ? '' : `: ${g.message}`}` };
    }
    approvalGuardrail ??= g;
  }

  const bound = boundRoles(policy, req.subject, connection);
  const active = activeRoles(bound, req.role);

  // The session's namespaces bound what any role allows (and what a guardrail could hold for review).
  const outside = namespaceScopeRefusal(req.namespaces, info);
  if (outside !== undefined) {
    const helps = active === undefined ? undefined : firstAllowing(policy, active, info);
    const other = helps === undefined ? alternativeRole(policy, bound, active ?? [], info) : undefined;
    const role = helps !== undefined ? (req.role === undefined ? undefined : { role: req.role, approval: helps.approval }) : other;
    const roleFlag = role === undefined ? '' : ` --role ${role.role}`;
    const reasonFlag = role?.approval === true ? REASON_FLAG : '';
    const hint =
      info.namespace === ''
        ? `hoopctl connect ${connection}${roleFlag}${reasonFlag} (without --namespace)`
        : `hoopctl connect ${connection}${roleFlag} --namespace ${info.namespace}${reasonFlag}`;
    return { effect: 'deny', rule: 'session.namespaces', reason: outside, hint };
  }

  if (policy.discovery && bound.length > 0 && isDiscovery(info)) {
    return { effect: 'allow', rule: 'defaults.discovery', reason: `discovery is open to everyone with a role on connection "${connection}"` };
  }

  if (active === undefined) {
    // The role was unbound since the session opened: the default roles, or the role behind approval that would allow it.
    const byDefault = firstAllowing(policy, activeRoles(bound, undefined)!, info);
    const other = byDefault === undefined ? alternativeRole(policy, bound, [], info) : undefined;
    const hint =
      other === undefined ? `hoopctl connect ${connection}` : `hoopctl connect ${connection} --role ${other.role}${other.approval ? REASON_FLAG : ''}`;
    return { effect: 'deny', rule: 'default-deny', reason: `role "${req.role ?? ''}" is not bound to you on connection "${connection}"`, hint };
  }

  const allowed = firstAllowing(policy, active, info);
  if (allowed !== undefined) {
    if (approvalGuardrail !== undefined) {
      const why = approvalGuardrail.message === undefined ? '' : `: ${approvalGuardrail.message}`;
      return {
        effect: 'approval',
        rule: guardrailPath(approvalGuardrail),
        reason: `guardrail "${approvalGuardrail.name}" requires approval for this request${why}`,
        review: { guardrail: approvalGuardrail.name, approvers: approvalGuardrail.approvers, minApprovals: approvalGuardrail.minApprovals },
      };
    }
    return { effect: 'allow', rule: allowed.path, reason: `allowed by role "${allowed.role}"` };
  }

  // Another role bound to the subject would allow it: say which, and how to get it.
  const alternative = alternativeRole(policy, bound, active, info);
  if (alternative !== undefined) {
    const hint = `hoopctl connect ${connection} --role ${alternative.role}${alternative.approval ? REASON_FLAG : ''}`;
    if (req.role === undefined && alternative.approval) {
      return {
        effect: 'approval',
        rule: alternative.path,
        reason: `role "${alternative.role}" allows this on connection "${connection}" but is granted only after approval`,
        hint,
      };
    }
    return {
      effect: 'deny',
      rule: 'default-deny',
      reason: `role "${req.role ?? ''}" of this session does not allow this; role "${alternative.role}" would`,
      hint,
    };
  }

  const reason =
    req.role !== undefined
      ? `role "${req.role}" does not allow this`
      : bound.length === 0
        ? `you have no role on connection "${connection}"`
        : `no role bound to you on connection "${connection}" allows this`;
  return { effect: 'deny', rule: 'default-deny', reason };
}

/** What a role granted only after approval adds to its hint: approvers read the reason. */
const REASON_FLAG = ' --reason "…"';

/** The session's roles: its one role (undefined when no longer bound), or every role bound without approval. */
function activeRoles(bound: BoundRole[], role: string | undefined): BoundRole[] | undefined {
  if (role === undefined) return uniqueRoles(bound.filter((b) => !b.binding.approval));
  // Prefer a binding without approval for the rule path; the session was issued either way.
  const binding = bound.find((b) => b.role === role && !b.binding.approval) ?? bound.find((b) => b.role === role);
  return binding === undefined ? undefined : [binding];
}

/** The first other role bound to the subject that allows `info`: those granted at once first, then those behind approval. */
function alternativeRole(
  policy: CompiledPolicy,
  bound: BoundRole[],
  active: BoundRole[],
  info: RequestInfo,
): { role: string; path: string; approval: boolean } | undefined {
  const activeNames = new Set(active.map((b) => b.role));
  const others = uniqueRoles([...bound.filter((b) => !b.binding.approval), ...bound.filter((b) => b.binding.approval)]).filter((b) => !activeNames.has(b.role));
  return firstAllowing(policy, others, info);
}

/** Discovery reads only: GET/HEAD of a non-resource discovery, version, OpenAPI or health URL. */
function isDiscovery(info: RequestInfo): boolean {
  return !info.isResourceRequest && (info.verb === 'get' || info.verb === 'head') && matchesPattern(DISCOVERY_URLS, info.path);
}

/** First (binding, role) for each role name, so a role bound twice is evaluated once. */
function uniqueRoles(list: BoundRole[]): BoundRole[] {
  const seen = new Set<string>();
  return list.filter((b) => (seen.has(b.role) ? false : (seen.add(b.role), true)));
}

function firstAllowing(policy: CompiledPolicy, candidates: BoundRole[], info: RequestInfo): { role: string; path: string; approval: boolean } | undefined {
  for (const { binding, role: name } of candidates) {
    const role = policy.rolesByName.get(name);
    if (role === undefined) continue; // compilePolicy guarantees every bound role exists
    const k = role.rules.findIndex((rule) => ruleMatches(rule, info));
    if (k !== -1) return { role: name, approval: binding.approval, path: `bindings[${binding.index}] → roles[${role.index}] (${name}).rules[${k}]` };
  }
  return undefined;
}

function guardrailPath(g: CompiledGuardrail): string {
  return `guardrails[${g.index}] (${g.name})`;
}
