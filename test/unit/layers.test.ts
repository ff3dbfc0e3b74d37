// Keeps STYLE.md's layering true by rule rather than review: pure modules stay pure, no import cycles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const PURE = ['kube', 'policy', 'mask', 'audit', 'credential'];
const PURE_FORBIDDEN_NODE = /^node:(fs|fs\/promises|net|http|https|http2|child_process|dgram|tls|os|worker_threads)$/;
const PURE_ALLOWED_PACKAGES = new Set(['yaml', 'zod', 'jose']);

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
const layerOf = (f: string): string => relative(join(root, 'src'), f).split('/')[0] ?? '';

test('pure modules import no I/O and read no clock', () => {
  const problems: string[] = [];
  for (const f of files) {
    if (!PURE.includes(layerOf(f))) continue;
    const rel = relative(root, f);
    for (const { spec } of importsOf(f)) {
      if (PURE_FORBIDDEN_NODE.test(spec)) problems.push(`${rel}: imports ${spec}`);
      else if (spec.startsWith('.')) {
        const target = resolve(dirname(f), spec);
        const layer = relative(join(root, 'src'), target).split('/')[0] ?? '';
        if (!PURE.includes(layer) && !['errors.js', 'errors.ts'].includes(layer) && !target.endsWith('/gateway/api.js'))
          problems.push(`${rel}: imports ${spec} (layer ${layer} is not pure)`);
      } else if (!spec.startsWith('node:') && !PURE_ALLOWED_PACKAGES.has(spec)) problems.push(`${rel}: imports package ${spec}`);
    }
    const src = readFileSync(f, 'utf8');
    if (/\bDate\.now\(\)|new Date\(\)|Math\.random\(\)/.test(src)) problems.push(`${rel}: reads the clock or randomness; pass it in`);
  }
  assert.deepEqual(problems, []);
});

test('src never imports from test/', () => {
  const problems = files.flatMap((f) =>
    importsOf(f)
      .filter(({ spec }) => spec.startsWith('.') && resolve(dirname(f), spec).startsWith(join(root, 'test')))
      .map(({ spec }) => `${relative(root, f)}: imports ${spec}`));
  // The CLI's quickstart loads the simulated cluster by a computed path at run time, on purpose (see cmd-quickstart.ts).
  assert.deepEqual(problems, []);
});

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
