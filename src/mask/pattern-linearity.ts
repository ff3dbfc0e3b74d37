/**
 * Decides whether a masking regex runs in time linear in its input on V8's backtracking engine,
 * as masking runs it: a global search that tries every start position (DESIGN.md invariant 2).
 *
 * V8's own linear engine (`--enable-experimental-regexp-engine`, flag `l`) was measured on this
 * Node 20 (V8 11.3) and set aside: it refuses the `i` and `u` flags and counted repetition such as
 * `{40}`, and ran at 0.2–0.9 MiB/s where the backtracking engine runs at 50–140 MiB/s
 * (bench/README.md, "Masking throughput"). So patterns are checked instead, by a sufficient rule:
 *
 * - no back-reference; configured patterns also have no look-around;
 * - every repetition without an upper bound (or with one above MAX_COUNT) repeats one character
 *   class C, and is either *terminal* — nothing after it can fail (`[a-z]+` ending the pattern,
 *   `=*` after it), or C is every character and the rest can match at the end of the input — or
 *   *fenced*: between it and the previous unbounded repetition (or the start) the pattern always
 *   consumes a character outside C (`corp-[a-z]+`: the `-`), or asserts one there (`^`, `\b`,
 *   `(?<![A-Za-z])`). A fenced run then starts right after a character that cannot be in it, so the
 *   runs scanned from different start positions barely overlap and each character is scanned a
 *   bounded number of times; a terminal run always ends a match, which consumes what it scanned;
 * - what is bounded may backtrack at most MAX_PATHS ways per start position.
 *
 * A look-behind whose body is unbounded (built-in patterns only) is read backwards from the
 * position it is tested at, with the same rule; the look-ahead before it (`(?=[^\s"'])`) is its
 * fence, so it is only tested where a value can start rather than inside every run of spaces.
 */
import { intersects, isAll, isSubset, LINE_ENDS, parseRegex, WORD_CHARS, type CharSet, type RegexNode } from './regex-syntax.js';

/** Counts above this are treated as unbounded (`{1,100000}` costs as much as `+`). */
export const MAX_COUNT = 1000;
/** Largest number of ways the bounded parts of one pattern may be matched from one start position. */
export const MAX_PATHS = 10_000;
const MAX_EXPANSIONS = 256;

/** What the check may accept: look-arounds are for the built-in patterns, which are reviewed with their proof. */
export interface LinearityOptions {
  lookarounds?: boolean;
}

class NotLinear extends Error {}

type Rep = Extract<RegexNode, { t: 'rep' }>;
const isLoop = (n: RegexNode): boolean => n.t === 'rep' && n.max > MAX_COUNT;
const zeroWidth = (n: RegexNode): boolean => n.t === 'assert' || n.t === 'look';

function unbounded(n: RegexNode): boolean {
  switch (n.t) {
    case 'rep':
      return n.max > MAX_COUNT || unbounded(n.body);
    case 'seq':
      return n.items.some(unbounded);
    case 'alt':
      return n.branches.some(unbounded);
    case 'look':
      return unbounded(n.body);
    default:
      return false;
  }
}

function minLen(n: RegexNode): number {
  switch (n.t) {
    case 'set':
      return 1;
    case 'seq':
      return n.items.reduce((s, i) => s + minLen(i), 0);
    case 'alt':
      return Math.min(...n.branches.map(minLen));
    case 'rep':
      return n.min * minLen(n.body);
    default:
      return 0;
  }
}

function chars(n: RegexNode): CharSet {
  switch (n.t) {
    case 'set':
      return n.set;
    case 'seq':
      return n.items.reduce<CharSet>((s, i) => [...s, ...chars(i)], []);
    case 'alt':
      return n.branches.reduce<CharSet>((s, b) => [...s, ...chars(b)], []);
    case 'rep':
      return chars(n.body);
    default:
      return [];
  }
}

