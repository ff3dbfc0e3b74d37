// No import cycles among src's value imports (STYLE.md). The other layering rules (pure modules import no I/O and read
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

interface Imp { spec: string; typeOnly: boolean }
function importsOf(file: string): Imp[] {
  const src = readFileSync(file, 'utf8');
  const out: Imp[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of src.matchAll(re)) {
    const spec = m[3] ?? m[4];
    if (spec !== undefined) out.push({ spec, typeOnly: m[2] !== undefined });
  }
  return out;
}

const files = walk(join(root, 'src'));

test('no import cycles among value imports', () => {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps = importsOf(f)
      .filter((i) => !i.typeOnly && i.spec.startsWith('.'))
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
  assert.deepEqual(cycles, []);
});
