/** Order statistics over samples (milliseconds unless said otherwise). */

/** The q-quantile (0..1) by nearest rank; NaN for no samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** The median. */
export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

/** `process.hrtime.bigint()` in milliseconds (CLOCK_MONOTONIC: comparable between processes of one machine). */
export function monoMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
