/**
 * A route table: method + path pattern → handler, for the gateway's own endpoints. A path the table knows, asked
 * with a method it does not list, is answered 405 with `Allow` (RFC 9110 §15.5.6); a path it does not know is not
 * its business (the caller answers 404 or hands it on).
 */
import type { ServerResponse } from 'node:http';
import { buildStatus } from '../kube/status.js';

/** The methods the gateway's endpoints answer. */
export type RouteMethod = 'GET' | 'POST' | 'DELETE';

/** One row of the table: `path` is literal segments and `:name` parameters, each one whole segment. */
export interface Route<C> {
  method: RouteMethod;
  path: string;
  /** `params` holds each `:name` segment as received (still percent-encoded: the handler decides how to read it). */
  handle(c: C, params: Readonly<Record<string, string>>): Promise<void> | void;
}

/** What the table says about one request. */
export type RouteMatch<C> =
  { kind: 'route'; route: Route<C>; params: Record<string, string> } | { kind: 'method-not-allowed'; allow: RouteMethod[] } | { kind: 'none' };

/** A compiled table. */
export interface RouteTable<C> {
  readonly routes: readonly Route<C>[];
  match(method: string, path: string): RouteMatch<C>;
}

interface Compiled<C> {
  re: RegExp;
  names: string[];
  byMethod: Map<string, Route<C>>;
}

function compilePath(path: string): { re: RegExp; names: string[] } {
  if (!path.startsWith('/')) throw new Error(`route path ${JSON.stringify(path)} does not start with /`);
  const names: string[] = [];
  const source = path
    .slice(1)
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        names.push(seg.slice(1));
        return '([^/]+)';
      }
      if (seg === '' || /[^A-Za-z0-9._-]/.test(seg))
        throw new Error(`route path ${JSON.stringify(path)} has a segment that is neither a name nor a :parameter`);
      return seg.replace(/\./g, '\\.');
    })
    .join('/');
  return { re: new RegExp(`^/${source}$`), names };
}

/** Compiles a table; a path listed twice for one method is a mistake caught here, at start, not per request. */
export function createRouteTable<C>(routes: readonly Route<C>[]): RouteTable<C> {
  const paths = new Map<string, Compiled<C>>();
  for (const route of routes) {
    let c = paths.get(route.path);
    if (c === undefined) {
      c = { ...compilePath(route.path), byMethod: new Map() };
      paths.set(route.path, c);
    }
    if (c.byMethod.has(route.method)) throw new Error(`route ${route.method} ${route.path} is listed twice`);
    c.byMethod.set(route.method, route);
  }
  const compiled = [...paths.values()];
  return {
    routes,
    match(method, path) {
      let allow: RouteMethod[] | undefined;
      for (const c of compiled) {
        const m = c.re.exec(path);
        if (m === null) continue;
        const route = c.byMethod.get(method);
        if (route === undefined) {
          allow ??= [];
          allow.push(...([...c.byMethod.keys()] as RouteMethod[]));
          continue;
        }
        const params: Record<string, string> = {};
        c.names.forEach((n, i) => {
          params[n] = m[i + 1]!;
        });
        return { kind: 'route', route, params };
      }
      return allow === undefined ? { kind: 'none' } : { kind: 'method-not-allowed', allow: [...new Set(allow)] };
    },
  };
}

/** Answers 405 with `Allow` and a Status body, as kube-apiserver refuses a method (reason MethodNotAllowed). */
export function sendMethodNotAllowed(res: ServerResponse, method: string, path: string, allow: readonly RouteMethod[]): void {
  const status = buildStatus(405, 'MethodNotAllowed', `the server does not allow method ${method} on ${path} (allowed: ${allow.join(', ')})`);
  const body = JSON.stringify(status);
  res.writeHead(405, {
    allow: allow.join(', '),
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}
