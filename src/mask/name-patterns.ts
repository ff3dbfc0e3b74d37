/** Case-insensitive name globs (`*password*`, `*.pem`, `DB_*`) for ConfigMap keys and env variable names. */

/** A compiled set of globs. */
export interface NamePatterns {
  readonly globs: readonly string[];
  matches(name: string): boolean;
}

/** Why a glob is unusable, or undefined. `*` may appear anywhere; nothing else is special. */
export function globProblem(glob: string): string | undefined {
  if (glob === '') return 'is empty';
  if (/^\*+$/.test(glob)) return `${JSON.stringify(glob)} would mask every key`;
  if (/\s/.test(glob)) return `${JSON.stringify(glob)} contains whitespace`;
  return undefined;
}

/** Compiles globs into one anchored, case-insensitive regex. */
export function compileNamePatterns(globs: readonly string[]): NamePatterns {
  if (globs.length === 0) return { globs, matches: () => false };
  const alternatives = globs.map((g) => g.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&')).join('.*'));
  const re = new RegExp(`^(?:${alternatives.join('|')})$`, 'is');
  return { globs, matches: (name) => re.test(name) };
}
