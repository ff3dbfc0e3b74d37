/** The `recordings:` section of the gateway config: exec/attach recording (asciicast v2) and its per-session cap. */
import { z } from 'zod';
import { issue, mapping } from '../config-reader.js';

/** How exec and attach streams are recorded. */
export interface RecordingsConfig {
  /** false: streams pass unrecorded (their audit events still say so). Default true. */
  enabled: boolean;
  /** Recorded bytes per session; beyond it the stream goes on and the recording says where it stopped. */
  maxBytesPerSession: number;
}

/** Default cap: 64 MiB per session. */
export const DEFAULT_MAX_RECORDING_BYTES = 64 * 1024 * 1024;

const UNITS: Record<string, number> = { '': 1, k: 1000, ki: 1024, kib: 1024, m: 1e6, mi: 1024 ** 2, mib: 1024 ** 2, g: 1e9, gi: 1024 ** 3, gib: 1024 ** 3 };

/** Reads a byte size: an integer, or `512Ki`, `64Mi`, `1Gi` (Kubernetes quantity suffixes; `KiB`/`MiB` too). */
export function parseByteSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = m === null ? undefined : UNITS[m[2]!.toLowerCase()];
  if (m === null || unit === undefined) return undefined;
  const n = Number(m[1]) * unit;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

// A byte size as written: an integer or a string with a unit.
const byteSize = z.unknown().transform((raw, ctx) => {
  const n = parseByteSize(raw);
  if (n !== undefined) return n;
  issue(ctx, `${JSON.stringify(raw)} is not a byte size (an integer, or e.g. 64Mi)`);
  return z.NEVER;
});

/** The `recordings` section (absent: enabled, 64 MiB per session). */
export const recordingsSchema = mapping({ enabled: z.boolean().optional(), maxBytesPerSession: byteSize.optional() })
  .optional()
  .transform((m): RecordingsConfig => ({ enabled: m?.enabled ?? true, maxBytesPerSession: m?.maxBytesPerSession ?? DEFAULT_MAX_RECORDING_BYTES }));
