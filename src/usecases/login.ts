/**
 * `hoopctl login` (OIDC device authorization grant, RFC 8628, against the IdP the gateway names)
 * and getFreshLogin, which every command that talks to the gateway calls first.
 */
import { HoopError, isHoopError } from '../errors.js';
import { isLoopbackHost } from '../credential/loopback-host.js';
import type { DeviceAuthorization, TokenResponse } from '../oidc/device-authorization.js';
import { identityFromIdToken } from '../credential/id-token-identity.js';
import type { StoredLogin, TokenStoreKind } from '../oidc/token-store.js';
import type { IdentityDeps } from './identity-deps.js';
import { gatewayIdentity } from './gateway-identity.js';

export type { IdentityDeps, IdentityEdges, StatusIndicator } from './identity-deps.js';

/** Options of login. */
export interface LoginOptions {
  /** Gateway URL; default: the one remembered by the last login. */
  gateway?: string;
  /** Run the device flow even when a valid or refreshable login for this gateway is stored. */
  forceDeviceFlow?: boolean;
}

/** What login reports (no token values). */
export interface LoginResult {
  user: string;
  /** The groups the gateway will use (its claim mapping), or the ID token's own when it could not be asked. */
  groups: string[];
  /** Why the gateway sees no groups (the ID token lacks the configured claim: which claim and scopes to check). */
  groupsNote?: string;
  expiresAt: string;
  store: TokenStoreKind;
}

/** Options of getFreshLogin. */
export interface FreshLoginOptions {
  /** Refresh when the ID token expires within this many seconds (default 60). */
  minValiditySeconds?: number;
}

// A device flow waits for a person: the lock may be held for minutes (RFC 8628 codes live ~10 min).
const LOGIN_LOCK = { timeoutMs: 15 * 60_000, staleMs: 15 * 60_000 };
const REFRESH_LOCK = { timeoutMs: 60_000, staleMs: 60_000 };

/** Logs in against `gateway` (or the remembered one), stores the tokens and remembers the gateway. */
export async function login(deps: IdentityDeps, options: LoginOptions = {}): Promise<LoginResult> {
  const cfg = await deps.cliConfig.load();
  const gateway = normalizeGatewayUrl(options.gateway ?? cfg.gateway);
  const gatewayConfig = await deps.gateway(gateway).getConfig();
  if (gatewayConfig.issuer === undefined || gatewayConfig.clientId === undefined) {
    throw new HoopError('usage', `the gateway ${gateway} serves CI jobs only: it trusts no identity provider for people, so there is nothing to log in to`, {
      hint: 'in a CI job, run hoopctl exec <connection> --ci --gateway URL -- …; people need a gateway with an oidc issuer of kind idp',
    });
  }
  const base = { gateway, issuer: gatewayConfig.issuer, clientId: gatewayConfig.clientId };
  const scopes = gatewayConfig.scopes ?? [];

  const stored = await deps.withLoginLock(async () => {
    if (options.forceDeviceFlow !== true) {
      // Another process may have logged in while this one waited for the lock.
      const reused = await reuseStoredLogin(deps, base);
      if (reused !== undefined) return reused;
    }
    const config = await deps.idp.discoverIssuer(base.issuer, base.clientId);
    const handle = await deps.idp.initiateDeviceAuthorization(config, scopes);
    await tellPerson(deps, handle);
    deps.status?.start('Waiting for you to sign in in the browser');
    let tokens: TokenResponse;
    try {
      tokens = await deps.idp.pollDeviceAuthorizationGrant(config, handle, deps.signal === undefined ? {} : { signal: deps.signal });
    } finally {
      deps.status?.stop();
    }
    const next = storedLoginFrom(base, tokens);
    await deps.tokenStore.save(next);
    return next;
  }, LOGIN_LOCK);

  await deps.cliConfig.save({ ...cfg, gateway });
  // The gateway's claim mapping (groupsClaim, usernameClaim) decides; the token's `groups` claim may not be the one it reads.
  const asked = await gatewayIdentity(deps, gateway, stored.idToken);
  const seen = 'seen' in asked ? asked.seen : undefined;
  return {
    user: seen?.user ?? stored.user,
    groups: seen?.groups ?? stored.groups,
    expiresAt: stored.expiresAt,
    store: deps.tokenStore.kind,
    ...(seen?.groupsHint === undefined ? {} : { groupsNote: seen.groupsHint }),
  };
}

/** The stored login with an ID token valid for at least `minValiditySeconds`, refreshed under the lock if needed. */
export async function getFreshLogin(deps: IdentityDeps, options: FreshLoginOptions = {}): Promise<StoredLogin> {
  const minValidityMs = (options.minValiditySeconds ?? 60) * 1000;
  const seen = await deps.tokenStore.load();
  if (seen === undefined) throw notLoggedIn();
  if (Date.parse(seen.expiresAt) - deps.now() >= minValidityMs) return seen;

  return deps.withLoginLock(async () => {
    // Re-read: the holder before us may have refreshed (and rotated the refresh token).
    const current = await deps.tokenStore.load();
    if (current === undefined) throw notLoggedIn();
    if (!sameTokens(current, seen) || Date.parse(current.expiresAt) - deps.now() >= minValidityMs) return current;
    return refreshStoredLogin(deps, current);
  }, REFRESH_LOCK);
}

