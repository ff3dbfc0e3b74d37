/** Messages between the bench and its upstream worker process (the Kubernetes API test server). */

/** What the upstream worker can be asked to do. */
export type UpstreamOp =
  | { op: 'start' }
  | { op: 'namespace'; name: string }
  | { op: 'seedPods'; namespace: string; count: number }
  | { op: 'seedSecrets'; namespace: string; count: number; valueBytes: number }
  /** Applies `count` ConfigMap changes in `namespace`, each stamped with its emit time; `intervalMs` 0 = as fast as possible. */
  | { op: 'emit'; namespace: string; count: number; intervalMs: number; names: number }
  | { op: 'hasExec' }
  | { op: 'counts' };

/** Where the started upstream listens and how to reach it. */
export interface UpstreamInfo {
  url: string;
  token: string;
  caPem?: string;
}

/** Annotation carrying `process.hrtime.bigint()` (CLOCK_MONOTONIC, shared by every process on the machine) at emit. */
export const EMIT_ANNOTATION = 'bench.hoopctl.dev/emit-ns';
