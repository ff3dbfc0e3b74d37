/**
 * The OAuth 2.0 Device Authorization Grant (RFC 8628) and refresh (RFC 6749 §6) with
 * openid-client 6. Every failure becomes a HoopError whose message holds the IdP's error code
 * and description, never a token (the raw response stays in `cause`).
 */
import * as client from 'openid-client';
import { HoopError, type ErrorCode } from '../errors.js';
import { isLoopbackHost } from '../credential/loopback-host.js';

/** The discovered issuer plus our public client: what every later call takes. */
export type IssuerConfig = client.Configuration;
/** RFC 8628 §3.2 device authorization response (device_code, user_code, verification_uri, interval …). */
export type DeviceAuthorization = client.DeviceAuthorizationResponse;
/** A token endpoint response (access_token, id_token, refresh_token, expires_in …). */
export type TokenResponse = client.TokenEndpointResponse;

/** Options of discoverIssuer; `fetch` is used for discovery and every later request of the config. */
export interface DiscoverIssuerOptions {
  fetch?: typeof fetch;
  /** Per-request timeout in seconds (openid-client's default is 30). */
  timeoutSeconds?: number;
}

/** OpenID Connect Discovery 1.0 for `issuer`, configured for the public client `clientId` (no secret). */
export async function discoverIssuer(issuer: string, clientId: string, options: DiscoverIssuerOptions = {}): Promise<IssuerConfig> {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch (cause) {
    throw new HoopError('config_invalid', `the OIDC issuer "${issuer}" is not a URL`, { cause });
  }
  const execute: ((config: client.Configuration) => void)[] = [];
  if (url.protocol === 'http:') {
    // Tokens over plain HTTP are readable by anyone on the path; only loopback has no path.
    if (!isLoopbackHost(url.hostname)) {
      throw new HoopError('config_invalid', `refusing the plain-HTTP OIDC issuer ${issuer}: only loopback issuers may use http`, {
        hint: 'configure the gateway with an https issuer',
      });
    }
    execute.push(client.allowInsecureRequests);
  } else if (url.protocol !== 'https:') {
    throw new HoopError('config_invalid', `the OIDC issuer ${issuer} must be an https URL`);
  }
  try {
    const discoveryOptions: client.DiscoveryRequestOptions = { execute };
    if (options.fetch !== undefined) discoveryOptions[client.customFetch] = options.fetch as client.CustomFetch;
    if (options.timeoutSeconds !== undefined) discoveryOptions.timeout = options.timeoutSeconds;
    return await client.discovery(url, clientId, undefined, client.None(), discoveryOptions);
  } catch (cause) {
    throw translate(cause, 'login_failed', `cannot discover the OIDC issuer ${issuer}`);
  }
}

/** RFC 8628 §3.1: asks the IdP for a device code and a user code for `scopes`. */
export async function initiateDeviceAuthorization(config: IssuerConfig, scopes: string[]): Promise<DeviceAuthorization> {
  try {
    return await client.initiateDeviceAuthorization(config, { scope: scopes.join(' ') });
  } catch (cause) {
    throw translate(cause, 'login_failed', `the IdP ${config.serverMetadata().issuer} refused the device authorization request`);
  }
}

/** Options of pollDeviceAuthorizationGrant; aborting `signal` stops the polling. */
export interface PollOptions {
  signal?: AbortSignal;
}

/**
 * RFC 8628 §3.4–3.5: polls the token endpoint until the user approves. openid-client waits
 * `interval` seconds (5 when absent) between polls, adds 5 s on `slow_down` and keeps polling on
 * `authorization_pending`; without a signal it stops at `expires_in`.
 */
export async function pollDeviceAuthorizationGrant(config: IssuerConfig, handle: DeviceAuthorization, options: PollOptions = {}): Promise<TokenResponse> {
  try {
    return await client.pollDeviceAuthorizationGrant(config, handle, undefined, options.signal === undefined ? undefined : { signal: options.signal });
  } catch (cause) {
    if (options.signal?.aborted === true) throw new HoopError('login_failed', 'login cancelled', { cause });
    const error = cause instanceof client.ResponseBodyError ? cause.error : undefined;
    if (error === 'access_denied') throw new HoopError('login_failed', 'the sign-in was denied in the browser', { hint: 'run hoopctl login', cause });
    if (error === 'expired_token' || isTimeout(cause)) {
      throw new HoopError('login_failed', 'the user code expired before it was entered', { hint: 'run hoopctl login', cause });
    }
    throw translate(cause, 'login_failed', 'the device sign-in failed');
  }
}

/** RFC 6749 §6: exchanges `refreshToken` for new tokens (the IdP may rotate the refresh token). */
export async function refreshTokens(config: IssuerConfig, refreshToken: string): Promise<TokenResponse> {
  try {
    return await client.refreshTokenGrant(config, refreshToken);
  } catch (cause) {
    throw translate(cause, 'login_expired', `the IdP ${config.serverMetadata().issuer} refused to refresh the login`, 'run hoopctl login');
  }
}

/** RFC 7009: revokes `token` when the IdP offers a revocation endpoint; resolves false when it could not. */
export async function revokeToken(config: IssuerConfig, token: string): Promise<boolean> {
  if (config.serverMetadata().revocation_endpoint === undefined) return false;
  try {
    await client.tokenRevocation(config, token);
    return true;
  } catch {
    return false;
  }
}

function isTimeout(e: unknown): boolean {
  return e instanceof Error && (e.name === 'TimeoutError' || (e.cause instanceof Error && e.cause.name === 'TimeoutError'));
}

/** Builds a HoopError from an openid-client failure: the IdP's `error`/`error_description` are safe to show, bodies are not. */
function translate(cause: unknown, code: ErrorCode, message: string, hint?: string): HoopError {
  let detail = '';
  if (cause instanceof client.ResponseBodyError) {
    detail = cause.error_description === undefined ? cause.error : `${cause.error}: ${cause.error_description}`;
  } else if (cause instanceof Error) {
    detail = cause.message;
  }
  const options = hint === undefined ? { cause } : { hint, cause };
  return new HoopError(code, detail === '' ? message : `${message} (${detail})`, options);
}