// An upper bound of the ways a bounded node can be matched (what backtracking may try).
function paths(n: RegexNode): number {
  const cap = (x: number): number => Math.min(x, 1e12);
  switch (n.t) {
    case 'seq':
      return cap(n.items.reduce((p, i) => p * paths(i), 1));
    case 'alt':
      return cap(n.branches.reduce((p, b) => p + paths(b), 0));
    case 'rep': {
      if (isLoop(n)) return 1;
      const b = paths(n.body);
      let total = 0;
      for (let k = n.min; k <= n.max && total < 1e12; k++) total += b ** k;
      return cap(total);
    }
    case 'look':
      return unbounded(n.body) ? 1 : paths(n.body);
    default:
      return 1;
  }
}

const alwaysEmpty = (n: RegexNode): boolean =>
  (n.t === 'rep' && (n.min === 0 || alwaysEmpty(n.body))) || (n.t === 'seq' && n.items.every(alwaysEmpty)) || (n.t === 'alt' && n.branches.some(alwaysEmpty));
const emptyAtEnd = (n: RegexNode): boolean =>
  alwaysEmpty(n) ||
  (n.t === 'assert' && n.kind === '$') ||
  (n.t === 'seq' && n.items.every(emptyAtEnd)) ||
  (n.t === 'alt' && n.branches.some(emptyAtEnd)) ||
  (n.t === 'rep' && emptyAtEnd(n.body));

const show = (n: Rep): string => (n.min === 0 ? '*' : n.min === 1 ? '+' : `{${n.min},}`);

// The sequences a pattern can take: alternations holding an unbounded repetition are multiplied out.
function expand(n: RegexNode): RegexNode[][] {
  if (!unbounded(n)) return [[n]];
  switch (n.t) {
    case 'seq': {
      let out: RegexNode[][] = [[]];
      for (const item of n.items) {
        const next: RegexNode[][] = [];
        for (const tail of expand(item)) for (const head of out) next.push([...head, ...tail]);
        if (next.length > MAX_EXPANSIONS) throw new NotLinear('too many alternatives around unbounded repetitions');
        out = next;
      }
      return out;
    }
    case 'alt':
      return n.branches.flatMap(expand);
    case 'rep':
      if (n.max <= MAX_COUNT) throw new NotLinear('an unbounded repetition inside a repeated group');
      if (n.body.t !== 'set') throw new NotLinear(`a group repeated without bound (${show(n)}): repeat one character class instead`);
      return [[n]];
    case 'look':
      if (!n.behind) throw new NotLinear('a look-ahead with an unbounded repetition');
      return [[n]];
    default:
      return [[n]];
  }
}

type Direction = 'forward' | 'backward';

// True when, between `items[k]` and the previous unbounded repetition, something rules out that the run starts inside a longer one.
// Walking back, a repetition whose characters exclude the one just before the run (`:` in `//[^:@]*:[^@]+`) is passed:
// two runs that overlapped would need it to cover that character.
function fenced(items: readonly RegexNode[], k: number, c: CharSet, dir: Direction, multiline: boolean): boolean {
  let adjacent = true;
  let before: CharSet | undefined;
  for (let j = k - 1; j >= 0; j--) {
    const it = items[j]!;
    if (it.t === 'rep' && isLoop(it)) {
      const own = chars(it);
      if (intersects(own, c) && (before === undefined || intersects(own, before))) return false;
      if (!intersects(own, c) && it.min >= 1) return true;
    } else if (it.t === 'assert') {
      const edge = dir === 'forward' ? '^' : '$';
      if (it.kind === edge && (!multiline || !intersects(c, LINE_ENDS))) return true;
      if (it.kind === 'b' && adjacent && (isSubset(c, WORD_CHARS) || !intersects(c, WORD_CHARS))) return true;
    } else if (it.t === 'look') {
      // A one-character look on the far side of the run: `(?<![A-Za-z])` before it, `(?=[^\s])` after it (read backwards).
      if (it.behind === (dir === 'forward') && it.body.t === 'set') {
        if (it.negative ? isSubset(c, it.body.set) : !intersects(it.body.set, c)) return true;
      }
    } else if (minLen(it) >= 1 && !intersects(chars(it), c)) return true;
    if (!zeroWidth(it)) {
      if (adjacent && !isLoop(it) && minLen(it) >= 1) before = chars(it);
      adjacent = false;
    }
  }
  return false;
}

