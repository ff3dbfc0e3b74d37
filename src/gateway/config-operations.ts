/** The operator sections of the gateway config: `signingKeys` (rotation), `metrics` (Prometheus) and `shutdown` (drain). */
import { z } from 'zod';
import { duration, issue, mapping, text } from '../config-reader.js';
import { isLoopbackHost, parseListenAddress, type ListenAddress } from './listen-address.js';

/** How the gateway is run in production. */
export interface OperationsConfig {
  /** Automatic signing-key rotation period; undefined: only `hoopctl gateway rotate-key`. */
  signingKeys: { rotateEverySeconds?: number };
  /** `/metrics`: on the main listener, or (with `listen`) on its own address only. */
  metrics: { enabled: boolean; listen?: ListenAddress };
  /** SIGTERM: how long the gateway keeps serving while unready (load balancers catch up), then how long running requests may take to finish. */
  shutdown: { unreadyDelaySeconds: number; gracePeriodSeconds: number };
}

/** Defaults for configs built in code. */
export const DEFAULT_OPERATIONS: OperationsConfig = {
  signingKeys: {},
  metrics: { enabled: true },
  shutdown: { unreadyDelaySeconds: 0, gracePeriodSeconds: 20 },
};

/** A `host:port` to listen on. */
export const listenAddress = text.transform((t, ctx): ListenAddress => {
  const parsed = parseListenAddress(t);
  if (typeof parsed !== 'string') return parsed;
  issue(ctx, parsed);
  return z.NEVER;
});

/** The message for a listen address beyond this machine without `allowNonLoopback: true`, or undefined. */
export function nonLoopbackProblem(address: ListenAddress, allowNonLoopback: boolean): string | undefined {
  if (isLoopbackHost(address.host) || allowNonLoopback) return undefined;
  return `${address.host} is not a loopback address; set allowNonLoopback: true to serve beyond this machine`;
}

/** The `signingKeys`, `metrics` and `shutdown` sections (all optional); `metrics.listen` is checked against allowNonLoopback by the config. */
export const operationsShape = {
  // Shorter than an hour would retire keys faster than sessions live, which only churns JWKS.
  signingKeys: mapping({ rotateEvery: duration.refine((s) => s >= 3600, { error: 'must be at least 1h' }).optional() }).optional(),
  metrics: mapping({ enabled: z.boolean().optional(), listen: listenAddress.optional() }).optional(),
  shutdown: mapping({ unreadyDelay: duration.optional(), gracePeriod: duration.optional() }).optional(),
};

/** The operator sections after their schemas. */
export type OperationsInput = { [K in keyof typeof operationsShape]: z.output<(typeof operationsShape)[K]> };

/** The operations config from its checked sections. */
export function operationsConfig(m: OperationsInput): OperationsConfig {
  const rotateEverySeconds = m.signingKeys?.rotateEvery;
  const listen = m.metrics?.listen;
  return {
    signingKeys: rotateEverySeconds === undefined ? {} : { rotateEverySeconds },
    metrics: { enabled: m.metrics?.enabled ?? true, ...(listen === undefined ? {} : { listen }) },
    shutdown: {
      unreadyDelaySeconds: m.shutdown?.unreadyDelay ?? 0,
      gracePeriodSeconds: m.shutdown?.gracePeriod ?? DEFAULT_OPERATIONS.shutdown.gracePeriodSeconds,
    },
  };
}
