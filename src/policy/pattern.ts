/**
 * Name patterns of the policy file: `*` (anything), `team-*` (prefix), or an exact name.
 * Compiled once into sets, so matching a request builds no regex and scans no strings.
 */

/** A compiled list of patterns. */
export interface PatternSet {
  any: boolean;
  exact: ReadonlySet<string>;
  prefixes: readonly string[];
}

/** Pattern-set that matches everything (the `['*']` default). */
export const MATCH_ANY: PatternSet = { any: true, exact: new Set(), prefixes: [] };

/** Why a single pattern is malformed, or undefined when it is fine. `allowEmpty` admits '' (core API group, cluster scope). */
export function patternProblem(p: string, allowEmpty: boolean): string | undefined {
  if (p === '') return allowEmpty ? undefined : 'is empty';
  if (/\s/.test(p)) return `${JSON.stringify(p)} contains whitespace`;
  const star = p.indexOf('*');
  if (star !== -1 && star !== p.length - 1) {
    return `${JSON.stringify(p)}: "*" may only stand alone or end a prefix (like "team-*")`;
  }
  return undefined;
}

/** Compiles already-validated patterns. */
export function compilePatterns(patterns: readonly string[]): PatternSet {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  let any = false;
  for (const p of patterns) {
    if (p === '*') any = true;
    else if (p.endsWith('*')) prefixes.push(p.slice(0, -1));
    else exact.add(p);
  }
  return { any, exact, prefixes };
}

/** True when `value` matches one of the patterns. */
export function matchesPattern(set: PatternSet, value: string): boolean {
  if (set.any || set.exact.has(value)) return true;
  for (const prefix of set.prefixes) if (value.startsWith(prefix)) return true;
  return false;
}