// A positive look-behind holds what precedes its position: for the walk above it reads as those characters.
function inlineLookBehinds(items: readonly RegexNode[]): RegexNode[] {
  return items.flatMap((it) => {
    if (it.t !== 'look' || !it.behind || it.negative) return [it];
    const seqs = expand(it.body);
    return seqs.length === 1 ? [...seqs[0]!, it] : [it];
  });
}

function reversed(n: RegexNode): RegexNode {
  if (n.t === 'seq') return { t: 'seq', items: n.items.map(reversed).reverse() };
  if (n.t === 'alt') return { t: 'alt', branches: n.branches.map(reversed) };
  if (n.t === 'rep') return { ...n, body: reversed(n.body) };
  return n;
}

function checkSequences(root: RegexNode, dir: Direction, multiline: boolean, guards: readonly RegexNode[]): void {
  const sequences = expand(root).map((s) => [...guards, ...s]);
  const terminal = new Set<RegexNode>();
  for (const items of sequences) {
    items.forEach((it, k) => {
      if (it.t !== 'rep' || !isLoop(it)) return;
      const rest = items.slice(k + 1);
      if (rest.every(alwaysEmpty) || (dir === 'forward' && isAll(chars(it)) && rest.every(emptyAtEnd))) terminal.add(it);
    });
  }
  for (const items of sequences) {
    let budget = 1;
    items.forEach((it, k) => {
      budget *= paths(it);
      if (budget > MAX_PATHS)
        throw new NotLinear(`its bounded parts can be matched more than ${MAX_PATHS} ways from one position (use fewer or narrower {m,n} ranges)`);
      if (it.t === 'look' && it.behind && unbounded(it.body)) {
        if (dir === 'backward' || items.slice(0, k).some((p) => !zeroWidth(p))) throw new NotLinear('an unbounded look-behind after other parts');
        const ahead = items.slice(0, k).filter((p) => p.t === 'look' && !p.behind);
        checkSequences(reversed(it.body), 'backward', multiline, ahead);
        return;
      }
      if (it.t !== 'rep' || !isLoop(it) || terminal.has(it)) return;
      const walk = dir === 'forward' ? inlineLookBehinds(items.slice(0, k)) : items.slice(0, k);
      if (!fenced([...walk, it], walk.length, chars(it), dir, multiline)) {
        throw new NotLinear(
          `a repetition (${show(it)}) can start anywhere inside a long run of the characters it repeats; ` +
            'put a character it cannot match before it (a literal, or ^ or \\b) or bound it, like {1,64}',
        );
      }
    });
  }
}

function forbidden(n: RegexNode, lookarounds: boolean): string | undefined {
  switch (n.t) {
    case 'backref':
      return 'back-reference';
    case 'look':
      return lookarounds ? forbidden(n.body, lookarounds) : n.behind ? 'look-behind' : 'look-ahead';
    case 'seq':
      return n.items.map((i) => forbidden(i, lookarounds)).find((x) => x !== undefined);
    case 'alt':
      return n.branches.map((b) => forbidden(b, lookarounds)).find((x) => x !== undefined);
    case 'rep':
      return forbidden(n.body, lookarounds);
    default:
      return undefined;
  }
}

/**
 * Why `source` (with `flags`, as `new RegExp` accepted them) may take more than linear time, as
 * `not linear-time (<reason>)`; undefined when the rule above proves it linear.
 */
export function linearTimeProblem(source: string, flags: string, options: LinearityOptions = {}): string | undefined {
  let root: RegexNode;
  try {
    root = parseRegex(source, flags);
  } catch (e) {
    return `not linear-time (cannot be analysed: ${(e as Error).message})`;
  }
  const bad = forbidden(root, options.lookarounds === true);
  if (bad !== undefined) return `not linear-time (${bad})`;
  try {
    checkSequences(root, 'forward', flags.includes('m'), []);
  } catch (e) {
    if (e instanceof NotLinear) return `not linear-time (${e.message})`;
    throw e;
  }
  return undefined;
}
