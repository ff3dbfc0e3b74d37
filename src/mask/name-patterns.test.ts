import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileNamePatterns } from './name-patterns.js';

// What the globs compiled to before: one anchored regex, `*` as `.*`, flags `is` (quadratic with several stars).
function referenceMatcher(globs: readonly string[]): (name: string) => boolean {
  const alternatives = globs.map((g) =>
    g
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
      .join('.*'),
  );
  const re = new RegExp(`^(?:${alternatives.join('|')})$`, 'is');
  return (name) => re.test(name);
}

test('name globs: the same answers as the anchored case-insensitive regex (fast-check, fixed seed)', () => {
  // Characters whose case folding differs between ASCII, Unicode and JavaScript's `i` flag.
  const ch = fc.constantFrom('a', 'A', 'b', '.', '-', '_', 's', 'S', 'ſ', 'k', 'K', 'K', 'ß', 'i', 'İ', 'ı', 'é', 'É', '\n', '$');
  const word = (max: number) => fc.array(ch, { maxLength: max }).map((a) => a.join(''));
  const glob = fc
    .array(fc.oneof(word(4), fc.constant('*')), { minLength: 1, maxLength: 5 })
    .map((a) => a.join(''))
    .filter((g) => g !== '');
  fc.assert(
    fc.property(fc.array(glob, { minLength: 1, maxLength: 3 }), word(12), (globs, name) => {
      assert.equal(compileNamePatterns(globs).matches(name), referenceMatcher(globs)(name), `${JSON.stringify(globs)} ${JSON.stringify(name)}`);
    }),
    { seed: 1313, numRuns: 5000 },
  );
});

test('name globs: many stars against a long name that almost matches', () => {
  const p = compileNamePatterns(['*a*a*a*a*a*b*', '*password*']);
  const name = 'a'.repeat(20_000);
  assert.equal(p.matches(name), false);
  assert.equal(p.matches(`${name}b`), true);
  assert.equal(p.matches(`x${name}PassWord`), true);
});
