/**
 * asciicast v2, the format `asciinema play` reads (https://docs.asciinema.org/manual/asciicast/v2/):
 * a JSON header line, then one JSON array per event, `[time, code, data]`, time in seconds since the
 * start. Codes: "o" output, "i" input, "r" resize ("80x24"), "m" marker.
 */
import { shellQuote } from './shell-quote.js';

/** The header line. */
export interface CastHeader {
  version: 2;
  width: number;
  height: number;
  /** Unix time (seconds) of the start. */
  timestamp?: number;
  duration?: number;
  idle_time_limit?: number;
  command?: string;
  title?: string;
  env?: Record<string, string>;
}

/** Event codes of asciicast v2. */
export type CastCode = 'o' | 'i' | 'r' | 'm';

/** One event. */
export type CastEvent = [number, CastCode, string];

/** What the header is made of. */
export interface CastHeaderInput {
  width: number;
  height: number;
  startedAt: string;
  title: string;
  command: string[];
  tty: boolean;
}

/** The header of a recording. */
export function castHeader(r: CastHeaderInput): CastHeader {
  return {
    version: 2,
    width: r.width,
    height: r.height,
    timestamp: Math.floor(Date.parse(r.startedAt) / 1000),
    command: shellQuote(r.command),
    title: r.title,
    env: { TERM: r.tty ? 'xterm-256color' : 'dumb', SHELL: '/bin/sh' },
  };
}

/** One event as a line (with its newline); times keep microseconds, as asciinema writes them. */
export function castEventLine(seconds: number, code: CastCode, data: string): string {
  return `${JSON.stringify([Math.round(Math.max(0, seconds) * 1e6) / 1e6, code, data])}\n`;
}

/** A whole cast file from its header and its event lines. */
export function castFile(header: CastHeader, eventLines: string): string {
  return `${JSON.stringify(header)}\n${eventLines}`;
}

/** Parses a cast file line by line against the v2 rules; the error names the line. */
export function parseCast(text: string): { header: CastHeader; events: CastEvent[] } {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const fail = (n: number, why: string): never => {
    throw new Error(`asciicast line ${n}: ${why}`);
  };
  let header: unknown;
  try {
    header = JSON.parse(lines[0] ?? '');
  } catch {
    fail(1, 'the header is not JSON');
  }
  const h = header as Record<string, unknown>;
  if (typeof h !== 'object' || h === null || Array.isArray(h)) fail(1, 'the header is not an object');
  if (h['version'] !== 2) fail(1, `version is ${JSON.stringify(h['version'])}, not 2`);
  for (const k of ['width', 'height']) if (!Number.isInteger(h[k]) || (h[k] as number) <= 0) fail(1, `${k} must be a positive integer`);
  if (h['timestamp'] !== undefined && !Number.isInteger(h['timestamp'])) fail(1, 'timestamp must be an integer');
  if (h['env'] !== undefined && (typeof h['env'] !== 'object' || Object.values(h['env'] as object).some((v) => typeof v !== 'string')))
    fail(1, 'env must map names to strings');
  const events: CastEvent[] = [];
  let last = 0;
  for (let i = 1; i < lines.length; i++) {
    let e: unknown;
    try {
      e = JSON.parse(lines[i]!);
    } catch {
      fail(i + 1, 'not JSON');
    }
    if (!Array.isArray(e) || e.length !== 3) fail(i + 1, 'an event is a 3-element array');
    const [t, code, data] = e as unknown[];
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) fail(i + 1, 'the time is not a non-negative number');
    if ((t as number) < last) fail(i + 1, 'times must not go backwards');
    if (!['o', 'i', 'r', 'm'].includes(code as string)) fail(i + 1, `unknown event code ${JSON.stringify(code)}`);
    if (typeof data !== 'string') fail(i + 1, 'the data is not a string');
    if (code === 'r' && !/^\d+x\d+$/.test(data as string)) fail(i + 1, 'a resize is COLSxROWS');
    last = t as number;
    events.push([t as number, code as CastCode, data as string]);
  }
  return { header: h as unknown as CastHeader, events };
}
