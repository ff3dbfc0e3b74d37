/** The I/O the identity use cases (login, getFreshLogin, whoami, logout) take, so tests run them headless. */
import type { Clock } from '../clock.js';
import type { CliConfig } from '../platform/cli-config.js';
import type { FileLockOptions } from '../platform/file-lock.js';
import type { GatewayClient } from '../platform/gateway-client.js';
import type { TokenStore } from '../oidc/token-store.js';
import type { discoverIssuer, initiateDeviceAuthorization, pollDeviceAuthorizationGrant, refreshTokens, revokeToken } from '../oidc/device-authorization.js';

/** A waiting indicator; the CLI draws a spinner, tests record the calls. */
export interface StatusIndicator {
  start(text: string): void;
  stop(): void;
}

/** The IdP calls of oidc/device-authorization.ts: discovery, RFC 8628 device flow, RFC 6749 §6 refresh, RFC 7009 revocation. */
export interface IdpClient {
  discoverIssuer(issuer: string, clientId: string, options?: { timeoutSeconds?: number }): ReturnType<typeof discoverIssuer>;
  initiateDeviceAuthorization: typeof initiateDeviceAuthorization;
  pollDeviceAuthorizationGrant: typeof pollDeviceAuthorizationGrant;
  refreshTokens: typeof refreshTokens;
  revokeToken: typeof revokeToken;
}

/** The files, lock and network behind login and logout; `platform/identity-edges.ts` supplies the real ones. */
export interface IdentityEdges {
  /** The settings the CLI remembers (the gateway of the last login). */
  cliConfig: { load(): Promise<CliConfig>; save(cfg: CliConfig): Promise<void> };
  /** Runs `fn` holding the lock that serialises logins and refreshes across hoopctl processes. */
  withLoginLock<T>(fn: () => Promise<T>, options: FileLockOptions): Promise<T>;
  /** A client of the gateway at `baseUrl`. */
  gateway(baseUrl: string): Pick<GatewayClient, 'getConfig' | 'whoami'>;
  idp: IdpClient;
}

/** Dependencies of the identity use cases. */
export interface IdentityDeps extends IdentityEdges {
  tokenStore: TokenStore;
  /** Where instructions for the person go (the verification URL and user code). */
  stderr: { write(text: string): unknown };
  now: Clock;
  status?: StatusIndicator;
  /** Opens a URL in a browser; only given when a person sits at a TTY. Failures are ignored. */
  openBrowser?: (url: string) => Promise<void>;
  /** Cancels a waiting login (Ctrl-C). */
  signal?: AbortSignal;
}
