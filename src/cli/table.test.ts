import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createColors } from './output.js';
import { COLUMN_GAP, renderTable, textWidth, type Column } from './table.js';

const COLUMNS: Column[] = [{ header: 'NAME' }, { header: 'STATUS' }, { header: 'REASON', truncate: true }];
const LONG = 'the on-call engineer needs to restart the ingress controller after the certificate rotation went wrong';
const ROWS = [
  ['web-1', 'active', 'INC-1'],
  ['db-primary-0', 'pending', LONG],
];

test('renderTable: a header, columns three spaces apart, the last column unpadded, no trailing blanks', () => {
  const lines = renderTable(COLUMNS, [
    ['web-1', 'active', ''],
    ['db-primary-0', 'pending', 'INC-1'],
  ]);
  assert.deepEqual(lines, ['NAME           STATUS    REASON', 'web-1          active', 'db-primary-0   pending   INC-1']);
  assert.equal(COLUMN_GAP, '   ');
});

test('renderTable at 80 columns: the free-text column is cut with an ellipsis, every line fits, other cells stay whole', () => {
  const lines = renderTable(COLUMNS, ROWS, { width: 80 });
  for (const l of lines) assert.ok(textWidth(l) <= 80, `${textWidth(l)}: ${l}`);
  assert.equal(textWidth(lines[2]!), 80, 'the cut row uses the whole width');
  assert.ok(lines[2]!.endsWith('…'));
  assert.ok(lines[2]!.startsWith('db-primary-0   pending   the on-call engineer'));
  assert.equal(lines[1], 'web-1          active    INC-1', 'short rows are not touched');
});

test('renderTable without a width (not a terminal): nothing is cut', () => {
  const lines = renderTable(COLUMNS, ROWS);
  assert.ok(lines[2]!.endsWith(LONG));
  assert.ok(textWidth(lines[2]!) > 80);
});

test('renderTable: the widest free-text column is cut first, and no column below its floor', () => {
  const cols: Column[] = [{ header: 'ID' }, { header: 'WHAT', truncate: true }, { header: 'WHY', truncate: true }];
  const what = 'w'.repeat(30);
  const why = 'y'.repeat(60);
  const [, row] = renderTable(cols, [['a', what, why]], { width: 80 });
  // 2 (the header ID) + 3 + 30 + 3 + 42 = 80: only WHY (the widest) was cut.
  assert.equal(row, `a    ${what}   ${'y'.repeat(41)}…`);
  const [, narrow] = renderTable(cols, [['a', what, why]], { width: 40 });
  assert.equal(textWidth(narrow!), 40);
  assert.match(narrow!, /^a {4}w{15}… {3}y{15}…$/, 'both were cut, evenly');
  // Ids and times never are: when only they remain the row is longer than the width (it wraps, as kubectl's does).
  const [, tooWide] = renderTable([{ header: 'ID' }, { header: 'NOTE', truncate: true }], [['x'.repeat(50), 'n'.repeat(40)]], { width: 30 });
  assert.equal(tooWide, `${'x'.repeat(50)}   nnnnnnn…`);
});

test('renderTable: colour codes do not count toward widths; a newline in free text does not break the row', () => {
  const red = createColors(1).red;
  const cols: Column[] = [{ header: 'DECISION', paint: (t) => (t === 'deny' ? red(t) : t) }, { header: 'WHAT' }];
  const lines = renderTable(cols, [
    ['deny', 'delete namespaces'],
    ['allow', 'line one\nline two'],
  ]);
  assert.equal(lines[1], `${red('deny')}       delete namespaces`);
  assert.equal(lines[2], 'allow      line one line two');
  assert.equal(renderTable(cols, [['deny', 'x']])[0], 'DECISION   WHAT', 'headers are not painted');
});
