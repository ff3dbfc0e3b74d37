/**
 * What a session transcript keeps of a JSON answer — kind, item count, the first object names, a Status reason
 * and message — taken from the masked document. The gateway, which parses every held JSON answer to mask it,
 * sends it in `X-Hoopctl-Summary`, so the local proxy need not parse the body a second time for its transcript.
 */

/** Response header carrying the summary of a masked JSON answer (base64url of its JSON). */
export const SUMMARY_HEADER = 'x-hoopctl-summary';

/** The JSON part of a transcript's answer summary. */
export interface JsonSummary {
  kind?: string;
  items?: number;
  names?: string[];
  reason?: string;
  message?: string;
}

const MAX_NAMES = 10;
// Above this the header is left out and the local proxy summarises the body itself (bounded there).
const MAX_HEADER_CHARS = 4096;

type Obj = Record<string, unknown>;

const asObj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null ? (v as Obj) : undefined);

function nameOf(o: unknown): string | undefined {
  const name = asObj(asObj(o)?.metadata)?.name;
  return typeof name === 'string' ? name : undefined;
}

function firstCell(row: unknown): string | undefined {
  const cells = asObj(row)?.cells;
  const first: unknown = Array.isArray(cells) ? cells[0] : undefined;
  return typeof first === 'string' ? first : undefined;
}

/** Summarises a parsed (masked) JSON answer: a list or Table by its items, any object by its name. */
export function summarizeJsonDocument(doc: unknown): JsonSummary {
  const d = doc as Obj | null;
  const out: JsonSummary = {};
  if (d === null || typeof d !== 'object') return out;
  if (typeof d.kind === 'string') out.kind = d.kind;
  const list: unknown[] | undefined = Array.isArray(d.items) ? d.items : Array.isArray(d.rows) ? d.rows : undefined;
  if (list !== undefined) {
    out.items = list.length;
    const names: string[] = [];
    for (const i of list) {
      if (names.length >= MAX_NAMES) break;
      const n = nameOf(i) ?? nameOf(asObj(i)?.object) ?? firstCell(i);
      if (n !== undefined) names.push(n);
    }
    if (names.length > 0) out.names = names;
  } else {
    const n = nameOf(d);
    if (n !== undefined) out.names = [n];
  }
  if (d.kind === 'Status') {
    if (typeof d.reason === 'string') out.reason = d.reason;
    if (typeof d.message === 'string') out.message = d.message;
  }
  return out;
}

/** The header value for a summary, or undefined when it would be too long for a header. */
export function encodeSummaryHeader(s: JsonSummary): string | undefined {
  const v = Buffer.from(JSON.stringify(s), 'utf8').toString('base64url');
  return v.length <= MAX_HEADER_CHARS ? v : undefined;
}

const str = (v: unknown): boolean => v === undefined || typeof v === 'string';

/** Reads a summary header; undefined when it is missing or not a summary (then the body is summarised instead). */
export function decodeSummaryHeader(value: string | string[] | undefined): JsonSummary | undefined {
  if (typeof value !== 'string' || value.length > MAX_HEADER_CHARS) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const s = o as Obj;
  if (Object.keys(s).some((k) => !['kind', 'items', 'names', 'reason', 'message'].includes(k))) return undefined;
  if (!str(s.kind) || !str(s.reason) || !str(s.message)) return undefined;
  if (s.items !== undefined && !Number.isSafeInteger(s.items)) return undefined;
  if (s.names !== undefined && !(Array.isArray(s.names) && s.names.length <= MAX_NAMES && s.names.every((n: unknown) => typeof n === 'string')))
    return undefined;
  return s;
}
