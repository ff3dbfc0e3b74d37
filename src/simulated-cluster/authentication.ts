// Bearer token authentication and impersonation headers, as kube-apiserver's authentication
// and impersonation filters read them: `Authorization: Bearer …` (or, for WebSocket upgrades,
// the `base64url.bearer.authorization.k8s.io.<token>` subprotocol), then Impersonate-User,
// one Impersonate-Group line per group, Impersonate-Uid and Impersonate-Extra-<key>.
import type { IncomingMessage } from 'node:http';
import type { UserInfo } from './handler-context.js';

/** Impersonation headers of one request. */
export interface Impersonation {
  user: string;
  groups: string[];
  uid?: string;
  extra: Record<string, string[]>;
}

/** The identity behind every accepted token: a cluster admin, like the fixtures' admin token. */
const ADMIN: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

/** The bearer token of a request, from Authorization or the WebSocket bearer subprotocol. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    return m ? m[1] : undefined;
  }
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  const prefix = 'base64url.bearer.authorization.k8s.io.';
  const p = protocols.find((x) => x.startsWith(prefix));
  return p ? Buffer.from(p.slice(prefix.length), 'base64url').toString('utf8') : undefined;
}

/** Reads the impersonation headers (all lines of repeated headers, any case); undefined when there are none. */
export function readImpersonation(req: IncomingMessage): Impersonation | undefined {
  let user: string | undefined;
  let uid: string | undefined;
  const groups: string[] = [];
  const extra: Record<string, string[]> = {};
  let any = false;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (!name.startsWith('impersonate-')) continue;
    any = true;
    if (name === 'impersonate-user') user = value;
    else if (name === 'impersonate-group') groups.push(value);
    else if (name === 'impersonate-uid') uid = value;
    else if (name.startsWith('impersonate-extra-')) (extra[decodeURIComponent(name.slice('impersonate-extra-'.length))] ??= []).push(value);
  }
  if (!any) return undefined;
  const imp: Impersonation = { user: user ?? '', groups, extra };
  if (uid !== undefined) imp.uid = uid;
  return imp;
}

/** The effective user: the impersonated one (plus system:authenticated) or the admin. */
export function effectiveUser(imp: Impersonation | undefined): UserInfo {
  if (!imp || !imp.user) return ADMIN;
  const groups = imp.groups.includes('system:authenticated') ? [...imp.groups] : [...imp.groups, 'system:authenticated'];
  const user: UserInfo = { username: imp.user, groups };
  if (imp.uid !== undefined) user.uid = imp.uid;
  if (Object.keys(imp.extra).length > 0) user.extra = imp.extra;
  return user;
}
