// The runner's skip list: Node 20's summary leaves out a skipped `describe`, so the reporter must name it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const reporter = resolve(import.meta.dirname, '../../scripts/skip-reporter.mjs');

test('skip-reporter lists skipped suites and tests with their reasons, and nothing that ran', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hoopctl-skip-reporter-'));
  try {
    const file = join(dir, 'sample.test.mjs');
    await writeFile(
      file,
      [
        "import { describe, test } from 'node:test';",
        "describe('whole suite', { skip: 'no kubectl here' }, () => { test('inner', () => {}); });",
        "describe('ran', () => { test('passes', () => {}); test('gated', { skip: 'needs kubectl >= 1.28' }, () => {}); });",
        "test('bare skip', { skip: true }, () => {});",
      ].join('\n'),
    );
    const out = join(dir, 'skips.jsonl');
    // Without NODE_TEST_CONTEXT the child is a run of its own (with it, it reports to us and ignores its reporters).
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const r = spawnSync(process.execPath, ['--test', `--test-reporter=${reporter}`, `--test-reporter-destination=${out}`, file], { encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    const skips = (await readFile(out, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { name: string; reason: string; suite: boolean });
    assert.deepEqual(
      skips.map(({ name, reason, suite }) => ({ name, reason, suite })),
      [
        { name: 'whole suite', reason: 'no kubectl here', suite: true },
        { name: 'gated', reason: 'needs kubectl >= 1.28', suite: false },
        { name: 'bare skip', reason: '', suite: false },
      ],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
