/** Result rows: each figure, its baseline from the same run, the ratio, and the target it is held against. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One measured (or pending) figure. */
export interface Row {
  /** Stable key for JSON consumers, e.g. `small.get.chain.rps`. */
  id: string;
  section: string;
  figure: string;
  /** null: not measured (pending or skipped; see note). */
  value: number | null;
  unit: string;
  baseline?: { label: string; value: number };
  /** value / baseline.value. */
  ratio?: number;
  target?: string;
  met?: boolean;
  note?: string;
}

/** Builds a row, computing the ratio when both numbers exist. */
export function row(r: Omit<Row, 'ratio'>): Row {
  const ratio =
    r.value !== null && r.baseline !== undefined && r.baseline.value !== 0 && Number.isFinite(r.baseline.value) ? r.value / r.baseline.value : undefined;
  return { ...r, ...(ratio === undefined ? {} : { ratio }) };
}

function fmt(v: number | null | undefined, unit = ''): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  const s = a >= 1000 ? Math.round(v).toString() : a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
  return unit === '' ? s : `${s} ${unit}`;
}

/** The table as text (one line per figure, grouped by section). */
export function formatTable(rows: Row[]): string {
  const head = ['figure', 'value', 'baseline (same run)', 'ratio', 'target', 'met'];
  const body = rows.map((r) => [
    r.figure,
    r.value === null ? (r.note ?? 'pending').split(':')[0]! : fmt(r.value, r.unit),
    r.baseline === undefined ? '' : `${fmt(r.baseline.value, r.unit)} ${r.baseline.label}`,
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`,
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join(' | ')
      .trimEnd();
  const out: string[] = [line(head), widths.map((w) => '-'.repeat(w)).join('-|-')];
  let section = '';
  rows.forEach((r, i) => {
    if (r.section !== section) {
      section = r.section;
      out.push(`[${section}]`);
    }
    out.push(line(body[i]!));
  });
  const notes = rows.filter((r) => r.note !== undefined).map((r) => `  ${r.figure}: ${r.note}`);
  if (notes.length > 0) out.push('notes:', ...notes);
  return `${out.join('\n')}\n`;
}

/** The same table in Markdown (for bench/README.md). */
export function formatMarkdown(rows: Row[]): string {
  const out = ['| figure | value | baseline (same run) | ratio | target | met |', '|---|---|---|---|---|---|'];
  let section = '';
  for (const r of rows) {
    if (r.section !== section) {
      section = r.section;
      out.push(`| **${section}** | | | | | |`);
    }
    out.push(
      `| ${r.figure} | ${r.value === null ? `_${r.note ?? 'pending'}_` : fmt(r.value, r.unit)} | ${r.baseline === undefined ? '' : `${fmt(r.baseline.value, r.unit)} ${r.baseline.label}`} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** Writes `<dir>/latest.json` (rows plus what machine and run produced them). */
export async function writeResults(dir: string, meta: Record<string, unknown>, rows: Row[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'latest.json');
  await writeFile(file, `${JSON.stringify({ ...meta, rows }, null, 2)}\n`);
  return file;
}
