// Content negotiation, response writing and request body decoding, with the headers and
// encodings kube-apiserver 1.32 uses (fixtures README "Accept headers kubectl sends").
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { decodeKubeProtobuf, isKubeProtobuf } from './protobuf.js';
import { ApiError, badRequest, notAcceptable, notAcceptableMediaType, unsupportedMediaType, type StatusBody } from './status.js';

/** What the client accepts for a resource answer. */
export interface Negotiated {
  format: 'json' | 'yaml';
  as?: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
  /** meta.k8s.io/v1 or meta.k8s.io/v1beta1, for `as` answers. */
  metaApiVersion?: string;
}

// Fixed per process: real servers send the APF flow schema / priority level of the request.
const FLOW_SCHEMA_UID = randomUUID();
const PRIORITY_LEVEL_UID = randomUUID();

/** One entry of an Accept header: media type and parameters. */
export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** Splits an Accept header into media ranges, in the client's order. */
export function parseAccept(accept: string | undefined): MediaRange[] {
  if (!accept || accept.trim() === '') return [];
  return accept.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const eq = kv.indexOf('=');
      if (eq > 0) p[kv.slice(0, eq).trim().toLowerCase()] = kv.slice(eq + 1).trim();
    }
    return { type: type.toLowerCase(), params: p };
  });
}

const JSONISH = new Set(['application/json', '*/*', 'application/*', 'application/vnd.kubernetes.protobuf']);

// Protobuf is accepted but answered in JSON: kubectl always offers JSON next to it and accepts a
// JSON answer (fixture 83); a protobuf-only client gets JSON too, as from a JSON-only server.
/** Picks the answer format of a resource request from its Accept header (406 when none fits). */
export function negotiate(accept: string | undefined): Negotiated {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { format: 'json' };
  let sawAs = false;
  for (const r of ranges) {
    const as = r.params['as'];
    if (as !== undefined) {
      sawAs = true;
      if (r.type !== 'application/json' || r.params['g'] !== 'meta.k8s.io') continue;
      const v = r.params['v'];
      if (as === 'Table' && (v === 'v1' || v === 'v1beta1')) return { format: 'json', as: 'Table', metaApiVersion: `meta.k8s.io/${v}` };
      if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && (v === 'v1' || v === 'v1beta1')) {
        return { format: 'json', as, metaApiVersion: `meta.k8s.io/${v}` };
      }
      continue;
    }
    if (JSONISH.has(r.type)) return { format: 'json' };
    if (r.type === 'application/yaml') return { format: 'yaml' };
  }
  throw sawAs ? notAcceptableMediaType() : notAcceptable();
}

/** Headers every API answer carries (Audit-Id, Cache-Control, the APF uids). */
export function apiHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'Audit-Id': randomUUID(),
    'Cache-Control': 'no-cache, private',
    ...extra,
    'X-Kubernetes-Pf-Flowschema-Uid': FLOW_SCHEMA_UID,
    'X-Kubernetes-Pf-Prioritylevel-Uid': PRIORITY_LEVEL_UID,
  };
}

function wantsPretty(req: IncomingMessage, url: URL): boolean {
  return url.searchParams.get('pretty') === 'true' || (req.headers['user-agent'] ?? '').startsWith('curl/');
}

/** Writes a JSON (or YAML) answer with kube's trailing newline; `contentType` overrides the JSON type (discovery). */
export function writeObject(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  status: number,
  body: unknown,
  opts: { format?: 'json' | 'yaml'; contentType?: string; headers?: Record<string, string> } = {},
): void {
  let text: string;
  let type: string;
  if (opts.format === 'yaml') {
    // sigs.k8s.io/yaml: keys sorted, sequences not indented, YAML 1.1 quoting (timestamps quoted).
    text = stringifyYaml(body, { lineWidth: 0, sortMapEntries: true, indentSeq: false, version: '1.1' });
    type = 'application/yaml';
  } else {
    text = wantsPretty(req, url) ? `${JSON.stringify(body, null, 2)}\n` : `${JSON.stringify(body)}\n`;
    type = opts.contentType ?? 'application/json';
  }
  const data = Buffer.from(text, 'utf8');
  res.writeHead(status, apiHeaders({ 'Content-Type': type, ...opts.headers, 'Content-Length': String(data.length) }));
  res.end(data);
}

/** Writes a Status body for an error (or a Success Status). */
export function writeStatus(req: IncomingMessage, res: ServerResponse, url: URL, status: StatusBody): void {
  const extra: Record<string, string> = status.code === 403 ? { 'X-Content-Type-Options': 'nosniff' } : {};
  writeObject(req, res, url, status.code ?? 200, status, { headers: extra });
}

/** Writes a text/plain answer (health checks, logs, the unknown-path 404). */
export function writeText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const data = Buffer.from(text, 'utf8');
  res.writeHead(
    status,
    apiHeaders({
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
      'Content-Length': String(data.length),
    }),
  );
  res.end(data);
}

/** The Go mux's answer to a path no handler serves: text/plain, not a Status. */
export function writePageNotFound(res: ServerResponse): void {
  writeText(res, 404, '404 page not found\n');
}

/** Reads the whole request body (bounded like kube's 3 MiB request limit). */
export async function readBody(req: IncomingMessage, limit = 3 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit)
      throw new ApiError({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Request entity too large: limit is 3145728',
        reason: 'RequestEntityTooLarge',
        code: 413,
      });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Decodes a request body by Content-Type: JSON, YAML, Kubernetes protobuf; CBOR and others are 415. */
export function decodeBody(contentType: string | undefined, body: Buffer, expectedKind: string): unknown {
  const type = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/vnd.kubernetes.protobuf' || isKubeProtobuf(body)) return decodeKubeProtobuf(body);
  let value: unknown;
  try {
    if (type === 'application/json' || type.endsWith('+json') || type === '') value = JSON.parse(body.toString('utf8'));
    else if (type === 'application/yaml' || type.endsWith('+yaml')) value = parseYaml(body.toString('utf8'));
    else throw unsupportedMediaType();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): couldn't get version/kind; json parse error: ${detail}`);
  }
  if (value === null || typeof value !== 'object') {
    throw badRequest(`the object provided is unrecognized (must be of type ${expectedKind}): couldn't get version/kind; json parse error: expected an object`);
  }
  return value;
}
