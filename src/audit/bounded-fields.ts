/**
 * Bounds on the free-text fields of an audit event. Unauthenticated requests are audited too, so every field a
 * caller can fill (a User-Agent header, a connection name in the path, names an IdP hands out) is kept to a fixed
 * size: a longer value is stored cut, followed by its full length and a SHA-256 prefix (two long values stay
 * distinguishable, and a search for one still finds it by its digest). The request URI has its own, masking-aware
 * bound (src/mask/bounded-uri.ts).
 */
import { createHash } from 'node:crypto';

/** Longest User-Agent kept whole (kubectl's is under 100 characters). */
export const MAX_USER_AGENT_CHARS = 512;
/** Longest name (user, group, connection, namespace, object name …) kept whole; Kubernetes names stop at 253. */
export const MAX_NAME_CHARS = 512;
/** Longest message kept whole. */
export const MAX_MESSAGE_CHARS = 4096;
/** Most groups kept; the rest are counted in one last entry. */
export const MAX_GROUPS = 256;

/** `s` itself up to `max` characters; above, its first `max` characters and `…[cut: N characters, sha256:…]`. */
export function cutText(s: string, max: number): string {
  if (s.length <= max) return s;
  const digest = createHash('sha256').update(s).digest('hex').slice(0, 16);
  return `${s.slice(0, max)}…[cut: ${s.length} characters, sha256:${digest}]`;
}

function cutOrNull(s: string | null, max: number): string | null {
  return s === null ? null : cutText(s, max);
}

// Groups come from an IdP: each name is bounded, and so is their number.
function boundGroups(groups: string[]): string[] {
  const named =
    groups.length <= MAX_GROUPS && groups.every((g) => g.length <= MAX_NAME_CHARS)
      ? groups
      : groups.slice(0, MAX_GROUPS).map((g) => cutText(g, MAX_NAME_CHARS));
  return groups.length <= MAX_GROUPS ? named : [...named, `…[cut: ${groups.length - MAX_GROUPS} more groups]`];
}

/** The text fields of an audit event (audit-event.ts builds its events through boundAuditFields). */
export interface AuditTextFields {
  session: string | null;
  user: string | null;
  groups: string[];
  impersonatedUser: string | null;
  connection: string | null;
  verb: string;
  apiGroup: string | null;
  resource: string | null;
  subresource: string | null;
  namespace: string | null;
  name: string | null;
  userAgent: string | null;
  sourceIP: string | null;
  message: string | null;
  annotations?: Record<string, string>;
}

/** The event with every caller-controlled text field bounded. */
export function boundAuditFields<E extends AuditTextFields>(e: E): E {
  const bounded: E = {
    ...e,
    session: cutOrNull(e.session, MAX_NAME_CHARS),
    user: cutOrNull(e.user, MAX_NAME_CHARS),
    groups: boundGroups(e.groups),
    impersonatedUser: cutOrNull(e.impersonatedUser, MAX_NAME_CHARS),
    connection: cutOrNull(e.connection, MAX_NAME_CHARS),
    verb: cutText(e.verb, MAX_NAME_CHARS),
    apiGroup: cutOrNull(e.apiGroup, MAX_NAME_CHARS),
    resource: cutOrNull(e.resource, MAX_NAME_CHARS),
    subresource: cutOrNull(e.subresource, MAX_NAME_CHARS),
    namespace: cutOrNull(e.namespace, MAX_NAME_CHARS),
    name: cutOrNull(e.name, MAX_NAME_CHARS),
    userAgent: cutOrNull(e.userAgent, MAX_USER_AGENT_CHARS),
    sourceIP: cutOrNull(e.sourceIP, MAX_NAME_CHARS),
    message: cutOrNull(e.message, MAX_MESSAGE_CHARS),
    ...(e.annotations === undefined
      ? {}
      : { annotations: Object.fromEntries(Object.entries(e.annotations).map(([k, v]) => [k, cutText(v, MAX_MESSAGE_CHARS)])) }),
  };
  return bounded;
}
