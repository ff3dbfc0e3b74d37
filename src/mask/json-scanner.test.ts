/** The shared JSON scanner: the tokens of a text are the same however it is split into chunks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createJsonScanner, SCAN_END, SCAN_STRING_END } from './json-scanner.js';

/** Tokens as [text index, token, depth after it], scanning `text` cut into the given chunk sizes. */
function tokens(text: string, sizes: number[]): string[] {
  const scanner = createJsonScanner();
  const out: string[] = [];
  let base = 0;
  for (let k = 0; base < text.length; k++) {
    const chunk = text.slice(base, base + sizes[k % sizes.length]!);
    scanner.feed(chunk);
    for (let c = scanner.next(); c !== SCAN_END; c = scanner.next()) {
      out.push(`${base + scanner.at()}:${c === SCAN_STRING_END ? 'end"' : String.fromCharCode(c)}:${scanner.depth()}`);
    }
    base += chunk.length;
  }
  out.push(`inString=${scanner.inString()}`);
  return out;
}

const cases: { name: string; text: string; want: string[] }[] = [
  {
    name: 'structure outside strings, white space skipped',
    text: ' { "a" : [1, true] }\n',
    want: ['1:{:1', '3:":1', '5:end":1', '7:::1', '9:[:2', '10:1:2', '11:,:2', '13:t:2', '14:r:2', '15:u:2', '16:e:2', '17:]:1', '19:}:0', 'inString=false'],
  },
  {
    name: 'brackets, commas and colons inside a string are content',
    text: '{"k":"{[,:]}"}',
    want: ['0:{:1', '1:":1', '3:end":1', '4:::1', '5:":1', '12:end":1', '13:}:0', 'inString=false'],
  },
  {
    name: 'an escaped quote does not end a string; an escaped backslash does not escape the quote after it',
    text: '["a\\"b","c\\\\"]',
    want: ['0:[:1', '1:":1', '6:end":1', '7:,:1', '8:":1', '12:end":1', '13:]:0', 'inString=false'],
  },
  {
    name: 'an odd run of backslashes escapes, an even run does not',
    text: '["\\\\\\"x\\\\\\\\"]',
    want: ['0:[:1', '1:":1', '11:end":1', '12:]:0', 'inString=false'],
  },
  { name: 'an unterminated string is still open at the end', text: '{"a":"b\\"', want: ['0:{:1', '1:":1', '3:end":1', '4:::1', '5:":1', 'inString=true'] },
];

for (const { name, text, want } of cases) {
  test(`json scanner: ${name}, in one chunk and in every split`, () => {
    assert.deepEqual(tokens(text, [text.length]), want);
    for (const size of [1, 2, 3, 5]) assert.deepEqual(tokens(text, [size]), want, `chunks of ${size}`);
    for (let cut = 1; cut < text.length; cut++) assert.deepEqual(tokens(text, [cut, text.length]), want, `cut at ${cut}`);
  });
}
