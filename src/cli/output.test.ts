import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorLevel, createColors, createOutput } from './output.js';
import { HoopError } from '../errors.js';

test('createColors writes the SGR pairs chalk wrote at level 1, nothing at level 0 or for empty text', () => {
  const on = createColors(1);
  const cases: [string, string][] = [
    [on.red('e'), '\x1b[31me\x1b[39m'],
    [on.yellow('h'), '\x1b[33mh\x1b[39m'],
    [on.green('ok'), '\x1b[32mok\x1b[39m'],
    [on.cyan('c'), '\x1b[36mc\x1b[39m'],
    [on.bold('b'), '\x1b[1mb\x1b[22m'],
    [on.red(''), ''],
  ];
  for (const [got, want] of cases) assert.equal(got, want);
  const off = createColors(0);
  assert.equal(`${off.red('e')}${off.bold('b')}`, 'eb');
});

test('printError is plain under NO_COLOR or without a TTY, coloured on a TTY', () => {
  const run = (env: NodeJS.ProcessEnv, isTTY: boolean): string => {
    let text = '';
    const stderr = {
      isTTY,
      write: (s: string) => {
        text += s;
      },
    };
    createOutput({ write: () => undefined }, stderr, env).printError(new HoopError('not_logged_in', 'not logged in', { hint: 'run hoopctl login' }));
    return text;
  };
  assert.equal(run({ NO_COLOR: '1' }, true), 'error: not logged in\nhint: run hoopctl login\n');
  assert.equal(run({}, false), 'error: not logged in\nhint: run hoopctl login\n');
  assert.equal(run({}, true), '\x1b[31merror:\x1b[39m not logged in\n\x1b[33mhint:\x1b[39m run hoopctl login\n');
  assert.equal(colorLevel({ write: () => undefined, isTTY: false }, { FORCE_COLOR: '1' }), 1);
});
