/**
 * Console sign-in: OIDC authorization code flow with PKCE (RFC 7636) at the CLI's issuer, with
 * openid-client. The browser holds only sealed cookies (AES-256-GCM, HttpOnly, SameSite=Lax, Secure
 * over TLS) whose key every replica reads from the store, so any replica serves any sign-in without
 * sticky routing. What must be shared beyond the cookie is in the store too: a login cookie is used
 * once (claimSetting), and a sign-out is recorded so every replica refuses that cookie afterwards.
 * No token ever reaches a URL or browser storage.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
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
  /** Random id of this sign-in (what a sign-out records). */
  id: string;
  user: string;
  groups: string[];
  admin: boolean;
  /** Synchronizer token: every state-changing form carries it. */
  csrf: string;
  expiresAt: number;
}

interface PendingLogin {
  /** Random id: a login cookie finishes one sign-in only. */
  id: string;
  verifier: string;
  state: string;
  nonce: string;
  next: string;
  expiresAt: number;
}

/** Sign-in, sign-out and the session of a request. */
export interface ConsoleAuth {
  /** The signed-in person of this request, or undefined. */
  sessionOf(req: IncomingMessage): Promise<ConsoleSession | undefined>;
  /** Redirects the browser to the IdP; `next` is the console path to return to. */
  startLogin(res: ServerResponse, next: string): Promise<void>;
  /** Finishes the code flow at the callback; returns the path to go to and the Set-Cookie headers. */
  finishLogin(req: IncomingMessage, url: URL): Promise<{ next: string; setCookie: string[] }>;
  /** Ends the sign-in on every replica; returns the Set-Cookie header that clears the cookie. */
  logout(session: ConsoleSession): Promise<string>;
  /** Throws unless the form's token matches the session's and the request comes from this origin. */
  checkCsrf(req: IncomingMessage, session: ConsoleSession, form: URLSearchParams): void;
}

const LOGIN_TTL_MS = 10 * 60 * 1000;
// Browsers keep cookies up to 4096 bytes (name, value and attributes).
const MAX_COOKIE_VALUE = 3800;
/** Store setting holding the cookie key (base64url, 32 bytes): the first replica's key wins. */
export const CONSOLE_COOKIE_KEY_SETTING = 'console-cookie-key';

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

/** AES-256-GCM over JSON, bound to the cookie's name: iv (12) | tag (16) | ciphertext, base64url. */
function seal(key: Buffer, name: string, value: object): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(name));
  const body = Buffer.concat([c.update(JSON.stringify(value), 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
}

/** The sealed value, or undefined when it was not sealed with this key under this name. */
function unseal(key: Buffer, name: string, text: string | undefined): unknown {
  if (text === undefined || text.length > MAX_COOKIE_VALUE) return undefined;
  const raw = Buffer.from(text, 'base64url');
  if (raw.length < 29) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12)).setAAD(Buffer.from(name));
    d.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function isConsoleSession(v: unknown): v is ConsoleSession {
  const s = v as ConsoleSession;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof s.id === 'string' &&
    typeof s.user === 'string' &&
    Array.isArray(s.groups) &&
    s.groups.every((g) => typeof g === 'string') &&
    typeof s.admin === 'boolean' &&
    typeof s.csrf === 'string' &&
    typeof s.expiresAt === 'number'
  );
}

