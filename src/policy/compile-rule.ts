/** Compiles one role rule (or a guardrail's `match`): verbs × apiGroups × resources × namespaces × names, or non-resource URLs. */
import type { CompiledRule, ResourcePattern } from './compiled-policy.js';
import { compilePatterns, MATCH_ANY, patternProblem } from './pattern.js';
import { joinPath, type PolicyReader } from './policy-reader.js';

/** Kubernetes verbs a resource rule may name (kube-apiserver's RequestInfo verbs). */
export const RESOURCE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'] as const;

/** Verbs of non-resource URLs: the lower-cased HTTP method, as kube RBAC has them. */
export const NON_RESOURCE_VERBS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;

/** Words people write for exec-class actions; they are subresources, not verbs, so say how to grant them. */
const EXEC_WORDS: Record<string, [verb: string, resource: string]> = {
  exec: ['create', 'pods/exec'], attach: ['create', 'pods/attach'], portforward: ['create', 'pods/portforward'],
  'port-forward': ['create', 'pods/portforward'], proxy: ['create', 'pods/proxy'], debug: ['create', 'pods/ephemeralcontainers'],
  logs: ['get', 'pods/log'], log: ['get', 'pods/log'],
};

const RULE_KEYS = ['verbs', 'apiGroups', 'resources', 'namespaces', 'resourceNames', 'nonResourceURLs'] as const;

/** For a guardrail's `match`, omitted verbs and resources mean "all"; in a role rule they are required. */
export interface RuleDefaults {
  matchAllByDefault: boolean;
}

/** Validates and compiles `raw` found at `path`. */
export function compileRule(r: PolicyReader, raw: unknown, path: string, defaults: RuleDefaults): CompiledRule {
  const m = r.mapping(raw, path, RULE_KEYS);
  if (Object.keys(m).length === 0) {
    r.fail(path, defaults.matchAllByDefault ? 'empty match: it would match every request' : 'empty rule: give verbs and resources (or nonResourceURLs)');
  }
  // resources are checked per half (resource/subresource) below, so that `*/scale` is accepted
  const resources = r.optStrings(m, 'resources', path, true);
  const urls = r.optPatterns(m, 'nonResourceURLs', path, false);
  if (resources !== undefined && urls !== undefined) r.fail(path, 'a rule has either resources or nonResourceURLs, not both');

  if (urls !== undefined) {
    for (const key of ['apiGroups', 'namespaces', 'resourceNames']) {
      if (m[key] !== undefined) r.fail(joinPath(path, key), 'does not apply to nonResourceURLs');
    }
    urls.forEach((u, i) => {
      if (u !== '*' && !u.startsWith('/')) r.fail(joinPath(joinPath(path, 'nonResourceURLs'), i), `${JSON.stringify(u)} must start with "/"`);
    });
    const verbs = readVerbs(r, m, path, NON_RESOURCE_VERBS, defaults);
    return { kind: 'nonResource', verbs: compilePatterns(verbs), nonResourceURLs: compilePatterns(urls) };
  }

  if (resources === undefined && !defaults.matchAllByDefault) r.fail(joinPath(path, 'resources'), 'is required (or nonResourceURLs)');
  const verbs = readVerbs(r, m, path, RESOURCE_VERBS, defaults);
  const apiGroups = r.optPatterns(m, 'apiGroups', path, true);
  const namespaces = r.optPatterns(m, 'namespaces', path, true);
  const names = r.optStrings(m, 'resourceNames', path);
  names?.forEach((n, i) => {
    const problem = patternProblem(n, false);
    if (problem !== undefined) r.fail(joinPath(joinPath(path, 'resourceNames'), i), `bad pattern: ${problem}`);
  });
  return {
    kind: 'resource',
    verbs: compilePatterns(verbs),
    apiGroups: apiGroups === undefined ? MATCH_ANY : compilePatterns(apiGroups),
    resources: (resources ?? ['*']).map((p, i) => compileResourcePattern(r, p, joinPath(joinPath(path, 'resources'), i))),
    namespaces: namespaces === undefined ? MATCH_ANY : compilePatterns(namespaces),
    // An empty list means "no restriction", like an absent one (kube RBAC reads resourceNames: [] the same way).
    resourceNames: names === undefined || names.length === 0 ? null : compilePatterns(names),
  };
}

function readVerbs(r: PolicyReader, m: Record<string, unknown>, path: string, known: readonly string[], defaults: RuleDefaults): string[] {
  const verbs = r.optStrings(m, 'verbs', path, true);
  if (verbs === undefined) {
    if (defaults.matchAllByDefault) return ['*'];
    return r.fail(joinPath(path, 'verbs'), 'is required');
  }
  verbs.forEach((v, i) => {
    if (v === '*' || known.includes(v)) return;
    const at = joinPath(joinPath(path, 'verbs'), i);
    const instead = EXEC_WORDS[v];
    if (instead !== undefined && known === RESOURCE_VERBS) {
      r.fail(at, `"${v}" is not a verb: grant verb "${instead[0]}" on resource "${instead[1]}"`);
    }
    r.fail(at, `unknown verb ${JSON.stringify(v)} (verbs: ${known.join(', ')}, or "*")`);
  });
  return verbs;
}

function compileResourcePattern(r: PolicyReader, p: string, path: string): ResourcePattern {
  if (p === '*') return { all: true, resource: MATCH_ANY, subresource: MATCH_ANY };
  const parts = p.split('/');
  if (parts.length > 2) r.fail(path, `bad pattern: ${JSON.stringify(p)} has more than one "/" (resource/subresource)`);
  const [resource = '', sub] = parts;
  for (const part of sub === undefined ? [resource] : [resource, sub]) {
    const problem = patternProblem(part, false);
    if (problem !== undefined) r.fail(path, sub === undefined ? `bad pattern: ${problem}` : `bad pattern: ${JSON.stringify(p)}: ${problem}`);
  }
  return {
    all: false,
    resource: compilePatterns([resource]),
    subresource: sub === undefined ? null : compilePatterns([sub]),
  };
}
