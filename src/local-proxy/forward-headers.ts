/**
 * Which client headers reach the gateway and which upstream headers reach the client.
 * The local proxy is the only place that knows the session credential, so nothing the client
 * sends may speak for it: every credential or identity header is dropped, not rewritten.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Headers as the proxy sends them on: lower-case names, repeated headers as arrays. */
export type HeaderMap = Record<string, string | string[]>;

/** WebSocket clients that cannot set headers (browsers) carry a bearer token as a subprotocol entry. */
export const BEARER_SUBPROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

// RFC 9110 §7.6.1 connection-specific fields, plus the old proxy ones clients still send.
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade',
]);

function isCredentialHeader(name: string): boolean {
  return name === 'authorization' || name.startsWith('impersonate-') || name.startsWith('x-remote-');
}

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const joined = Array.isArray(value) ? value.join(',') : value ?? '';
  return new Set(joined.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== ''));
}

/** Sec-WebSocket-Protocol entries without the bearer-token ones; undefined when none remain. */
export function stripBearerSubprotocols(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const entries = (Array.isArray(value) ? value.join(',') : value).split(',').map((e) => e.trim()).filter((e) => e !== '');
  const kept = entries.filter((e) => !e.toLowerCase().startsWith(BEARER_SUBPROTOCOL_PREFIX));
  return kept.length === 0 ? undefined : kept.join(', ');
}

/** Builds the headers for the upstream request from the client's rawHeaders, with the session credential. */
export function buildUpstreamHeaders(rawHeaders: readonly string[], options: { bearer: string; upgrade?: string }): HeaderMap {
  const named = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = named.get(name) ?? [];
    list.push(rawHeaders[i + 1]!);
    named.set(name, list);
  }
  const listedInConnection = connectionTokens(named.get('connection'));
  const out: HeaderMap = {};
  for (const [name, values] of named) {
    if (HOP_BY_HOP.has(name) || listedInConnection.has(name) || isCredentialHeader(name)) continue;
    // host names the loopback listener; expect is answered by node:http already and undici refuses it.
    if (name === 'host' || name === 'expect') continue;
    if (name === 'sec-websocket-protocol') {
      const kept = stripBearerSubprotocols(values);
      if (kept !== undefined) out[name] = kept;
      continue;
    }
    out[name] = values.length === 1 ? values[0]! : values;
  }
  if (options.upgrade !== undefined) {
    out.connection = 'Upgrade';
    out.upgrade = options.upgrade;
  }
  out.authorization = `Bearer ${options.bearer}`;
  return out;
}

/** Copies upstream response headers for the client, without hop-by-hop fields. */
export function buildClientResponseHeaders(headers: Record<string, string | string[] | undefined>): HeaderMap {
  const listedInConnection = connectionTokens(headers.connection);
  const out: HeaderMap = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(name) || listedInConnection.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** The bearer token the client presented: the Authorization header, or a WebSocket bearer subprotocol entry. */
export function clientBearerToken(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const m = /^bearer\s+(\S+)\s*$/i.exec(auth);
    return m?.[1];
  }
  const protocols = headers['sec-websocket-protocol'];
  if (protocols === undefined) return undefined;
  for (const entry of protocols.split(',')) {
    const e = entry.trim();
    if (e.toLowerCase().startsWith(BEARER_SUBPROTOCOL_PREFIX)) {
      return Buffer.from(e.slice(BEARER_SUBPROTOCOL_PREFIX.length), 'base64url').toString('utf8');
    }
  }
  return undefined;
}
