/**
 * An OIDC provider in-process (panva's oidc-provider) with the device authorization grant
 * (RFC 8628), for the quickstart's demo users and for tests. Plain HTTP on loopback only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { default as ProviderClass, ProviderContext } from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { createInteractionRouter, type IdpUser } from './idp-interactions.js';
import { escapeHtml, renderPage } from './idp-pages.js';

export type { IdpUser } from './idp-interactions.js';

/** Options of createEmbeddedIdp; TTLs in seconds. */
export interface EmbeddedIdpOptions {
  port?: number;
  host?: string;
  users: IdpUser[];
  /** Public client id (device flow, no secret); default 'hoopctl'. */
  clientId?: string;
  /** Client id of the gateway's web console (authorization code + PKCE, any loopback port); default 'hoopctl-console'. */
  consoleClientId?: string;
  /** `interval` sent with the device authorization response; oidc-provider sends none, so clients would wait 5 s. */
  devicePollIntervalSeconds?: number;
  accessTokenTtlSeconds?: number;
  idTokenTtlSeconds?: number;
  /** Called after every token request with its grant_type, whatever the outcome (tests count refreshes). */
  onTokenRequest?: (grantType: string) => void;
}

/** A running embedded IdP. */
export interface EmbeddedIdp {
  issuer: string;
  clientId: string;
  /** The web console's client: redirect URIs `http://127.0.0.1:<any port>/ui/auth/callback` (and localhost). */
  consoleClientId: string;
  close(): Promise<void>;
}

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Starts the embedded IdP on `host:port` (default 127.0.0.1:0) and resolves once it listens. */
export async function createEmbeddedIdp(options: EmbeddedIdpOptions): Promise<EmbeddedIdp> {
  const host = options.host ?? '127.0.0.1';
  const clientId = options.clientId ?? 'hoopctl';
  const interval = options.devicePollIntervalSeconds ?? 1;
  if (!(interval > 0)) throw new RangeError('devicePollIntervalSeconds must be positive');
  const Provider = await importProvider();

  // The issuer must name the real port, so listen first and build the provider after.
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handle === undefined) {
      res.statusCode = 503;
      res.end();
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  try {
    handle = await buildHandler(Provider, issuer, clientId, interval, options);
  } catch (e) {
    server.close();
    throw e;
  }
  return {
    issuer,
    clientId,
    consoleClientId: options.consoleClientId ?? 'hoopctl-console',
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The provider with its configuration, plus our interaction pages, as one request handler. */
async function buildHandler(
  Provider: typeof ProviderClass,
  issuer: string,
  clientId: string,
  interval: number,
  options: EmbeddedIdpOptions,
): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  const users = new Map(options.users.map((u) => [u.username, u]));
  const provider = new Provider(issuer, {
    adapter: createMemoryAdapter(0),
    jwks: { keys: [await signingKey()] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    clients: [
      {
        client_id: clientId,
        client_name: 'hoopctl',
        token_endpoint_auth_method: 'none',
        grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
      {
        // A native app (RFC 8252 §7.3): oidc-provider then accepts a loopback redirect URI on any port,
        // so the gateway's random port needs no registration.
        client_id: options.consoleClientId ?? 'hoopctl-console',
        client_name: 'hoopctl console',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/ui/auth/callback', 'http://localhost/ui/auth/callback'],
      },
    ],
    scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups'],
    },
    // Without this, scope-derived claims (groups, email) go to userinfo only, not the ID token.
    conformIdTokenClaims: false,
    findAccount: (_ctx: unknown, sub: string) => {
      const user = users.get(sub);
      if (user === undefined) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: user.email,
          email_verified: true,
          name: user.name ?? user.username,
          preferred_username: user.username,
          groups: user.groups,
        }),
      };
    },
    // Refresh tokens need offline_access; the device grant carries it through consent.
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(g: string): boolean }, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    ttl: {
      AccessToken: options.accessTokenTtlSeconds ?? 600,
      IdToken: options.idTokenTtlSeconds ?? 3600,
      DeviceCode: 600,
      RefreshToken: 8 * 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      // Each default hook below prints a "you SHOULD change" notice on stdout when first called.
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx: unknown, client: { clientId: string }, token: { clientId?: string }) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: { enabled: false },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: (ctx: ProviderContext, form: string, _out: unknown, err?: Error) => {
          const message = err === undefined ? 'Enter the code shown by hoopctl.' : 'The code is incorrect, expired or already used. Try again.';
          page(
            ctx,
            'device-code',
            'Sign in to hoopctl',
            `<p>${message}</p>${form}<button type="submit" form="op.deviceInputForm">Continue</button>`,
            err !== undefined,
          );
        },
        userCodeConfirmSource: (ctx: ProviderContext, form: string, _client: unknown, _info: unknown, userCode: string) => {
          page(
            ctx,
            'device-confirm',
            'Confirm device',
            `<p>Is this the code shown by hoopctl? <code>${userCode}</code></p>${form}<button type="submit" form="op.deviceConfirmForm">Continue</button>`,
          );
        },
        successSource: (ctx: ProviderContext) => {
          page(ctx, 'success', 'Signed in', '<p>hoopctl is signed in. You can close this page.</p>');
        },
      },
    },
    clientBasedCORS: () => false,
    renderError: (ctx: ProviderContext, out: { error?: string; error_description?: string }) => {
      ctx.status = ctx.status >= 400 ? ctx.status : 400;
      page(ctx, 'error', 'Sign-in failed', `<p>${escapeHtml(`${out.error ?? 'error'}: ${out.error_description ?? ''}`)}</p>`, true);
    },
  });

  // RFC 8628 §3.2: `interval` is optional; oidc-provider omits it and clients then wait 5 s.
  provider.on('device_authorization.success', (_ctx: ProviderContext, body: Record<string, unknown>) => {
    body.interval = interval;
  });
  const onTokenRequest = options.onTokenRequest;
  if (onTokenRequest !== undefined) {
    provider.use(async (ctx, next) => {
      await next();
      // After next() the provider has parsed the body, whatever the outcome.
      const grantType = ctx.oidc?.params?.grant_type;
      if (ctx.method === 'POST' && ctx.path === '/token' && typeof grantType === 'string') onTokenRequest(grantType);
    });
  }
  const providerHandler = provider.callback();
  const interactions = createInteractionRouter(provider, users);
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/interaction/')) {
      void interactions(req, res);
      return;
    }
    providerHandler(req, res);
  };
}

function page(ctx: ProviderContext, kind: string, title: string, body: string, failed = false): void {
  ctx.type = 'html';
  ctx.body = renderPage(kind, title, body, failed);
}

async function signingKey(): Promise<Record<string, unknown>> {
  // RS256 is what every OIDC verifier accepts by default (kube-apiserver included).
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: randomBytes(8).toString('hex') };
}

/** oidc-provider warns on stderr at import that Node 20 is "unsupported"; it works, so keep that line out of the quickstart's output. */
async function importProvider(): Promise<typeof ProviderClass> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return;
    warn(...args);
  };
  try {
    return (await import('oidc-provider')).default;
  } finally {
    console.warn = warn;
  }
}
