/**
 * Tables as kubectl prints them: a header row, columns separated by three spaces, the last column not
 * padded. Given a width (a terminal's), a row that would not fit is narrowed by cutting the widest of the
 * columns marked `truncate` (free text: reasons, request paths, rules) with an ellipsis, never by
 * wrapping; without a width (output to a pipe or file) nothing is cut, so scripts and logs keep every byte.
 */

/** One column. */
export interface Column {
  header: string;
  /** Free text that may be cut with `…` to fit the width (ids, names and times are never cut). */
  truncate?: boolean;
  /** Colours a cell's text (after its width is measured, so escape codes never count). */
  paint?: (text: string) => string;
}

/** How a table is laid out. */
export interface TableOptions {
  /** The terminal's width in columns; undefined: no limit (not a terminal). */
  width?: number;
}

/** Columns are separated by three spaces, as `kubectl get` does. */
export const COLUMN_GAP = '   ';
const ELLIPSIS = '…';
/** A cut column keeps at least this many characters (or its header's length, if longer). */
const MIN_CUT_WIDTH = 8;

/** Length in code points (an emoji or accented letter counts once; wide CJK glyphs are not measured twice). */
export function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

function cut(s: string, width: number): string {
  if (textWidth(s) <= width) return s;
  return width <= 1 ? ELLIPSIS.slice(0, width) : `${[...s].slice(0, width - 1).join('')}${ELLIPSIS}`;
}

// A cell never spans lines: a newline or tab in free text (a reason, a message) would break the columns.
const flat = (s: string): string => s.replace(/[\t\r\n]+/g, ' ');

/** Column widths for `rows` under `width`: natural widths, then the widest cuttable column shrunk until the row fits. */
export function fitWidths(columns: Column[], rows: string[][], width?: number): number[] {
  const widths = columns.map((c, i) => Math.max(textWidth(c.header), ...rows.map((r) => textWidth(r[i] ?? ''))));
  if (width === undefined || columns.length === 0) return widths;
  const total = (): number => widths.reduce((a, b) => a + b, 0) + COLUMN_GAP.length * (columns.length - 1);
  const floor = columns.map((c) => Math.max(textWidth(c.header), MIN_CUT_WIDTH));
  let excess = total() - width;
  while (excess > 0) {
    let widest = -1;
    for (let i = 0; i < columns.length; i++) {
      if (columns[i]!.truncate !== true || widths[i]! <= floor[i]!) continue;
      if (widest === -1 || widths[i]! > widths[widest]!) widest = i;
    }
    // Nothing left to cut: the row wraps, as kubectl's does when even its cut columns do not fit.
    if (widest === -1) break;
    const second = Math.max(floor[widest]!, ...widths.filter((_, i) => i !== widest && columns[i]!.truncate === true));
    const by = Math.min(excess, Math.max(1, widths[widest]! - second));
    widths[widest] = Math.max(floor[widest]!, widths[widest]! - by);
    excess = total() - width;
  }
  return widths;
}

/** The table's lines (header first), without newlines. */
export function renderTable(columns: Column[], rows: string[][], opts: TableOptions = {}): string[] {
  const flatRows = rows.map((r) => columns.map((_, i) => flat(r[i] ?? '')));
  const widths = fitWidths(columns, flatRows, opts.width);
  const line = (cells: string[], header: boolean): string => {
    const last = cells.length - 1;
    return cells
      .map((cell, i) => {
        const text = cut(cell, widths[i]!);
        const pad = i === last ? '' : ' '.repeat(widths[i]! - textWidth(text));
        const paint = header ? undefined : columns[i]!.paint;
        return `${paint === undefined || text === '' ? text : paint(text)}${pad}`;
      })
      .join(COLUMN_GAP)
      .trimEnd();
  };
  return [
    line(
      columns.map((c) => c.header),
      true,
    ),
    ...flatRows.map((r) => line(r, false)),
  ];
}
