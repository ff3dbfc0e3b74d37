/**
 * A parser for the JavaScript regular expressions of the masking rules (ECMA-262 §22.2.1, without
 * the `v` flag), into a tree that pattern-linearity.ts reasons about. It is only ever given sources
 * that `new RegExp` already accepted, so it is lenient where the language is (a `{` that starts no
 * quantifier is a literal) and conservative where it cannot be exact: a character class it cannot
 * enumerate (`\p{…}`, astral characters) stands for every character, which can only make the
 * linearity check refuse more, never accept more.
 */

/** A set of UTF-16 code units / code points as sorted, disjoint, inclusive ranges. */
export type CharSet = readonly (readonly [number, number])[];

/** One node of a parsed pattern. */
export type RegexNode =
  | { t: 'set'; set: CharSet }
  | { t: 'seq'; items: RegexNode[] }
  | { t: 'alt'; branches: RegexNode[] }
  | { t: 'rep'; min: number; max: number; body: RegexNode }
  | { t: 'assert'; kind: '^' | '$' | 'b' | 'B' }
  | { t: 'look'; behind: boolean; negative: boolean; body: RegexNode }
  | { t: 'backref' };

const MAX_CHAR = 0x10ffff;
/** Every character. */
export const ALL: CharSet = [[0, MAX_CHAR]];
const DIGIT: CharSet = [[0x30, 0x39]];
const WORD: CharSet = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: CharSet = normalize([
  [9, 13],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);
const LINE_TERMINATORS: CharSet = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];

function normalize(ranges: (readonly [number, number])[]): CharSet {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** Union of sets. */
export function union(...sets: CharSet[]): CharSet {
  return normalize(sets.flat());
}

/** Complement within every character. */
export function complement(set: CharSet): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CHAR) out.push([next, MAX_CHAR]);
  return out;
}

/** True when the two sets share a character. */
export function intersects(a: CharSet, b: CharSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i]![1] < b[j]![0]) i++;
    else if (b[j]![1] < a[i]![0]) j++;
    else return true;
  }
  return false;
}

/** True when every character of `a` is in `b`. */
export function isSubset(a: CharSet, b: CharSet): boolean {
  return !intersects(a, complement(b));
}

/** True when the set holds every character. */
export function isAll(set: CharSet): boolean {
  return set.length === 1 && set[0]![0] === 0 && set[0]![1] === MAX_CHAR;
}

/** The word characters of `\b` and `\w` (ASCII; with `iu` two more, which only widens what is refused). */
export const WORD_CHARS = WORD;
/** Characters `^`/`$` treat as line ends with the `m` flag, and `.` never matches without `s`. */
export const LINE_ENDS = LINE_TERMINATORS;

// Case-insensitive matching widens a set: ASCII letters gain their other case; anything beyond ASCII
// is widened to every non-ASCII character plus the ASCII letters that fold to one (ſ→s, K→k).
function foldCase(set: CharSet): CharSet {
  const extra: [number, number][] = [];
  for (const [lo, hi] of set) {
    const a = Math.max(lo, 0x41);
    const b = Math.min(hi, 0x5a);
    if (a <= b) extra.push([a + 32, b + 32]);
    const c = Math.max(lo, 0x61);
    const d = Math.min(hi, 0x7a);
    if (c <= d) extra.push([c - 32, d - 32]);
  }
  const widened = union(set, extra);
  if (
    !intersects(widened, [[0x80, MAX_CHAR]]) &&
    !intersects(widened, [
      [0x4b, 0x4b],
      [0x53, 0x53],
      [0x6b, 0x6b],
      [0x73, 0x73],
    ])
  )
    return widened;
  return union(
    widened,
    [[0x80, MAX_CHAR]],
    [
      [0x4b, 0x4b],
      [0x53, 0x53],
      [0x6b, 0x6b],
      [0x73, 0x73],
    ],
  );
}

