/**
 * The gateway log: JSON lines (pino) for log collectors, a plain human format when stderr is a terminal.
 * Every part of the gateway logs through `log(message, fields?)`; fields carry request id, connection,
 * user and decision where known. Credentials never reach it: callers pass no tokens, and fields named
 * like one are censored anyway.
 */
import type { Clock } from '../clock.js';
import pino from 'pino';

/** Structured fields of one log line. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** The gateway's log function; the one-argument form is what most of the code uses. */
export type GatewayLog = (message: string, fields?: LogFields) => void;

/** Where and how to log. */
export interface GatewayLoggerOptions {
  stream: { write(chunk: string): unknown; isTTY?: boolean };
  /** `auto` (default): text on a TTY, JSON otherwise. */
  format?: 'json' | 'text' | 'auto';
  /** Injectable clock for the text format. */
  now?: Clock;
}

// Field names that could hold a credential: never written as given, whatever a caller passes.
const SECRET_FIELDS = ['token', 'authorization', 'password', 'secret', 'cookie', 'credential', 'bearer'];

function levelOf(message: string): 'error' | 'warn' | 'info' {
  if (/^(unhandled|internal error)/i.test(message)) return 'error';
  if (/^WARNING\b/.test(message) || /\bfailed\b|\bcannot\b/.test(message)) return 'warn';
  return 'info';
}

function clean(fields: LogFields | undefined): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (v === undefined) continue;
    out[k] = SECRET_FIELDS.some((s) => k.toLowerCase().includes(s)) ? '[redacted]' : v;
  }
  return out;
}

/** Creates the log function of `hoopctl gateway serve`. */
export function createGatewayLogger(o: GatewayLoggerOptions): GatewayLog {
  const format = o.format === undefined || o.format === 'auto' ? (o.stream.isTTY === true ? 'text' : 'json') : o.format;
  if (format === 'text') {
    const now = o.now ?? Date.now;
    return (message, fields) => {
      const extra = Object.entries(clean(fields))
        .map(([k, v]) => ` ${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : String(v)}`)
        .join('');
      o.stream.write(`${new Date(now()).toISOString()} ${levelOf(message).toUpperCase().padEnd(5)} ${message}${extra}\n`);
    };
  }
  const logger = pino(
    {
      base: { service: 'hoopctl-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    {
      write: (chunk: string) => {
        o.stream.write(chunk);
      },
    },
  );
  return (message, fields) => {
    logger[levelOf(message)](clean(fields), message);
  };
}
