/** Which headers cross the gateway: the client's identity claims never reach upstream; the gateway sets its own. */
import type { IncomingHttpHeaders } from 'node:http';
import { SUMMARY_HEADER } from '../../mask/json-summary.js';

// RFC 9110 §7.6.1 hop-by-hop fields, plus the non-standard ones proxies also drop.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// kube-apiserver reads a bearer token from this WebSocket subprotocol (KEP-4006 / wsstream); a client must not smuggle one.
const WS_BEARER_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** The identity the gateway asserts upstream. */
export interface UpstreamIdentity {
  /** `Bearer …` of the held credential; undefined with a client certificate. */
  authorization: string | undefined;
  /** Impersonate-User / Impersonate-Group values, already prefixed; undefined when the connection does not impersonate. */
  impersonate?: { user: string; groups: string[] };
  auditID: string;
}

/** True for request headers the client may not pass on (identity, hop-by-hop, host). */
export function isStrippedRequestHeader(name: string, connectionTokens: ReadonlySet<string>): boolean {
  const n = name.toLowerCase();
  return (
    n === 'authorization' ||
    n.startsWith('impersonate-') ||
    n.startsWith('x-remote-') ||
    n === 'host' ||
    n === 'audit-id' ||
    // undici refuses `expect`; node's server already answered 100-continue.
    n === 'expect' ||
    HOP_BY_HOP.has(n) ||
    connectionTokens.has(n)
  );
}

function connectionTokens(h: IncomingHttpHeaders): Set<string> {
  const v = h.connection;
  return new Set(
    (v ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== '' && t !== 'upgrade'),
  );
}

/** Removes bearer-token entries from a Sec-WebSocket-Protocol list; undefined when nothing is left. */
export function filterWebSocketProtocols(values: string[]): string | undefined {
  const kept = values
    .flatMap((v) => v.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith(WS_BEARER_PREFIX));
  return kept.length === 0 ? undefined : kept.join(', ');
}

/**
 * Headers for the upstream request: the client's headers (repeats kept, e.g. five X-Stream-Protocol-Version lines)
 * minus everything identity-bearing or hop-by-hop, plus the gateway's credential, impersonation and Audit-ID.
 */
export function upstreamRequestHeaders(
  distinct: Record<string, string[] | undefined>,
  raw: IncomingHttpHeaders,
  id: UpstreamIdentity,
): Record<string, string | string[]> {
  const drop = connectionTokens(raw);
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(distinct)) {
    if (values === undefined || isStrippedRequestHeader(name, drop)) continue;
    if (name.toLowerCase() === 'sec-websocket-protocol') {
      const kept = filterWebSocketProtocols(values);
      if (kept !== undefined) out[name] = kept;
      continue;
    }
    out[name] = values.length === 1 ? values[0]! : values;
  }
  if (id.authorization !== undefined) out.authorization = id.authorization;
  if (id.impersonate !== undefined) {
    out['impersonate-user'] = id.impersonate.user;
    if (id.impersonate.groups.length > 0) out['impersonate-group'] = id.impersonate.groups;
  }
  out['audit-id'] = id.auditID;
  return out;
}

// Only the gateway's masked relay may say what an answer holds (mask-response.ts); an upstream's own is dropped.
const GATEWAY_ONLY = SUMMARY_HEADER;

/** Response headers to relay to the client: everything but hop-by-hop fields (node frames the body itself). */
export function clientResponseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const drop = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase()),
  );
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(n) || drop.has(n) || n === GATEWAY_ONLY) continue;
    out[name] = value;
  }
  return out;
}
