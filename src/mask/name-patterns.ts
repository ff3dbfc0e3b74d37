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

// The case folding of a case-insensitive JavaScript regex without `u` (ECMA-262 Canonicalize): upper
// case, one UTF-16 unit at a time, never folding a non-ASCII unit onto ASCII.
function canonical(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text.toUpperCase();
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const u = c.toUpperCase();
    out += u.length !== 1 || (c.charCodeAt(0) >= 128 && u.charCodeAt(0) < 128) ? c : u;
  }
  return out;
}

// Matches like `^a.*b.*c$` (flags `is`) but in linear time: with `*` as the only wildcard, taking
// each middle part at its first occurrence after the previous one is never worse than a later one.
function globMatches(parts: readonly string[], name: string): boolean {
  const first = parts[0]!;
  if (parts.length === 1) return name === first;
  const last = parts[parts.length - 1]!;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part === '') continue;
    const found = name.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** Compiles globs into case-insensitive matchers that run in time linear in the name. */
export function compileNamePatterns(globs: readonly string[]): NamePatterns {
  if (globs.length === 0) return { globs, matches: () => false };
  const compiled = globs.map((g) => g.split('*').map(canonical));
  return {
    globs,
    matches: (name) => {
      const c = canonical(name);
      return compiled.some((parts) => globMatches(parts, c));
    },
  };
}
