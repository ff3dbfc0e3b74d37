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
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

function isCredentialHeader(name: string): boolean {
  return name === 'authorization' || name.startsWith('impersonate-') || name.startsWith('x-remote-');
}

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    joined
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== ''),
  );
}

/** Sec-WebSocket-Protocol entries without the bearer-token ones; undefined when none remain. */
export function stripBearerSubprotocols(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const entries = (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
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

/**
 * The client's request headers for the gateway as undici's flat `[name, value, …]` list: the same fields as
 * buildUpstreamHeaders drops (credentials, identity, hop-by-hop, Connection-listed, host, expect, bearer
 * subprotocols) in one pass without maps, since this runs on every request. Repeated fields stay separate lines.
 */
export function forwardRequestHeaders(rawHeaders: readonly string[], bearer: string): string[] {
  let listedInConnection: Set<string> | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.length === 10 && rawHeaders[i]!.toLowerCase() === 'connection') {
      listedInConnection ??= new Set();
      for (const t of connectionTokens(rawHeaders[i + 1])) listedInConnection.add(t);
    }
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || isCredentialHeader(name) || name === 'host' || name === 'expect' || listedInConnection?.has(name) === true) continue;
    if (name === 'sec-websocket-protocol') {
      const kept = stripBearerSubprotocols(rawHeaders[i + 1]);
      if (kept !== undefined) out.push(name, kept);
      continue;
    }
    out.push(name, rawHeaders[i + 1]!);
  }
  out.push('authorization', `Bearer ${bearer}`);
  return out;
}

/** The answer's headers for the client as a flat list, and the fields the local proxy reads itself. */
export interface RelayedHeaders {
  /** `[name, value, …]` without hop-by-hop fields, for `res.writeHead`. */
  headers: string[];
  contentLength?: string;
  contentType?: string;
  contentEncoding?: string;
  /** X-Hoopctl-Masked: the gateway masked the answer with this rule set. */
  masked?: string;
  /** X-Hoopctl-Summary: the gateway's summary of the masked JSON answer. */
  summary?: string;
}

/**
 * Reads undici's raw answer headers (latin1 bytes, as they came) for the client without hop-by-hop fields: one pass
 * and no header object, since this runs on every answer. Repeated fields the local proxy reads are joined with ", ".
 */
export function relayedResponseHeaders(raw: readonly Buffer[]): RelayedHeaders {
  let listedInConnection: Set<string> | undefined;
  const out: RelayedHeaders = { headers: [] };
  const join = (prev: string | undefined, v: string): string => (prev === undefined ? v : `${prev}, ${v}`);
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1').toLowerCase();
    const value = raw[i + 1]!.toString('latin1');
    if (name === 'connection') {
      listedInConnection ??= new Set();
      for (const t of connectionTokens(value)) listedInConnection.add(t);
      continue;
    }
    if (HOP_BY_HOP.has(name)) continue;
    switch (name) {
      case 'content-length':
        out.contentLength = value;
        break;
      case 'content-type':
        out.contentType = join(out.contentType, value);
        break;
      case 'content-encoding':
        out.contentEncoding = join(out.contentEncoding, value);
        break;
      case 'x-hoopctl-masked':
        out.masked = join(out.masked, value);
        break;
      case 'x-hoopctl-summary':
        out.summary = join(out.summary, value);
        break;
      default:
        break;
    }
    out.headers.push(name, value);
  }
  if (listedInConnection !== undefined) {
    const kept: string[] = [];
    for (let i = 0; i < out.headers.length; i += 2) if (!listedInConnection.has(out.headers[i]!)) kept.push(out.headers[i]!, out.headers[i + 1]!);
    out.headers = kept;
  }
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
