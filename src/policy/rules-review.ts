/**
 * `kubectl auth can-i --list` answered by hoopctl's policy: the rules of the session's role that apply in
 * a namespace, as a SelfSubjectRulesReview status. Guardrails cut into these rules request by request, so
 * the list is marked incomplete (kubectl then warns) whenever a guardrail applies on the connection.
 */
import { DISCOVERY_URL_PATTERNS } from './evaluate-policy.js';
import type { CompiledPolicy, CompiledRule, ResourcePattern } from './compiled-policy.js';
import { matchesPattern, type PatternSet } from './pattern.js';
import { boundRoles, type BoundRole } from './subject-bindings.js';
import type { PolicyRequest } from './types.js';

/** authorization/v1 ResourceRule. */
export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
}

/** authorization/v1 NonResourceRule. */
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs: string[];
}

/** authorization/v1 SubjectRulesReviewStatus. */
export interface RulesAnswer {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

/** The gateway answers these three for every session (src/gateway/pipeline/self-review.ts), so every list starts with them, as kube's does. */
const SELF_REVIEW_RULES: ResourceRule[] = [
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];

/** The patterns of a compiled set, written back as in the policy file. */
export function patternStrings(set: PatternSet): string[] {
  if (set.any) return ['*'];
  return [...set.exact, ...set.prefixes.map((p) => `${p}*`)];
}

function resourceStrings(p: ResourcePattern): string[] {
  if (p.all) return ['*'];
  const resources = patternStrings(p.resource);
  if (p.subresource === null) return resources;
  const subs = patternStrings(p.subresource);
  return resources.flatMap((r) => subs.map((s) => `${r}/${s}`));
}

/** The roles a session uses, as evaluatePolicy picks them: its role if bound, else every role bound without approval. */
function activeRoles(policy: CompiledPolicy, who: Omit<PolicyRequest, 'request'>): BoundRole[] {
  const bound = boundRoles(policy, who.subject, who.connection);
  const candidates = who.role === undefined ? bound.filter((b) => !b.binding.approval) : bound.filter((b) => b.role === who.role).slice(0, 1);
  const seen = new Set<string>();
  return candidates.filter((b) => (seen.has(b.role) ? false : (seen.add(b.role), true)));
}

function toRule(rule: CompiledRule): ResourceRule | NonResourceRule {
  if (rule.kind === 'nonResource') return { verbs: patternStrings(rule.verbs), nonResourceURLs: patternStrings(rule.nonResourceURLs) };
  return {
    verbs: patternStrings(rule.verbs),
    apiGroups: patternStrings(rule.apiGroups),
    resources: rule.resources.flatMap(resourceStrings),
    ...(rule.resourceNames === null ? {} : { resourceNames: patternStrings(rule.resourceNames) }),
  };
}

/** Lists what the session `who` may do in `namespace` ('' = cluster scope) by hoopctl's policy. */
export function listSessionRules(policy: CompiledPolicy, who: Omit<PolicyRequest, 'request'>, namespace: string): RulesAnswer {
  const resourceRules: ResourceRule[] = [...SELF_REVIEW_RULES];
  const nonResourceRules: NonResourceRule[] = [];
  const anyBound = boundRoles(policy, who.subject, who.connection).length > 0;
  if (policy.discovery && anyBound) nonResourceRules.push({ verbs: ['get', 'head'], nonResourceURLs: [...DISCOVERY_URL_PATTERNS] });
  for (const { role: name } of activeRoles(policy, who)) {
    for (const rule of policy.rolesByName.get(name)?.rules ?? []) {
      if (rule.kind === 'resource' && !matchesPattern(rule.namespaces, namespace)) continue;
      const out = toRule(rule);
      if ('nonResourceURLs' in out) nonResourceRules.push(out);
      else resourceRules.push(out);
    }
  }
  const guardrails = policy.guardrails.filter((g) => matchesPattern(g.connections, who.connection));
  const problems: string[] = [];
  if (guardrails.length > 0) {
    const names = guardrails.map((g) => `"${g.name}" (${g.effect === 'deny' ? 'deny' : 'needs approval'})`).join(', ');
    problems.push(`hoopctl guardrails ${names} refuse or hold some of these requests; ask about one with kubectl auth can-i VERB RESOURCE`);
  }
  if (who.role !== undefined && activeRoles(policy, who).length === 0) {
    problems.push(`role "${who.role}" is no longer bound to you on connection "${who.connection}"; run hoopctl connect ${who.connection}`);
  }
  return {
    resourceRules,
    nonResourceRules,
    incomplete: problems.length > 0,
    ...(problems.length === 0 ? {} : { evaluationError: problems.join('; ') }),
  };
}