function isPendingLogin(v: unknown): v is PendingLogin {
  const p = v as PendingLogin;
  return (
    typeof v === 'object' && v !== null && [p.id, p.verifier, p.state, p.nonce, p.next].every((x) => typeof x === 'string') && typeof p.expiresAt === 'number'
  );
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
  let discovered: Promise<client.Configuration> | undefined;
  let cookieKey: Promise<Buffer> | undefined;

  function keyOf(): Promise<Buffer> {
    cookieKey ??= gw.store
      .claimSetting(CONSOLE_COOKIE_KEY_SETTING, randomBytes(32).toString('base64url'))
      .then((k) => Buffer.from(k, 'base64url'))
      .catch((cause: unknown) => {
        cookieKey = undefined;
        throw new HoopError('store_error', 'the console cannot read its cookie key from the store; try again shortly', { cause });
      });
    return cookieKey;
  }
  const signedOut = (id: string): string => `console-signed-out:${id}`;
  const loginUsed = (id: string): string => `console-login-used:${id}`;

  function discover(): Promise<client.Configuration> {
    const url = new URL(issuer.issuer);
    const execute = url.protocol === 'http:' && isLoopbackHost(url.hostname) ? [client.allowInsecureRequests] : [];
    discovered ??= client
      .discovery(url, cfg.clientId, cfg.clientSecret, cfg.clientSecret === undefined ? client.None() : client.ClientSecretPost(cfg.clientSecret), { execute })
      .catch((cause: unknown) => {
        discovered = undefined;
        throw new HoopError('gateway_error', `the identity provider ${issuer.issuer} is unreachable; try again shortly`, { cause });
      });
    return discovered;
  }

  return {
    async sessionOf(req) {
      const cookie = cookiesOf(req).get(SESSION);
      if (cookie === undefined) return undefined;
      const s = unseal(await keyOf(), SESSION, cookie);
      if (!isConsoleSession(s) || s.expiresAt <= gw.now()) return undefined;
      if ((await gw.store.readSetting(signedOut(s.id))) !== undefined) return undefined;
      return s;
    },
    async startLogin(res, next) {
      const config = await discover();
      const p: PendingLogin = {
        id: random(),
        verifier: client.randomPKCECodeVerifier(),
        state: client.randomState(),
        nonce: client.randomNonce(),
        next: safeNext(next),
        expiresAt: gw.now() + LOGIN_TTL_MS,
      };
      const key = seal(await keyOf(), LOGIN, p);
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: cfg.scopes.join(' '),
        state: p.state,
        nonce: p.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(p.verifier),
        code_challenge_method: 'S256',
      });
      res.writeHead(303, {
        location: url.href,
        'set-cookie': `${LOGIN}=${key}; ${attrs}; Max-Age=${LOGIN_TTL_MS / 1000}`,
        'cache-control': 'no-store',
        'referrer-policy': 'same-origin',
        'content-length': 0,
      });
      res.end();
    },
    async finishLogin(req, url) {
      const p = unseal(await keyOf(), LOGIN, cookiesOf(req).get(LOGIN));
      const expired = new HoopError('login_failed', 'this sign-in expired or was started in another browser', { hint: 'sign in again at /ui/' });
      if (!isPendingLogin(p) || p.expiresAt <= gw.now()) throw expired;
      const config = await discover();
      const current = new URL(redirectUri);
      current.search = url.search;
      let claims: Record<string, unknown> | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(config, current, {
          pkceCodeVerifier: p.verifier,
          expectedState: p.state,
          expectedNonce: p.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (cause) {
        throw new HoopError('login_failed', `sign-in at ${issuer.issuer} failed: ${(cause as Error).message}`, { cause, hint: 'sign in again at /ui/' });
      }
      if (claims === undefined) throw new HoopError('login_failed', 'the identity provider returned no ID token');
      // One use, on any replica: the first claim of this login's id wins. Claimed only after the IdP accepted the code
      // (itself one-use, so a replayed cookie + code already fails there), so a callback with a made-up code writes no row;
      // the claim still refuses the same login cookie with a second, fresh code.
      const mark = random();
      if ((await gw.store.claimSetting(loginUsed(p.id), mark)) !== mark) throw expired;
      const named = usernameFrom(claims, issuer.usernameClaim);
      // The same rules as for API callers (a verified email, or the configured claim).
      if (!('user' in named)) throw new HoopError('login_failed', named.refused);
      const user = named.user;
      const groups = groupsFrom(claims, issuer.groupsClaim);
      if (groups === undefined) throw new HoopError('login_failed', `the ID token's ${issuer.groupsClaim} claim is not a list`);
      // The same refusal as for API callers: an IdP must not name a Kubernetes system identity.
      if ([user, ...groups].some((n) => n.toLowerCase().startsWith('system:'))) throw new HoopError('denied', 'a Kubernetes system: identity cannot sign in');
      const session: ConsoleSession = {
        id: random(),
        user,
        groups,
        admin: isAdmin(gw.config, { user, groups }),
        csrf: random(),
        expiresAt: gw.now() + cfg.sessionTtlSeconds * 1000,
      };
      const sealed = seal(await keyOf(), SESSION, session);
      if (sealed.length > MAX_COOKIE_VALUE) {
        throw new HoopError('login_failed', `the identity provider names ${groups.length} groups for ${user}: too many to keep in a browser cookie`, {
          hint: 'ask the IdP admin to send only the groups hoopctl uses (a groups filter on the client)',
        });
      }
      gw.log(`console: ${user} signed in`);
      return { next: p.next, setCookie: [`${SESSION}=${sealed}; ${attrs}; Max-Age=${cfg.sessionTtlSeconds}`, `${LOGIN}=; ${attrs}; Max-Age=0`] };
    },
    async logout(session) {
      await gw.store.claimSetting(signedOut(session.id), new Date(gw.now()).toISOString());
      gw.log(`console: ${session.user} signed out`);
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
