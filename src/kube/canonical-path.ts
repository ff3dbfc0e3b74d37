/**
 * Splits a request target into decoded path segments and query values, refusing every form
 * that two HTTP stacks could read differently. The gateway decides on what it parsed here and
 * forwards the raw target, so the API server must see the same path: anything ambiguous is
 * refused, never cleaned (cleaning is how `..%2f` style bypasses are born).
 */
import type { NonCanonicalPath } from './types.js';

/** A request target that passed every check: raw path, decoded segments, and query values by key. */
export interface CanonicalPath {
  /** The path exactly as received (still percent-encoded), without the query. */
  path: string;
  /**
   * The percent-decoded path, as Go's `url.URL.Path` gives it: what kube-apiserver routes on and what
   * RBAC matches `nonResourceURLs` against. Unambiguous, because every escape that could change how
   * it splits (`%2F`, `%2E`, `%5C`, `%25`) was refused.
   */
  decodedPath: string;
  /** Percent-decoded segments, as Go's `url.URL.Path` split on `/` would give them. */
  segments: string[];
  /** True when the path ends in `/` (and is not `/` itself); the caller decides whether that is acceptable. */
  trailingSlash: boolean;
  /** Query values by key, decoded like Go's `url.ParseQuery` (`+` is a space). */
  query: Map<string, string[]>;
}

/** Refusal helper, so every refusal carries a sentence kubectl can print. */
export function refuse(reason: string): NonCanonicalPath {
  return { refused: true, reason };
}

/** Parses and checks `pathAndQuery` (origin-form request target, RFC 9112 §3.2.1). */
export function parseCanonicalPath(pathAndQuery: string): CanonicalPath | NonCanonicalPath {
  if (!pathAndQuery.startsWith('/')) return refuse('the request path must start with "/"');
  for (const ch of pathAndQuery) {
    const c = ch.codePointAt(0) ?? 0;
    // Raw controls, spaces and non-ASCII are invalid in a request target; Node and Go differ in what they tolerate.
    if (c <= 0x20 || c >= 0x7f) return refuse('the request path contains a control, space or non-ASCII character');
  }
  if (pathAndQuery.includes('#')) return refuse('the request path contains a fragment ("#")');

  const q = pathAndQuery.indexOf('?');
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
  const rawQuery = q === -1 ? '' : pathAndQuery.slice(q + 1);
  if (path.includes('\\')) return refuse('the request path contains a backslash');

  // `//` alone would otherwise read as the root with a trailing slash; kube serves no such path.
  if (path.startsWith('//')) return refuse('the request path contains an empty segment ("//")');
  const trailingSlash = path.length > 1 && path.endsWith('/');
  const body = path === '/' ? '' : path.slice(1, trailingSlash ? -1 : undefined);
  const segments: string[] = [];
  if (body !== '') {
    for (const raw of body.split('/')) {
      if (raw === '') return refuse('the request path contains an empty segment ("//")');
      if (raw === '.' || raw === '..') return refuse(`the request path contains a "${raw}" segment`);
      const decoded = decodePathSegment(raw);
      if (typeof decoded !== 'string') return decoded;
      segments.push(decoded);
    }
  }

  const query = parseQuery(rawQuery);
  if ('refused' in query) return query;
  const decodedPath = `/${segments.join('/')}${trailingSlash ? '/' : ''}`;
  return { path, decodedPath, segments, trailingSlash, query };
}

/** Characters that must never arrive percent-encoded in a path: they would change how it splits or resolves. */
const FORBIDDEN_ENCODED = new Map<number, string>([
  [0x2f, 'an encoded "/" (%2F)'],
  [0x5c, 'an encoded "\\" (%5C)'],
  [0x2e, 'an encoded "." (%2E)'],
  [0x25, 'an encoded "%" (%25)'],
]);

function decodePathSegment(raw: string): string | NonCanonicalPath {
  if (!raw.includes('%')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] ?? '';
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const hex = raw.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return refuse('the request path contains an invalid percent-escape');
    const code = parseInt(hex, 16);
    if (code === 0) return refuse('the request path contains an encoded NUL (%00)');
    const named = FORBIDDEN_ENCODED.get(code);
    if (named !== undefined) return refuse(`the request path contains ${named}`);
    if (code < 0x20 || code >= 0x7f) return refuse('the request path contains an encoded control or non-ASCII byte');
    out += String.fromCharCode(code);
    i += 2;
  }
  return out;
}

/**
 * Go's `url.ParseQuery` silently drops pairs with a `;` or a bad escape, while WHATWG
 * URLSearchParams keeps them: refuse both so `watch` and `fieldSelector` mean one thing.
 * https://pkg.go.dev/net/url#ParseQuery
 */
function parseQuery(rawQuery: string): Map<string, string[]> | NonCanonicalPath {
  const out = new Map<string, string[]>();
  if (rawQuery === '') return out;
  if (rawQuery.includes(';')) return refuse('the query contains ";", which Go and Node split differently');
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decodeQueryComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = decodeQueryComponent(eq === -1 ? '' : pair.slice(eq + 1));
    if (key === undefined || value === undefined) return refuse('the query contains an invalid percent-escape');
    const list = out.get(key);
    if (list === undefined) out.set(key, [value]);
    else list.push(value);
  }
  return out;
}

function decodeQueryComponent(s: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return undefined;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return undefined; // percent-escapes that are not valid UTF-8
  }
}
