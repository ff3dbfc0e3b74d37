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
import { z } from 'zod';
import { checkedString, formatPath, IF_VALID, issue, mapping, text, type ConfigPath } from '../config-reader.js';
import { compileMaskRules } from '../mask/mask-rules.js';
import { globProblem } from '../mask/name-patterns.js';
import { parseValuePattern, type ValuePattern } from '../mask/value-patterns.js';
import { compilePatterns, MATCH_ANY, type PatternSet } from './pattern.js';
import { patternList } from './compile-rule.js';
import type { CompiledMaskException, CompiledMasking } from './compiled-policy.js';

export type { CompiledMaskException, CompiledMasking } from './compiled-policy.js';

const glob = checkedString((g) => {
  const problem = globProblem(g);
  return problem === undefined ? undefined : `bad pattern: ${problem}`;
});

// The name only labels the compiled pattern; the problem (not linear-time, bad flags) is what the schema reports.
const valuePattern = checkedString((t) => {
  const p = parseValuePattern(t, 'valuePatterns');
  return typeof p === 'string' ? p : undefined;
});

const exceptionSchema = mapping({
  description: text.optional(),
  roles: z.array(text).min(1).optional(),
  users: patternList(false).optional(),
  groups: patternList(false).optional(),
  connections: patternList(false).optional(),
  resources: patternList(false).optional(),
  namespaces: patternList(false).optional(),
  names: patternList(false).optional(),
}).superRefine((m, ctx) => {
  if (m.roles === undefined && m.users === undefined && m.groups === undefined) {
    issue(ctx, 'needs roles, groups or users (who may read these objects in clear)');
  }
  if (m.resources === undefined) issue(ctx, 'is required (e.g. [secrets])', ['resources']);
}, IF_VALID);

/** The `masking` section (role names in `exceptions[].roles` are checked against the roles by the policy schema). */
export const maskingSchema = mapping({
  enabled: z.boolean().optional(),
  configMapKeyPatterns: z.array(glob).optional(),
  envNamePatterns: z.array(glob).optional(),
  valuePatterns: z.array(valuePattern).optional(),
  exceptions: z.array(exceptionSchema).optional(),
});

/** The raw shape of `masking` after its schema. */
export type MaskingInput = z.output<typeof maskingSchema>;

/** Compiles `masking` its schema accepted (absent: the built-in rules, no exceptions); `path` is where it sits in the file. */
export function compileMasking(m: MaskingInput | undefined, path: ConfigPath): CompiledMasking {
  if (m === undefined) return { enabled: true, rules: compileMaskRules(), exceptions: [] };
  const valuePatterns: ValuePattern[] = (m.valuePatterns ?? []).map((t, i) => {
    const p = parseValuePattern(t, formatPath([...path, 'valuePatterns', i]));
    if (typeof p === 'string') throw new Error(`${t}: accepted by the schema, refused by the compiler: ${p}`);
    return p;
  });
  return {
    enabled: m.enabled ?? true,
    rules: compileMaskRules({
      ...(m.configMapKeyPatterns === undefined ? {} : { configMapKeyPatterns: m.configMapKeyPatterns }),
      ...(m.envNamePatterns === undefined ? {} : { envNamePatterns: m.envNamePatterns }),
      valuePatterns,
    }),
    exceptions: (m.exceptions ?? []).map((e, i) => compileException(e, formatPath([...path, 'exceptions', i]))),
  };
}

function compileException(m: z.output<typeof exceptionSchema>, path: string): CompiledMaskException {
  const any = (list: string[] | undefined): PatternSet => (list === undefined ? MATCH_ANY : compilePatterns(list));
  return {
    path,
    ...(m.roles === undefined ? {} : { roles: m.roles }),
    ...(m.users === undefined ? {} : { users: compilePatterns(m.users) }),
    ...(m.groups === undefined ? {} : { groups: compilePatterns(m.groups) }),
    connections: any(m.connections),
    resources: compilePatterns(m.resources ?? []),
    namespaces: any(m.namespaces),
    names: any(m.names),
  };
}
