/**
 * What the session transcript keeps of an answer: its kind, how many items or events, the first
 * object names, a Status reason and message, the first log lines — never Secret data. Unless the
 * gateway says it masked the answer (`X-Hoopctl-Masked`), the summary is masked here with the
 * built-in rules before it is written, so the transcript never holds a secret value either way.
 */
import { parseJsonValue } from '../mask/json-stream.js';
import { createLineMasker } from '../mask/line-masker.js';
import { createMaskContext, maskDocument } from '../mask/mask-object.js';
import { DEFAULT_MASK_RULES } from '../mask/mask-rules.js';
import { decodeSummaryHeader, summarizeJsonDocument } from '../mask/json-summary.js';

/** What a transcript line says about the answer. */
export interface AnswerSummary {
  kind?: string;
  items?: number;
  events?: Record<string, number>;
  names?: string[];
  reason?: string;
  message?: string;
  lines?: number;
  head?: string[];
  /** The body was longer than what the summary looks at. */
  truncated?: true;
  /** Values masked here (the gateway had not masked the answer). */
  maskedLocally?: number;
}

/** Collects the start of an answer body and summarises it at the end. */
export interface AnswerSummarizer {
  push(chunk: Buffer): void;
  finish(): AnswerSummary;
}

const MAX_BYTES = 256 << 10;
const MAX_NAMES = 10;
const HEAD_LINES = 5;
const HEAD_LINE_CHARS = 200;

type Obj = Record<string, any>;

function nameOf(o: unknown): string | undefined {
  const meta = (o as Obj | null)?.metadata;
  return typeof meta?.name === 'string' ? meta.name : undefined;
}

function summarizeWatch(text: string): AnswerSummary {
  const events: Record<string, number> = {};
  const names: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let ev: Obj;
    try {
      ev = parseJsonValue(line, 'a watch event') as Obj;
    } catch {
      continue; // the last event may be cut at the summary limit
    }
    const type = typeof ev.type === 'string' ? ev.type : 'unknown';
    events[type] = (events[type] ?? 0) + 1;
    const rows = Array.isArray(ev.object?.rows) ? ev.object.rows.map((r: Obj) => r.object) : [ev.object];
    for (const o of rows) {
      const n = nameOf(o);
      if (n !== undefined && names.length < MAX_NAMES) names.push(n);
    }
  }
  return { events, ...(names.length === 0 ? {} : { names }) };
}

/**
 * A summarizer for one answer; `watch` for watch requests, `gatewayMasked` when the gateway sent X-Hoopctl-Masked,
 * `gatewaySummary` its X-Hoopctl-Summary: a masked JSON answer's summary made by the gateway from the document it
 * parsed to mask, so this one neither keeps nor parses the body.
 */
export function createAnswerSummarizer(o: {
  contentType: string | undefined;
  contentEncoding: string | undefined;
  watch: boolean;
  gatewayMasked: boolean;
  gatewaySummary?: string | undefined;
}): AnswerSummarizer {
  const given = o.gatewayMasked && !o.watch ? decodeSummaryHeader(o.gatewaySummary) : undefined;
  if (given !== undefined) return { push: () => undefined, finish: () => given };
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    push(chunk) {
      if (size >= MAX_BYTES) {
        truncated = true;
        return;
      }
      const room = MAX_BYTES - size;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += Math.min(room, chunk.length);
      if (chunk.length > room) truncated = true;
    },
    finish() {
      const media = (o.contentType ?? '').split(';')[0]!.trim().toLowerCase();
      const encoded = (o.contentEncoding ?? 'identity').toLowerCase() !== 'identity';
      const ctx = createMaskContext(DEFAULT_MASK_RULES);
      const raw = encoded ? '' : Buffer.concat(chunks).toString('utf8');
      const isText = media.startsWith('text/') || media === '';
      // Unmasked text (logs) is masked line by line first, so a key body cut from its BEGIN line is caught too.
      const lines = isText && !o.gatewayMasked ? createLineMasker(ctx, { maxValueChars: MAX_BYTES }) : undefined;
      const text = lines === undefined ? raw : lines.push(raw) + lines.end();
      let summary: AnswerSummary = {};
      if (text === '') summary = {};
      else if (media === 'application/json' && o.watch) summary = summarizeWatch(text);
      else if (media === 'application/json' && !truncated) {
        try {
          summary = summarizeJsonDocument(parseJsonValue(text, 'the answer'));
        } catch {
          summary = {};
        }
      } else if (isText) {
        const lines = text.split('\n');
        if (lines[lines.length - 1] === '') lines.pop();
        summary = { lines: lines.length, head: lines.slice(0, HEAD_LINES).map((l) => l.slice(0, HEAD_LINE_CHARS)) };
      }
      if (truncated) summary.truncated = true;
      if (o.gatewayMasked) return summary;
      const masked = maskDocument(summary, ctx) as AnswerSummary;
      if (ctx.counter.masked > 0) masked.maskedLocally = ctx.counter.masked;
      return masked;
    },
  };
}
