import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { linearTimeProblem } from './pattern-linearity.js';
import { parseRegex, WORD_CHARS, type CharSet, type RegexNode } from './regex-syntax.js';

/** Patterns a policy may well add, all accepted. */
const accepted: [string, string][] = [
  ['acme_[0-9a-f]{32}', ''],
  ['corp-[a-z]+-key', 'i'],
  ['sk_live_[0-9a-zA-Z]{24,}', ''],
  ['\\bxoxb-[0-9]+-[0-9]+-[A-Za-z0-9]+', ''],
  ['\\b[A-Z0-9]{20}\\b', ''],
  ['^[a-z]+x', ''],
  ['(?:AKIA|ASIA)[A-Z0-9]{16}', ''],
  ['secret:[^\\s]+', 'i'],
  ['BEGIN SECRET[\\s\\S]*', ''],
  ['(?<name>tok)_[a-f0-9]{8,64}', ''],
  ['a[0-9]+[a-z]+x', ''],
  ['x{1,5000}', ''],
  ['https://[^/\\s]+/hook/[A-Za-z0-9]+', ''],
];

/** [pattern, flags, the reason after "not linear-time ("] */
const refused: [string, string, RegExp][] = [
  ['(?<=password=)\\S+', '', /^look-behind\)$/],
  ['(?<!x)abc', '', /^look-behind\)$/],
  ['abc(?=x)', '', /^look-ahead\)$/],
  ['abc(?!x)', '', /^look-ahead\)$/],
  ['(a)\\1', '', /^back-reference\)$/],
  ['(?<q>["\'])x\\k<q>', '', /^back-reference\)$/],
  ['(a+)+b', '', /^a group repeated without bound \(\+\)/],
  ['x(?:ab|cd)*y', '', /^a group repeated without bound \(\*\)/],
  ['(?:x[a-z]+){2}', '', /^an unbounded repetition inside a repeated group\)$/],
  ['[a-z]+-key', '', /^a repetition \(\+\) can start anywhere/],
  ['foo.*bar', '', /^a repetition \(\*\) can start anywhere/],
  ['a[a-z]+[a-z]+x', '', /^a repetition \(\+\) can start anywhere/],
  ['[ \\t]+=[ \\t]*x', '', /^a repetition \(\+\) can start anywhere/],
  ['(?:a|b){1,100}', '', /^its bounded parts can be matched more than 10000 ways/],
  ['[0-9]{1,1000}[a-z]{1,1000}', '', /^its bounded parts can be matched more than 10000 ways/],
];

test('linearTimeProblem: realistic policy patterns are accepted', () => {
  for (const [source, flags] of accepted) assert.equal(linearTimeProblem(source, flags), undefined, source);
});

test('linearTimeProblem: each kind of pattern that is not linear-time is refused with its reason', () => {
  for (const [source, flags, reason] of refused) {
    const problem = linearTimeProblem(source, flags);
    assert.ok(problem?.startsWith('not linear-time ('), `${source}: ${problem}`);
    assert.match(problem!.slice('not linear-time ('.length), reason, source);
  }
});

// A backtracking matcher with V8's order of attempts (greedy repetitions, alternatives left to right,
// a global search from every start), counting its steps: the cost model the checker reasons about.
function countSteps(root: RegexNode, text: string, multiline: boolean): number {
  let steps = 0;
  const inSet = (set: CharSet, c: number): boolean => set.some(([lo, hi]) => c >= lo && c <= hi);
  const isWord = (p: number): boolean => p >= 0 && p < text.length && inSet(WORD_CHARS, text.charCodeAt(p));
  const m = (n: RegexNode, p: number, k: (q: number) => boolean): boolean => {
    steps++;
    switch (n.t) {
      case 'set':
        return p < text.length && inSet(n.set, text.charCodeAt(p)) && k(p + 1);
      case 'seq': {
        const go = (i: number, q: number): boolean => (i === n.items.length ? k(q) : m(n.items[i]!, q, (r) => go(i + 1, r)));
        return go(0, p);
      }
      case 'alt':
        return n.branches.some((b) => m(b, p, k));
      case 'rep': {
        const loop = (count: number, q: number): boolean =>
          (count < n.max && m(n.body, q, (r) => (r === q ? false : loop(count + 1, r)))) || (count >= n.min && k(q));
        return loop(0, p);
      }
      case 'assert':
        if (n.kind === '^') return (p === 0 || (multiline && text[p - 1] === '\n')) && k(p);
        if (n.kind === '$') return (p === text.length || (multiline && text[p] === '\n')) && k(p);
        return (isWord(p - 1) !== isWord(p)) === (n.kind === 'b') && k(p);
      default:
        throw new Error(`no look-arounds here: ${n.t}`);
    }
  };
  for (let start = 0; start <= text.length;) {
    let end = -1;
    m(root, start, (q) => {
      end = q;
      return true;
    });
    start = end > start ? end : start + 1;
  }
  return steps;
}

const growth = (source: string, flags: string, unit: string): number => {
  const root = parseRegex(source, flags);
  // Whole units only: a text cut inside one could match at one length and not at the other.
  const at = (times: number): number => countSteps(root, unit.repeat(times), flags.includes('m'));
  return at(160) / Math.max(at(40), 1);
};
const UNITS = ['a', 'x', '-', ' ', '0', 'ab', 'a-', 'xa', 'a0-', 'ax-', '0a', 'tok_', '\n', '-x0 ab'];

test('the step counter sees quadratic patterns (so the property below can fail)', () => {
  assert.ok(growth('[a-z]+-key', '', 'a') > 10);
  assert.ok(growth('a[a-z]+[a-z]+x', '', 'a') > 10);
  assert.ok(growth('foo.*bar', '', 'foo') > 10);
  assert.ok(growth('corp-[a-z]+-key', '', 'corp-') < 5);
});

// Small patterns from the pieces that matter: literals, classes that overlap them, every kind of repetition, groups.
const ATOMS = ['a', 'x', '-', '0', ' ', '[a-z]', '[0-9]', '[a-z0-9]', '[^-]', '\\s', '\\S', '.', '\\w', '(?:a|x)', '(?:ab|a)', '[ax-]'];
const QUANTS = ['', '', '+', '*', '?', '{2}', '{1,3}', '{2,}', '+?'];
const ANCHORS = ['', '^', '\\b'];
const pattern = fc
  .tuple(
    fc.constantFrom(...ANCHORS),
    fc.array(fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom(...QUANTS)), { minLength: 1, maxLength: 5 }),
    fc.constantFrom('', '$'),
    fc.constantFrom('', 'i', 'm', 's'),
  )
  .map(([a, items, end, flags]) => ({ source: `${a}${items.map(([x, q]) => x + q).join('')}${end}`, flags }));

test('property (fast-check, fixed seed): every pattern the checker accepts takes steps linear in its input', () => {
  let accepted = 0;
  fc.assert(
    fc.property(pattern, ({ source, flags }) => {
      try {
        new RegExp(source, flags);
      } catch {
        return;
      }
      if (linearTimeProblem(source, flags) !== undefined) return;
      accepted++;
      for (const unit of UNITS) assert.ok(growth(source, flags, unit) < 6, `/${source}/${flags} on ${JSON.stringify(unit)}: ${growth(source, flags, unit)}`);
    }),
    { seed: 20240613, numRuns: 250 },
  );
  assert.ok(accepted > 60, `only ${accepted} patterns were accepted: the property tested too little`);
});