/** A stored login for the same gateway, issuer and client: as is when fresh, refreshed when possible. */
async function reuseStoredLogin(deps: IdentityDeps, base: Pick<StoredLogin, 'gateway' | 'issuer' | 'clientId'>): Promise<StoredLogin | undefined> {
  let current: StoredLogin | undefined;
  try {
    current = await deps.tokenStore.load();
  } catch (e) {
    if (isHoopError(e, 'store_error')) return undefined; // a damaged entry is replaced by the new login
    throw e;
  }
  if (current === undefined || current.gateway !== base.gateway || current.issuer !== base.issuer || current.clientId !== base.clientId) {
    return undefined;
  }
  if (Date.parse(current.expiresAt) - deps.now() >= 60_000) return current;
  if (current.refreshToken === undefined) return undefined;
  try {
    return await refreshStoredLogin(deps, current);
  } catch (e) {
    if (isHoopError(e, 'login_expired')) return undefined;
    throw e;
  }
}

async function refreshStoredLogin(deps: IdentityDeps, current: StoredLogin): Promise<StoredLogin> {
  if (current.refreshToken === undefined) {
    throw new HoopError('login_expired', `the login of ${current.user} expired`, { hint: 'run hoopctl login' });
  }
  let next: StoredLogin;
  try {
    const config = await deps.idp.discoverIssuer(current.issuer, current.clientId);
    const tokens = await deps.idp.refreshTokens(config, current.refreshToken);
    next = storedLoginFrom(current, tokens, current);
  } catch (e) {
    if (isHoopError(e, 'login_expired')) throw e;
    throw new HoopError('login_expired', `the login of ${current.user} expired and could not be refreshed: ${e instanceof Error ? e.message : String(e)}`, {
      hint: 'run hoopctl login',
      cause: e,
    });
  }
  await deps.tokenStore.save(next);
  return next;
}

function storedLoginFrom(base: Pick<StoredLogin, 'gateway' | 'issuer' | 'clientId'>, tokens: TokenResponse, previous?: StoredLogin): StoredLogin {
  if (tokens.id_token === undefined) {
    throw new HoopError('login_failed', `the IdP ${base.issuer} returned no ID token (is the openid scope allowed for client ${base.clientId}?)`);
  }
  const identity = identityFromIdToken(tokens.id_token);
  // RFC 6749 §6: the IdP may keep the refresh token (no rotation) and then sends none back.
  const refreshToken = tokens.refresh_token ?? previous?.refreshToken;
  return {
    gateway: base.gateway,
    issuer: base.issuer,
    clientId: base.clientId,
    idToken: tokens.id_token,
    ...(tokens.access_token === '' ? {} : { accessToken: tokens.access_token }),
    ...(refreshToken === undefined ? {} : { refreshToken }),
    expiresAt: identity.expiresAt,
    user: identity.user,
    groups: identity.groups,
  };
}

/** kubelogin's wording, on stderr: stdout may be a pipe to a program. */
async function tellPerson(deps: IdentityDeps, handle: DeviceAuthorization): Promise<void> {
  deps.stderr.write(`Please visit the following URL in your browser: ${handle.verification_uri}\n`);
  deps.stderr.write(`and enter the code: ${handle.user_code}\n`);
  if (handle.verification_uri_complete !== undefined) {
    deps.stderr.write(`(or open ${handle.verification_uri_complete}, which has the code filled in)\n`);
  }
  if (deps.openBrowser !== undefined) {
    await deps.openBrowser(handle.verification_uri_complete ?? handle.verification_uri).catch(() => undefined);
  }
}

function normalizeGatewayUrl(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') {
    throw new HoopError('usage', 'no gateway to log in to', { hint: 'hoopctl login --gateway URL' });
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new HoopError('usage', `the gateway "${raw}" is not a URL`, { hint: 'hoopctl login --gateway https://gateway.example.com' });
  }
  // The ID token travels to the gateway as a bearer token: plain HTTP only where nothing can listen.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new HoopError('usage', `the gateway "${raw}" must be an https URL (http only for localhost)`, { hint: 'hoopctl login --gateway https://…' });
  }
  return url.href.replace(/\/+$/, '');
}

/** Whether two stored logins hold the same tokens. The ID token alone can come back byte-identical from a refresh within the same second (RS256 is deterministic). */
function sameTokens(a: StoredLogin, b: StoredLogin): boolean {
  return a.idToken === b.idToken && a.accessToken === b.accessToken && a.refreshToken === b.refreshToken;
}

function notLoggedIn(): HoopError {
  return new HoopError('not_logged_in', 'not logged in', { hint: 'run hoopctl login' });
}
