/** The `console:` section of the gateway config: the web console's OIDC client (authorization code + PKCE). */
import { z } from 'zod';
import { duration, issue, mapping, text } from '../../config-reader.js';

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

/** The `console` section (absent: the console is off and `/ui/` says how to turn it on); the client secret comes from `env`. */
export function consoleSchema(env: Record<string, string | undefined>): z.ZodType<ConsoleConfig | undefined> {
  const redirectUri = text.superRefine((uri, ctx) => {
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      return issue(ctx, `${JSON.stringify(uri)} is not a URL`);
    }
    if (!u.pathname.endsWith('/ui/auth/callback')) issue(ctx, 'must end in /ui/auth/callback (the console answers there)');
  });
  const secretEnv = text.transform((name, ctx) => {
    const secret = env[name];
    if (secret !== undefined && secret !== '') return secret;
    issue(ctx, `environment variable ${name} is not set`);
    return z.NEVER;
  });
  return mapping({
    clientId: text,
    redirectUri: redirectUri.optional(),
    clientSecretEnv: secretEnv.optional(),
    sessionTtl: duration.refine((s) => s <= 12 * 3600, { error: 'must be at most 12h: console sign-ins are short-lived' }).optional(),
    scopes: z.array(text).optional(),
  })
    .optional()
    .transform((m): ConsoleConfig | undefined =>
      m === undefined
        ? undefined
        : {
            clientId: m.clientId,
            ...(m.redirectUri === undefined ? {} : { redirectUri: m.redirectUri }),
            ...(m.clientSecretEnv === undefined ? {} : { clientSecret: m.clientSecretEnv }),
            sessionTtlSeconds: m.sessionTtl ?? 30 * 60,
            scopes: m.scopes !== undefined && m.scopes.length > 0 ? m.scopes : DEFAULT_SCOPES,
          },
    );
}
