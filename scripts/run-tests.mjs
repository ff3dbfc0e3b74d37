#!/usr/bin/env node
// Lists the test files itself: node:test on Node 20 does not expand quoted globs or find .ts files.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const which = process.argv[2] ?? 'all';
const roots = { unit: ['src', 'test/unit', 'test/support'], integration: ['test/integration'], e2e: ['test/e2e'] };
const wanted = which === 'all' ? [...roots.unit, ...roots.integration, ...roots.e2e] : roots[which];
if (!wanted) {
  console.error(`usage: run-tests.mjs [unit|integration|e2e|all]`);
  process.exit(2);
}

function walk(dir, out) {
  let entries;
  try { entries = readdirSync(dir); } catch { return out; }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const files = wanted.flatMap((d) => walk(d, [])).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const extra = process.env.TEST_ONLY ? files.filter((f) => f.includes(process.env.TEST_ONLY)) : files;
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...extra], { stdio: 'inherit' });
process.exit(r.status ?? 1);
