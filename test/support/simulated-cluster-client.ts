// A minimal HTTP(S) client for the simulated server's own tests: exact headers in, status,
// headers and raw body out (no dependency, no header rewriting).
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What a test needs from a server to talk to it. */
export interface Target {
  url: string;
  token: string;
  caPem?: string;
}

/** One answer. */
export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any;
}

/** Options of send(); headers are sent as given (Authorization is added unless `auth: false`). */
export interface SendOptions {
  headers?: Record<string, string | string[]>;
  body?: string | Buffer | undefined;
  auth?: boolean | string;
}

/** Opens a request and resolves with the response head (the body still streaming). */
export function open(target: Target, method: string, path: string, options: SendOptions = {}): Promise<IncomingMessage> {
  const url = new URL(path, target.url);
  const headers: Record<string, string | string[]> = { ...options.headers };
  if (options.auth !== false) headers['Authorization'] = `Bearer ${typeof options.auth === 'string' ? options.auth : target.token}`;
  if (options.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(options.body));
  const doRequest = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = doRequest(url, { method, headers, ca: target.caPem, agent: false }, resolve);
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Sends a request and reads the whole answer. */
export async function send(target: Target, method: string, path: string, options: SendOptions = {}): Promise<Answer> {
  const res = await open(target, method, path, options);
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const text = body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode ?? 0, headers: res.headers, body, text, json };
}
