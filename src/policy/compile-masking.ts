/**
 * The `policy.masking` section: what is masked on top of the built-in rules (src/mask), and the
 * exceptions that let named people read named objects in clear (break glass; audited as such).
 *
 * ```yaml
 * masking:
 *   configMapKeyPatterns: ['*dsn*']          # added to the built-ins (*password*, *token*, *.pem, …)
 *   envNamePatterns: ['*_DSN']               # added to the built-ins (*PASSWORD*, *SECRET*, …)
 *   valuePatterns: ['acme_[0-9a-f]{32}', '/corp-[a-z]+-key/i']
 *   exceptions:
 *     - { roles: [break-glass], resources: [secrets], namespaces: [payments], names: [stripe-api] }
 *   enabled: true                            # false only for benchmarks: secrets then pass in clear
 * ```
 */
import { compileMaskRules, type MaskRules } from '../mask/mask-rules.js';
import { globProblem } from '../mask/name-patterns.js';
import { parseValuePattern, type ValuePattern } from '../mask/value-patterns.js';
import { compilePatterns, MATCH_ANY, type PatternSet } from './pattern.js';
import { joinPath, type PolicyReader } from './policy-reader.js';

/** One masking exception; `path` (e.g. `policy.masking.exceptions[0]`) is what the audit event names. */
export interface CompiledMaskException {
  path: string;
  /** Session roles, any of which grants the exception (undefined: not a condition). */
  roles?: string[];
  users?: PatternSet;
  groups?: PatternSet;
  connections: PatternSet;
  resources: PatternSet;
  namespaces: PatternSet;
  names: PatternSet;
}

/** The compiled masking section. */
export interface CompiledMasking {
  /** false turns masking off everywhere (benchmarks only; documented as unsafe). */
  enabled: boolean;
  rules: MaskRules;
  exceptions: CompiledMaskException[];
}

const KEYS = ['enabled', 'configMapKeyPatterns', 'envNamePatterns', 'valuePatterns', 'exceptions'];
const EXCEPTION_KEYS = ['description', 'roles', 'users', 'groups', 'connections', 'resources', 'namespaces', 'names'];

/** Validates and compiles `masking` (absent: the built-in rules, no exceptions). */
export function compileMasking(r: PolicyReader, raw: unknown, path: string, rolesByName: ReadonlyMap<string, unknown>): CompiledMasking {
  if (raw === undefined || raw === null) return { enabled: true, rules: compileMaskRules(), exceptions: [] };
  const m = r.mapping(raw, path, KEYS);
  const globs = (key: string): string[] | undefined => {
    const list = r.optStrings(m, key, path);
    list?.forEach((g, i) => {
      const problem = globProblem(g);
      if (problem !== undefined) r.fail(joinPath(joinPath(path, key), i), `bad pattern: ${problem}`);
    });
    return list;
  };
  const configMapKeyPatterns = globs('configMapKeyPatterns');
  const envNamePatterns = globs('envNamePatterns');
  const valuePatterns: ValuePattern[] = (r.optStrings(m, 'valuePatterns', path) ?? []).map((text, i) => {
    const where = joinPath(joinPath(path, 'valuePatterns'), i);
    const p = parseValuePattern(text, where);
    return typeof p === 'string' ? r.fail(where, p) : p;
  });
  const exceptions = (r.optList(m, 'exceptions', path) ?? []).map((e, i) =>
    compileException(r, e, joinPath(joinPath(path, 'exceptions'), i), rolesByName));
  return {
    enabled: r.optBool(m, 'enabled', path) ?? true,
    rules: compileMaskRules({
      ...(configMapKeyPatterns === undefined ? {} : { configMapKeyPatterns }),
      ...(envNamePatterns === undefined ? {} : { envNamePatterns }),
      valuePatterns,
    }),
    exceptions,
  };
}

// Only the role names are read (compiled-policy.ts imports this module's types, so not CompiledRole: no cycle).
function compileException(r: PolicyReader, raw: unknown, path: string, rolesByName: ReadonlyMap<string, unknown>): CompiledMaskException {
  const m = r.mapping(raw, path, EXCEPTION_KEYS);
  const roles = r.optStrings(m, 'roles', path, true);
  roles?.forEach((name, k) => {
    if (!rolesByName.has(name)) {
      r.fail(joinPath(joinPath(path, 'roles'), k), `role ${JSON.stringify(name)} is not defined (roles: ${[...rolesByName.keys()].join(', ') || 'none'})`);
    }
  });
  const users = r.optPatterns(m, 'users', path, false);
  const groups = r.optPatterns(m, 'groups', path, false);
  if (roles === undefined && users === undefined && groups === undefined) r.fail(path, 'needs roles, groups or users (who may read these objects in clear)');
  const resources = r.optPatterns(m, 'resources', path, false) ?? r.fail(joinPath(path, 'resources'), 'is required (e.g. [secrets])');
  const any = (key: string): PatternSet => {
    const list = r.optPatterns(m, key, path, false);
    return list === undefined ? MATCH_ANY : compilePatterns(list);
  };
  return {
    path,
    ...(roles === undefined ? {} : { roles }),
    ...(users === undefined ? {} : { users: compilePatterns(users) }),
    ...(groups === undefined ? {} : { groups: compilePatterns(groups) }),
    connections: any('connections'),
    resources: compilePatterns(resources),
    namespaces: any('namespaces'),
    names: any('names'),
  };
}
