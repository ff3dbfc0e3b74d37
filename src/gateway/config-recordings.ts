/** The `recordings:` section of the gateway config: exec/attach recording (asciicast v2) and its per-session cap. */
import { ConfigFields, joinPath, type Mapping } from './config-fields.js';

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

/** Reads `recordings` (absent: enabled, 64 MiB per session). */
export function readRecordings(f: ConfigFields, top: Mapping): RecordingsConfig {
  const m = f.optMapping(top, 'recordings', '', ['enabled', 'maxBytesPerSession']) ?? {};
  const raw = m.maxBytesPerSession;
  const max = raw === undefined ? DEFAULT_MAX_RECORDING_BYTES : parseByteSize(raw);
  if (max === undefined) f.fail(joinPath('recordings', 'maxBytesPerSession'), `${JSON.stringify(raw)} is not a byte size (an integer, or e.g. 64Mi)`);
  return { enabled: f.optBool(m, 'enabled', 'recordings') ?? true, maxBytesPerSession: max };
}
