// Every form a sentinel can take on its way out: clear, base64 and base64url at any byte offset
// (sentinels.ts), hex, URL-encoded, JSON-escaped (short and \u-everything). Searching bytes as latin1
// finds the ASCII forms inside gzip-free answers, logs and SQLite pages alike.
import { base64Forms } from './sentinels.js';

const unicodeEscaped = (value: string): string => [...value].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

/** Distinct encoded forms of `value`, each with the name of its encoding. */
export function encodedForms(value: string): { encoding: string; form: string }[] {
  const hex = Buffer.from(value, 'utf8').toString('hex');
  const candidates: [string, string][] = [
    ['clear', value],
    ...base64Forms(value).map((f): [string, string] => ['base64', f]),
    ['hex', hex],
    ['HEX', hex.toUpperCase()],
    ['url', encodeURIComponent(value)],
    ['url+', encodeURIComponent(value).replace(/%20/g, '+')],
    ['json', JSON.stringify(value).slice(1, -1)],
    ['json-slash', JSON.stringify(value).slice(1, -1).replace(/\//g, '\\/')],
    ['json-unicode', unicodeEscaped(value)],
    ['json-unicode-upper', unicodeEscaped(value).toUpperCase().replace(/\\U/g, '\\u')],
  ];
  const seen = new Set<string>();
  return candidates.filter(([, form]) => (seen.has(form) ? false : (seen.add(form), true))).map(([encoding, form]) => ({ encoding, form }));
}

/** One sighting of a sentinel: which encoding, where, and the text around it. */
export interface SentinelHit {
  encoding: string;
  form: string;
  at: number;
  context: string;
}

/** Every encoded form of every root in `data` (bytes read as latin1, so binary never throws). */
export function findEncodedSentinels(data: string | Buffer, roots: readonly string[], max = 10): SentinelHit[] {
  const text = typeof data === 'string' ? data : data.toString('latin1');
  const hits: SentinelHit[] = [];
  for (const root of roots) {
    for (const { encoding, form } of encodedForms(root)) {
      for (let at = text.indexOf(form); at !== -1 && hits.length < max; at = text.indexOf(form, at + 1)) {
        hits.push({ encoding, form, at, context: text.slice(Math.max(0, at - 100), at + form.length + 60) });
      }
    }
  }
  return hits;
}
