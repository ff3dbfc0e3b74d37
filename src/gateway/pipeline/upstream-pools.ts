/** One upstream per connection: an undici Pool with the connection's CA / client certificate, and its held credential. */
import type { Clock } from '../../clock.js';
import { readFile } from 'node:fs/promises';
import type { RequestOptions } from 'node:https';
import { Pool } from 'undici';
import type { ConnectionConfig } from '../config.js';
import { createExecCredentialSource, UpstreamCredentialError } from './exec-credential.js';

/** The upstream of one connection. */
export interface Upstream {
  connection: ConnectionConfig;
  origin: URL;
  /** Path prefix of the server URL ('' or e.g. `/k8s/clusters/c-1`). */
  basePath: string;
  /** Short requests: a bounded pool a flood of watches cannot fill. */
  pool: Pool;
  /** Long streams (watch, `logs -f`): a pool of its own without a connection cap, so they never queue short requests. */
  streamPool: Pool;
  /** `Bearer …` for token credentials, undefined for client certificates; UpstreamCredentialError when it cannot be produced. */
  authorization(): Promise<string | undefined>;
  /** node:https options (TLS material, no agent) for upgrade requests, which undici cannot relay on a non-101 answer. */
  tlsOptions(): Pick<RequestOptions, 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'>;
}

/** The upstreams of a gateway. */
export interface UpstreamPools {
  get(connection: string): Upstream | undefined;
  close(): Promise<void>;
}

// Projected service-account tokens rotate (kubelet refreshes them at 80% of their life): re-read often.
const TOKEN_FILE_TTL_MS = 60_000;

/** What the upstreams need from their surroundings besides the clock. */
export interface UpstreamPoolsOptions {
  /** Environment credential plugins run with (default process.env). */
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
}

function createUpstream(c: ConnectionConfig, now: Clock, o: UpstreamPoolsOptions): Upstream {
  const origin = new URL(c.server);
  const tls = {
    ...(c.caPem === undefined ? {} : { ca: c.caPem }),
    ...(c.credential.kind === 'clientCert' ? { cert: c.credential.certPem, key: c.credential.keyPem } : {}),
    rejectUnauthorized: !c.insecureSkipTlsVerify,
    ...(c.tlsServerName === undefined ? {} : { servername: c.tlsServerName }),
  };
  // bodyTimeout 0: a quiet watch or `logs -f` may send nothing for minutes and is still healthy. A connect that
  // does not complete in 5 s (an unreachable address) is answered with a 503 Status rather than left hanging.
  const pool = new Pool(origin.origin, { connect: { ...tls, timeout: 5_000 }, bodyTimeout: 0, headersTimeout: 60_000, connections: 64 });
  const streamPool = new Pool(origin.origin, { connect: { ...tls, timeout: 5_000 }, bodyTimeout: 0, headersTimeout: 60_000, connections: null });
  let cached: { value: string; at: number } | undefined;
  const cred = c.credential;
  const plugin =
    cred.kind !== 'exec'
      ? undefined
      : createExecCredentialSource({
          connection: c.name,
          exec: cred.exec,
          now,
          env: o.env ?? process.env,
          log: o.log ?? (() => undefined),
          cluster: {
            server: c.server,
            insecureSkipTlsVerify: c.insecureSkipTlsVerify,
            ...(c.caPem === undefined ? {} : { caPem: c.caPem }),
            ...(c.tlsServerName === undefined ? {} : { tlsServerName: c.tlsServerName }),
          },
        });
  return {
    connection: c,
    origin,
    basePath: origin.pathname.replace(/\/+$/, ''),
    pool,
    streamPool,
    async authorization() {
      if (cred.kind === 'token') return `Bearer ${cred.token}`;
      if (cred.kind === 'clientCert') return undefined;
      if (cred.kind === 'exec') return `Bearer ${await plugin!.token()}`;
      if (cached === undefined || now() - cached.at > TOKEN_FILE_TTL_MS) {
        try {
          cached = { value: (await readFile(cred.path, 'utf8')).trim(), at: now() };
        } catch (cause) {
          throw new UpstreamCredentialError(c.name, `cannot read the credential of connection "${c.name}" (${cred.path})`, { cause });
        }
      }
      return `Bearer ${cached.value}`;
    },
    tlsOptions: () => tls,
  };
}

/** Creates the upstream of every connection (no network I/O until the first request). */
export function createUpstreamPools(connections: ConnectionConfig[], now: Clock, options: UpstreamPoolsOptions = {}): UpstreamPools {
  const byName = new Map(connections.map((c) => [c.name, createUpstream(c, now, options)]));
  return {
    get: (name) => byName.get(name),
    close: async () => {
      await Promise.all([...byName.values()].flatMap((u) => [u.pool, u.streamPool].map((p) => p.destroy().catch(() => undefined))));
    },
  };
}
