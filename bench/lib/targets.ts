/** The four ways to reach the upstream that the bench compares, and undici pools for them. */
import { Pool } from 'undici';

/** Names of the paths through which a request reaches the upstream. */
export type TargetName = 'direct' | 'kubectl-proxy' | 'gateway' | 'chain';

/** One way to reach the Kubernetes API: base URL (with path prefix), headers and TLS trust. */
export interface Target {
  name: TargetName;
  /** What the row says, e.g. "gateway (/k8s/bench, session JWT)". */
  label: string;
  /** Origin plus path prefix, e.g. `http://127.0.0.1:4000/k8s/bench`. */
  base: string;
  headers: Record<string, string>;
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean; servername?: string };
}

/** Splits a target's base into origin and path prefix. */
export function originAndPrefix(t: Target): { origin: string; prefix: string } {
  const u = new URL(t.base);
  return { origin: u.origin, prefix: u.pathname.replace(/\/+$/, '') };
}

/** An undici pool to the target with `connections` sockets, no pipelining, no timeouts (watches stay quiet). */
export function poolFor(t: Target, connections: number): Pool {
  return new Pool(originAndPrefix(t).origin, {
    connections,
    pipelining: 1,
    bodyTimeout: 0,
    headersTimeout: 0,
    ...(t.tls === undefined ? {} : { connect: t.tls }),
  });
}
