/** One role rule (or a guardrail's `match`): its schema (verbs × apiGroups × resources × namespaces × names, or non-resource URLs) and its compiled form. */
import { z } from 'zod';
import { checkedString, IF_VALID, issue, mapping, text } from '../config-reader.js';
import type { CompiledRule, ResourcePattern } from './compiled-policy.js';
import { compilePatterns, MATCH_ANY, patternProblem } from './pattern.js';

/** Kubernetes verbs a resource rule may name (kube-apiserver's RequestInfo verbs). */
export const RESOURCE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;

/** Verbs of non-resource URLs: the lower-cased HTTP method, as kube RBAC has them. */
export const NON_RESOURCE_VERBS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;

/** Words people write for exec-class actions; they are subresources, not verbs, so say how to grant them. */
const EXEC_WORDS: Record<string, [verb: string, resource: string]> = {
  exec: ['create', 'pods/exec'],
  attach: ['create', 'pods/attach'],
  portforward: ['create', 'pods/portforward'],
  'port-forward': ['create', 'pods/portforward'],
  proxy: ['create', 'pods/proxy'],
  debug: ['create', 'pods/ephemeralcontainers'],
  logs: ['get', 'pods/log'],
  log: ['get', 'pods/log'],
};

/** A name pattern (see pattern.ts); `allowEmpty` admits '' (the core API group, cluster scope). */
export function patternText(allowEmpty: boolean): z.ZodType<string> {
  return checkedString((p) => {
    const problem = patternProblem(p, allowEmpty);
    return problem === undefined ? undefined : `bad pattern: ${problem}`;
  });
}

/** A non-empty list of patterns. */
export function patternList(allowEmpty: boolean): z.ZodArray<z.ZodType<string>> {
  return z.array(patternText(allowEmpty)).min(1);
}

// `pods`, `pods/exec`, `*/scale`: each half is a pattern of its own.
const resourcePattern = checkedString((p) => {
  if (p === '*') return undefined;
  const parts = p.split('/');
  if (parts.length > 2) return `bad pattern: ${JSON.stringify(p)} has more than one "/" (resource/subresource)`;
  for (const part of parts) {
    const problem = patternProblem(part, false);
    if (problem !== undefined) return parts.length === 1 ? `bad pattern: ${problem}` : `bad pattern: ${JSON.stringify(p)}: ${problem}`;
  }
  return undefined;
});

const nonResourceUrl = checkedString((u) => {
  const problem = patternProblem(u, false);
  if (problem !== undefined) return `bad pattern: ${problem}`;
  return u !== '*' && !u.startsWith('/') ? `${JSON.stringify(u)} must start with "/"` : undefined;
});

const RULE_SHAPE = {
  verbs: z.array(text).min(1).optional(),
  apiGroups: patternList(true).optional(),
  // resources are checked per half (resource/subresource), so that `*/scale` is accepted
  resources: z.array(resourcePattern).min(1).optional(),
  namespaces: patternList(true).optional(),
  // An empty list means "no restriction", like an absent one (kube RBAC reads resourceNames: [] the same way).
  resourceNames: z.array(patternText(false)).optional(),
  nonResourceURLs: z.array(nonResourceUrl).min(1).optional(),
};

/** The raw shape of a rule after its schema. */
export type RuleInput = z.output<z.ZodObject<typeof RULE_SHAPE>>;

/** For a guardrail's `match`, omitted verbs and resources mean "all"; in a role rule they are required. */
export function ruleSchema(matchAllByDefault: boolean): z.ZodType<RuleInput> {
  return mapping(RULE_SHAPE).superRefine((m, ctx) => {
    const fail = (path: (string | number)[], message: string): void => issue(ctx, message, path);
    if (Object.keys(m).length === 0) {
      return fail([], matchAllByDefault ? 'empty match: it would match every request' : 'empty rule: give verbs and resources (or nonResourceURLs)');
    }
    if (m.resources !== undefined && m.nonResourceURLs !== undefined) return fail([], 'a rule has either resources or nonResourceURLs, not both');
    if (m.nonResourceURLs !== undefined) {
      for (const key of ['apiGroups', 'namespaces', 'resourceNames'] as const) {
        if (m[key] !== undefined) fail([key], 'does not apply to nonResourceURLs');
      }
    } else if (m.resources === undefined && !matchAllByDefault) {
      fail(['resources'], 'is required (or nonResourceURLs)');
    }
    const known: readonly string[] = m.nonResourceURLs === undefined ? RESOURCE_VERBS : NON_RESOURCE_VERBS;
    if (m.verbs === undefined && !matchAllByDefault) fail(['verbs'], 'is required');
    m.verbs?.forEach((v, i) => {
      if (v === '*' || known.includes(v)) return;
      const instead = EXEC_WORDS[v];
      if (instead !== undefined && known === RESOURCE_VERBS) fail(['verbs', i], `"${v}" is not a verb: grant verb "${instead[0]}" on resource "${instead[1]}"`);
      else fail(['verbs', i], `unknown verb ${JSON.stringify(v)} (verbs: ${known.join(', ')}, or "*")`);
    });
  }, IF_VALID);
}

/** Compiles a rule its schema accepted. */
export function compileRule(m: RuleInput): CompiledRule {
  const verbs = compilePatterns(m.verbs ?? ['*']);
  if (m.nonResourceURLs !== undefined) return { kind: 'nonResource', verbs, nonResourceURLs: compilePatterns(m.nonResourceURLs) };
  return {
    kind: 'resource',
    verbs,
    apiGroups: m.apiGroups === undefined ? MATCH_ANY : compilePatterns(m.apiGroups),
    resources: (m.resources ?? ['*']).map(compileResourcePattern),
    namespaces: m.namespaces === undefined ? MATCH_ANY : compilePatterns(m.namespaces),
    resourceNames: m.resourceNames === undefined || m.resourceNames.length === 0 ? null : compilePatterns(m.resourceNames),
  };
}

function compileResourcePattern(p: string): ResourcePattern {
  if (p === '*') return { all: true, resource: MATCH_ANY, subresource: MATCH_ANY };
  const [resource = '', sub] = p.split('/');
  return { all: false, resource: compilePatterns([resource]), subresource: sub === undefined ? null : compilePatterns([sub]) };
}
