import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { shellQuote } from './shell-quote.js';

const CASES: [string[], string][] = [
  [['sh', '-c', 'echo "a b"'], `sh -c 'echo "a b"'`],
  [['ls', '-la', '/tmp'], 'ls -la /tmp'],
  [['echo', "it's"], `echo 'it'\\''s'`],
  [['printf', ''], `printf ''`],
  [['env', 'A=1', 'x$HOME', 'a*', '~', 'a\nb'], `env A=1 'x$HOME' 'a*' '~' 'a\nb'`],
];

test('shellQuote: each argument quoted only when a shell would otherwise change it', () => {
  for (const [argv, want] of CASES) assert.equal(shellQuote(argv), want, JSON.stringify(argv));
});

test('shellQuote: a real sh reads the quoted line back into the same argv', () => {
  for (const [argv] of CASES) {
    // printf prints each argument NUL-terminated: what sh parsed, byte for byte.
    const r = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${shellQuote(argv)}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), argv, JSON.stringify(argv));
  }
});
