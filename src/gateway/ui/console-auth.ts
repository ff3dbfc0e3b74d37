/**
 * Console sign-in: OIDC authorization code flow with PKCE (RFC 7636) at the CLI's issuer, with
 * openid-client. The person's sign-in lives server-side; the browser holds only a random cookie
 * (HttpOnly, SameSite=Lax, Secure over TLS). No token ever reaches a URL or browser storage.
 */
import { randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as client from 'openid-client';
import { HoopError } from '../../errors.js';
import type { OidcIssuerConfig } from '../config.js';
import { isAdmin, type GatewayContext } from '../gateway-context.js';
import { groupsFrom, usernameFrom } from '../id-token-verifier.js';
import { isLoopbackHost } from '../listen-address.js';
import type { ConsoleConfig } from './config-console.js';

/** A signed-in person. */
export interface ConsoleSession {
  user: string;
  groups: string[];
  admin: boolean;
  /** Synchronizer token: every state-changing form carries it. */
  csrf: string;
  expiresAt: number;
}

interface PendingLogin {
  verifier: string;
  state: string;
  nonce: string;
  next: string;
  expiresAt: number;
}

/** Sign-in, sign-out and the session of a request. */
export interface ConsoleAuth {
  /** The signed-in person of this request, or undefined. */
  sessionOf(req: IncomingMessage): ConsoleSession | undefined;
  /** Redirects the browser to the IdP; `next` is the console path to return to. */
  startLogin(res: ServerResponse, next: string): Promise<void>;
  /** Finishes the code flow at the callback; returns the path to go to and the Set-Cookie headers. */
  finishLogin(req: IncomingMessage, url: URL): Promise<{ next: string; setCookie: string[] }>;
  /** Forgets the session; returns the Set-Cookie header that clears the cookie. */
  logout(req: IncomingMessage): string;
  /** Throws unless the form's token matches the session's and the request comes from this origin. */
  checkCsrf(req: IncomingMessage, session: ConsoleSession, form: URLSearchParams): void;
}

const LOGIN_TTL_MS = 10 * 60 * 1000;
const MAX_PENDING = 10_000;

function random(): string {
  return randomBytes(32).toString('base64url');
}

function sameSecret(a: string, b: string): boolean {
  const d = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(d(a), d(b));
}

/** Only console paths may be returned to after sign-in (no open redirect). */
export function safeNext(next: string | null): string {
  return next !== null && /^\/ui(\/[^\\]*)?$/.test(next) && !next.startsWith('//') ? next : '/ui/requests';
}

function cookiesOf(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

/** Creates the console's sign-in for a gateway whose config has a `console` section. */
export function createConsoleAuth(gw: GatewayContext, cfg: ConsoleConfig): ConsoleAuth {
  const issuer: OidcIssuerConfig = gw.config.oidc.issuers.find((i) => i.cli) ?? gw.config.oidc.issuers[0]!;
  const tls = gw.publicUrl.startsWith('https:');
  // `__Host-` binds the cookie to this exact origin (no Domain, Path=/, Secure); it needs TLS.
  const SESSION = tls ? '__Host-hoopctl-console' : 'hoopctl-console';
  const LOGIN = tls ? '__Host-hoopctl-console-login' : 'hoopctl-console-login';
  const attrs = `Path=/; HttpOnly; SameSite=Lax${tls ? '; Secure' : ''}`;
  const redirectUri = cfg.redirectUri ?? `${gw.publicUrl}/ui/auth/callback`;
  const origin = new URL(redirectUri).origin;
  const sessions = new Map<string, ConsoleSession>();
  const pending = new Map<string, PendingLogin>();
  let discovered: Promise<client.Configuration> | undefined;

  function discover(): Promise<client.Configuration> {
    const url = new URL(issuer.issuer);
    const execute = url.protocol === 'http:' && isLoopbackHost(url.hostname) ? [client.allowInsecureRequests] : [];
    discovered ??= client.discovery(url, cfg.clientId, cfg.clientSecret, cfg.clientSecret === undefined ? client.None() : client.ClientSecretPost(cfg.clientSecret), { execute })
      .catch((cause: unknown) => {
        discovered = undefined;
        throw new HoopError('gateway_error', `the identity provider ${issuer.issuer} is unreachable; try again shortly`, { cause });
      });
    return discovered;
  }

  function sweep(): void {
    const now = gw.now();
    for (const [k, s] of sessions) if (s.expiresAt <= now) sessions.delete(k);
    for (const [k, p] of pending) if (p.expiresAt <= now) pending.delete(k);
  }

  return {
    sessionOf(req) {
      const id = cookiesOf(req).get(SESSION);
      const s = id === undefined ? undefined : sessions.get(id);
      if (s === undefined) return undefined;
      if (s.expiresAt <= gw.now()) { sessions.delete(id!); return undefined; }
      return s;
    },
    async startLogin(res, next) {
      sweep();
      if (pending.size >= MAX_PENDING) throw new HoopError('gateway_error', 'too many sign-ins in progress; try again shortly');
      const config = await discover();
      const p: PendingLogin = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce(), next: safeNext(next), expiresAt: gw.now() + LOGIN_TTL_MS };
      const key = random();
      pending.set(key, p);
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, scope: cfg.scopes.join(' '), state: p.state, nonce: p.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(p.verifier), code_challenge_method: 'S256',
      });
      res.writeHead(303, { location: url.href, 'set-cookie': `${LOGIN}=${key}; ${attrs}; Max-Age=${LOGIN_TTL_MS / 1000}`, 'cache-control': 'no-store', 'referrer-policy': 'same-origin', 'content-length': 0 });
      res.end();
    },
    async finishLogin(req, url) {
      const key = cookiesOf(req).get(LOGIN);
      const p = key === undefined ? undefined : pending.get(key);
      if (p === undefined || p.expiresAt <= gw.now()) throw new HoopError('login_failed', 'this sign-in expired or was started in another browser', { hint: 'sign in again at /ui/' });
      pending.delete(key!);
      const config = await discover();
      const current = new URL(redirectUri);
      current.search = url.search;
      let claims: Record<string, unknown> | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: p.verifier, expectedState: p.state, expectedNonce: p.nonce, idTokenExpected: true });
        claims = tokens.claims();
      } catch (cause) {
        throw new HoopError('login_failed', `sign-in at ${issuer.issuer} failed: ${(cause as Error).message}`, { cause, hint: 'sign in again at /ui/' });
      }
      if (claims === undefined) throw new HoopError('login_failed', 'the identity provider returned no ID token');
      const named = usernameFrom(claims, issuer.usernameClaim);
      // The same rules as for API callers (a verified email, or the configured claim).
      if (!('user' in named)) throw new HoopError('login_failed', named.refused);
      const user = named.user;
      const groups = groupsFrom(claims, issuer.groupsClaim);
      if (groups === undefined) throw new HoopError('login_failed', `the ID token's ${issuer.groupsClaim} claim is not a list`);
      // The same refusal as for API callers: an IdP must not name a Kubernetes system identity.
      if ([user, ...groups].some((n) => n.toLowerCase().startsWith('system:'))) throw new HoopError('denied', 'a Kubernetes system: identity cannot sign in');
      const id = random();
      const expiresAt = gw.now() + cfg.sessionTtlSeconds * 1000;
      sessions.set(id, { user, groups, admin: isAdmin(gw.config, { user, groups }), csrf: random(), expiresAt });
      gw.log(`console: ${user} signed in`);
      return { next: p.next, setCookie: [`${SESSION}=${id}; ${attrs}; Max-Age=${cfg.sessionTtlSeconds}`, `${LOGIN}=; ${attrs}; Max-Age=0`] };
    },
    logout(req) {
      const id = cookiesOf(req).get(SESSION);
      if (id !== undefined) sessions.delete(id);
      return `${SESSION}=; ${attrs}; Max-Age=0`;
    },
    checkCsrf(req, session, form) {
      // Defence in depth next to the token: browsers send Origin on every POST, and it must be ours.
      const from = req.headers.origin;
      if (from !== undefined && from !== origin) throw new HoopError('denied', `a form from ${from} cannot act on this console`);
      if (req.headers['sec-fetch-site'] === 'cross-site') throw new HoopError('denied', 'a cross-site form cannot act on this console');
      const given = form.get('csrf');
      if (given === null || !sameSecret(given, session.csrf)) throw new HoopError('denied', 'the form expired or came from another page; reload and try again');
    },
  };
}
