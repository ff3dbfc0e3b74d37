/** The operator sections of the gateway config: `signingKeys` (rotation), `metrics` (Prometheus) and `shutdown` (drain). */
import { joinPath, type ConfigFields, type Mapping } from './config-fields.js';
import { readDuration } from './config-connection.js';
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
export const DEFAULT_OPERATIONS: OperationsConfig = { signingKeys: {}, metrics: { enabled: true }, shutdown: { unreadyDelaySeconds: 0, gracePeriodSeconds: 20 } };

/** Reads `signingKeys`, `metrics` and `shutdown` (all optional). */
export function readOperations(f: ConfigFields, top: Mapping, allowNonLoopback: boolean): OperationsConfig {
  const keysM = f.optMapping(top, 'signingKeys', '', ['rotateEvery']) ?? {};
  const rotateEverySeconds = readDuration(f, keysM, 'rotateEvery', 'signingKeys');
  // Shorter than an hour would retire keys faster than sessions live, which only churns JWKS.
  if (rotateEverySeconds !== undefined && rotateEverySeconds < 3600) f.fail(joinPath('signingKeys', 'rotateEvery'), 'must be at least 1h');

  const metricsM = f.optMapping(top, 'metrics', '', ['enabled', 'listen']) ?? {};
  const listenText = f.optString(metricsM, 'listen', 'metrics');
  let listen: ListenAddress | undefined;
  if (listenText !== undefined) {
    const parsed = parseListenAddress(listenText);
    if (typeof parsed === 'string') return f.fail(joinPath('metrics', 'listen'), parsed);
    if (!isLoopbackHost(parsed.host) && !allowNonLoopback) f.fail(joinPath('metrics', 'listen'), `${parsed.host} is not a loopback address; set allowNonLoopback: true to serve beyond this machine`);
    listen = parsed;
  }

  const shutdownM = f.optMapping(top, 'shutdown', '', ['unreadyDelay', 'gracePeriod']) ?? {};
  const grace = readDuration(f, shutdownM, 'gracePeriod', 'shutdown') ?? DEFAULT_OPERATIONS.shutdown.gracePeriodSeconds;
  const unreadyDelay = readDuration(f, shutdownM, 'unreadyDelay', 'shutdown') ?? 0;
  return {
    signingKeys: rotateEverySeconds === undefined ? {} : { rotateEverySeconds },
    metrics: { enabled: f.optBool(metricsM, 'enabled', 'metrics') ?? true, ...(listen === undefined ? {} : { listen }) },
    shutdown: { unreadyDelaySeconds: unreadyDelay, gracePeriodSeconds: grace },
  };
}