/** Parses `source` with `flags`; throws on syntax it does not know (the caller refuses the pattern). */
export function parseRegex(source: string, flags: string): RegexNode {
  const ignoreCase = flags.includes('i');
  const dotAll = flags.includes('s');
  const unicode = flags.includes('u');
  let pos = 0;
  const set = (s: CharSet): RegexNode => ({ t: 'set', set: ignoreCase ? foldCase(s) : s });
  const char = (c: number): CharSet => (c >= 0xd800 && c <= 0xdfff ? ALL : [[c, c]]);
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at ${pos}`);
  };

  const hex = (n: number): number => {
    const digits = source.slice(pos, pos + n);
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== n) return -1;
    pos += n;
    return parseInt(digits, 16);
  };

  // An escape after `\`, as a set (or a node for assertions and back-references outside classes).
  const escape = (inClass: boolean): CharSet | RegexNode => {
    const c = source[pos++] ?? fail('dangling \\');
    switch (c) {
      case 'd':
        return DIGIT;
      case 'D':
        return complement(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement(SPACE);
      case 't':
        return char(9);
      case 'n':
        return char(10);
      case 'v':
        return char(11);
      case 'f':
        return char(12);
      case 'r':
        return char(13);
      case 'p':
      case 'P':
        if (unicode && source[pos] === '{') {
          pos = source.indexOf('}', pos) + 1 || fail('bad \\p');
          return ALL;
        }
        return char(c.charCodeAt(0));
      case 'c': {
        const l = source[pos];
        if (l !== undefined && /[A-Za-z]/.test(l)) {
          pos++;
          return char(l.charCodeAt(0) % 32);
        }
        return union(char(0x5c), char(0x63));
      }
      case 'x': {
        const v = hex(2);
        return v < 0 ? char(0x78) : char(v);
      }
      case 'u': {
        if (source[pos] === '{' && unicode) {
          const end = source.indexOf('}', pos);
          pos = end + 1;
          return ALL;
        }
        const v = hex(4);
        return v < 0 ? char(0x75) : char(v);
      }
      case 'b':
        return inClass ? char(8) : { t: 'assert', kind: 'b' };
      case 'B':
        return inClass ? char(0x42) : { t: 'assert', kind: 'B' };
      case 'k':
        if (!inClass && source[pos] === '<') {
          pos = source.indexOf('>', pos) + 1 || fail('bad \\k');
          return { t: 'backref' };
        }
        return char(0x6b);
      case '0':
        if (!/[0-9]/.test(source[pos] ?? '')) return char(0);
        break;
      default:
        break;
    }
    if (/[1-9]/.test(c)) {
      // Outside a class a decimal escape is a back-reference (or, without such a group, an octal escape: refused too).
      if (!inClass) {
        while (/[0-9]/.test(source[pos] ?? '')) pos++;
        return { t: 'backref' };
      }
      return ALL;
    }
    const code = c.codePointAt(0)!;
    return char(code);
  };

  const classAtom = (): CharSet => {
    if (source[pos] === '\\') {
      pos++;
      return escape(true) as CharSet;
    }
    const code = source.charCodeAt(pos++);
    return char(code);
  };

  const parseClass = (): RegexNode => {
    const negated = source[pos] === '^';
    if (negated) pos++;
    const parts: CharSet[] = [];
    while (source[pos] !== ']') {
      if (pos >= source.length) fail('unterminated class');
      const from = classAtom();
      if (source[pos] === '-' && source[pos + 1] !== ']' && pos + 1 < source.length) {
        pos++;
        const to = classAtom();
        const single = (s: CharSet): number | undefined => (s.length === 1 && s[0]![0] === s[0]![1] ? s[0]![0] : undefined);
        const lo = single(from);
        const hi = single(to);
        parts.push(lo !== undefined && hi !== undefined && lo <= hi ? [[lo, hi]] : union(from, to, char(0x2d)));
      } else parts.push(from);
    }
    pos++;
    const s = union(...parts);
    // Folding before negating: `[^a]` with `i` excludes `A` too.
    const folded = ignoreCase ? foldCase(s) : s;
    return { t: 'set', set: negated ? complement(folded) : folded };
  };

  const quantifier = (): { min: number; max: number } | undefined => {
    const c = source[pos];
    if (c === '*') {
      pos++;
      return { min: 0, max: Infinity };
    }
    if (c === '+') {
      pos++;
      return { min: 1, max: Infinity };
    }
    if (c === '?') {
      pos++;
      return { min: 0, max: 1 };
    }
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(pos));
      if (m === null) return undefined;
      pos += m[0].length;
      const min = Number(m[1]);
      return { min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]) };
    }
    return undefined;
  };

  const atom = (): RegexNode => {
    const c = source[pos]!;
    if (c === '(') {
      pos++;
      let node: RegexNode;
      if (source.startsWith('?:', pos)) {
        pos += 2;
        node = disjunction();
      } else if (source.startsWith('?=', pos) || source.startsWith('?!', pos)) {
        const negative = source[pos + 1] === '!';
        pos += 2;
        node = { t: 'look', behind: false, negative, body: disjunction() };
      } else if (source.startsWith('?<=', pos) || source.startsWith('?<!', pos)) {
        const negative = source[pos + 2] === '!';
        pos += 3;
        node = { t: 'look', behind: true, negative, body: disjunction() };
      } else if (source.startsWith('?<', pos)) {
        pos = source.indexOf('>', pos) + 1 || fail('bad group name');
        node = disjunction();
      } else node = disjunction();
      if (source[pos] !== ')') fail('unterminated group');
      pos++;
      return node;
    }
    pos++;
    if (c === '.') return { t: 'set', set: dotAll ? ALL : complement(LINE_TERMINATORS) };
    if (c === '^') return { t: 'assert', kind: '^' };
    if (c === '$') return { t: 'assert', kind: '$' };
    if (c === '[') return parseClass();
    if (c === '\\') {
      const e = escape(false);
      return Array.isArray(e) ? set(e as CharSet) : (e as RegexNode);
    }
    const code = unicode ? source.codePointAt(pos - 1)! : c.charCodeAt(0);
    if (code > 0xffff) pos++;
    return set(char(code));
  };

  const alternative = (): RegexNode => {
    const items: RegexNode[] = [];
    while (pos < source.length && source[pos] !== '|' && source[pos] !== ')') {
      const a = atom();
      const q = quantifier();
      if (q === undefined) {
        items.push(a);
        continue;
      }
      if (source[pos] === '?') pos++; // lazy: the same work bound as greedy
      items.push({ t: 'rep', min: q.min, max: q.max, body: a });
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  };

  const disjunction = (): RegexNode => {
    const branches = [alternative()];
    while (source[pos] === '|') {
      pos++;
      branches.push(alternative());
    }
    return branches.length === 1 ? branches[0]! : { t: 'alt', branches };
  };

  const root = disjunction();
  if (pos !== source.length) fail('unbalanced )');
  return root;
}
