// No import cycles among src's modules (STYLE.md), `import type` included: a type-only cycle still ties two modules
// into one unit (neither can move, be read or be tested alone), it is only erased from the emitted JavaScript. The other layering rules (pure modules import no I/O and read
// no clock, use cases import edges only as types, src never imports test/) are lint rules: see eslint.config.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

interface Imp {
  spec: string;
  typeOnly: boolean;
}
function importsIn(src: string): Imp[] {
  const out: Imp[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  for (const m of src.matchAll(re)) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (spec !== undefined) out.push({ spec, typeOnly: m[2] !== undefined });
  }
  return out;
}

const importsOf = (file: string): Imp[] => importsIn(readFileSync(file, 'utf8'));

const files = walk(join(root, 'src'));

function cyclesOf(typeOnlyToo: boolean): string[] {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps = importsOf(f)
      .filter((i) => (typeOnlyToo || !i.typeOnly) && i.spec.startsWith('.'))
      .map((i) => resolve(dirname(f), i.spec).replace(/\.js$/, '.ts'));
    graph.set(f, deps);
  }
  const state = new Map<string, 1 | 2>();
  const cycles: string[] = [];
  const visit = (n: string, stack: string[]): void => {
    if (state.get(n) === 2) return;
    if (state.get(n) === 1) {
      cycles.push([...stack.slice(stack.indexOf(n)), n].map((p) => relative(root, p)).join(' → '));
      return;
    }
    state.set(n, 1);
    for (const d of graph.get(n) ?? []) visit(d, [...stack, n]);
    state.set(n, 2);
  };
  for (const f of files) visit(f, []);
  return cycles;
}

test('no import cycles among value imports', () => {
  assert.deepEqual(cyclesOf(false), []);
});

test('no import cycles, counting `import type` and `export type … from` too', () => {
  assert.deepEqual(cyclesOf(true), []);
});

test('import lines are read with their kind: value, type-only, re-export, dynamic', () => {
  // The graphs above are only as good as this reading.
  const src = [
    "import { a, type B } from './a.js';",
    "import type { C } from './c.js';",
    'import type {\n  D,\n  E,\n} from "./d.js";',
    "export type { F } from './f.js';",
    "export { g } from './g.js';",
    "const h = await import('./h.js');",
    "import 'side-effect-only';",
  ].join('\n');
  assert.deepEqual(importsIn(src), [
    { spec: './a.js', typeOnly: false },
    { spec: './c.js', typeOnly: true },
    { spec: './d.js', typeOnly: true },
    { spec: './f.js', typeOnly: true },
    { spec: './g.js', typeOnly: false },
    { spec: './h.js', typeOnly: false },
    { spec: 'side-effect-only', typeOnly: false },
  ]);
});
