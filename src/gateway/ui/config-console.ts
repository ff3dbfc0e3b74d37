/** The `console:` section of the gateway config: the web console's OIDC client (authorization code + PKCE). */
import { ConfigFields, joinPath, type Mapping } from '../config-fields.js';
import { readDuration } from '../config-connection.js';

/** The web console's OIDC client at the CLI's issuer. */
export interface ConsoleConfig {
  /** A client registered at the IdP for the authorization code flow (a web or native app, not the CLI's device client). */
  clientId: string;
  /** Undefined: `<publicUrl>/ui/auth/callback`. */
  redirectUri?: string;
  /** A confidential client's secret, read from the environment variable named by `clientSecretEnv`; never logged. */
  clientSecret?: string;
  /** How long a console sign-in lasts (default 30m). */
  sessionTtlSeconds: number;
  scopes: string[];
}

const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'groups'];

/** Reads `console` (absent: the console is off and `/ui/` says how to turn it on). */
export function readConsole(f: ConfigFields, top: Mapping, env: Record<string, string | undefined>): ConsoleConfig | undefined {
  const m = f.optMapping(top, 'console', '', ['clientId', 'redirectUri', 'clientSecretEnv', 'sessionTtl', 'scopes']);
  if (m === undefined) return undefined;
  const clientId = f.string(m, 'clientId', 'console');
  const redirectUri = f.optString(m, 'redirectUri', 'console');
  if (redirectUri !== undefined) {
    let u: URL;
    try { u = new URL(redirectUri); } catch (e) { return f.fail('console.redirectUri', `${JSON.stringify(redirectUri)} is not a URL`, e); }
    if (!u.pathname.endsWith('/ui/auth/callback')) f.fail('console.redirectUri', 'must end in /ui/auth/callback (the console answers there)');
  }
  const secretEnv = f.optString(m, 'clientSecretEnv', 'console');
  const clientSecret = secretEnv === undefined ? undefined : env[secretEnv];
  if (secretEnv !== undefined && (clientSecret === undefined || clientSecret === '')) f.fail(joinPath('console', 'clientSecretEnv'), `environment variable ${secretEnv} is not set`);
  const ttl = readDuration(f, m, 'sessionTtl', 'console') ?? 30 * 60;
  if (ttl > 12 * 3600) f.fail('console.sessionTtl', 'must be at most 12h: console sign-ins are short-lived');
  const scopes = f.strings(m, 'scopes', 'console');
  return {
    clientId, ...(redirectUri === undefined ? {} : { redirectUri }), ...(clientSecret === undefined ? {} : { clientSecret }),
    sessionTtlSeconds: ttl, scopes: scopes.length > 0 ? scopes : DEFAULT_SCOPES,
  };
}
