/** The real config file, lock, gateway client and IdP calls behind the identity use cases. */
import { join } from 'node:path';
import type { IdentityEdges } from '../usecases/identity-deps.js';
import { loadCliConfig, saveCliConfig } from './cli-config.js';
import { withFileLock } from './file-lock.js';
import { createGatewayClient } from './gateway-client.js';
import type { HoopPaths } from './paths.js';

/** Options of createIdentityEdges; `fetch` reaches the gateway and the IdP (tests, private CAs). */
export interface IdentityEdgesOptions {
  paths: HoopPaths;
  fetch?: typeof fetch;
}

/** Path of the lock that serialises logins and refreshes across hoopctl processes. */
export function loginLockPath(paths: HoopPaths): string {
  return join(paths.configDir, 'login.lock');
}

/** Real identity edges over `paths`. */
export function createIdentityEdges(options: IdentityEdgesOptions): IdentityEdges {
  const { paths } = options;
  const fetchOption = options.fetch === undefined ? {} : { fetch: options.fetch };
  // openid-client is loaded when an IdP is first called, not by every command that builds these edges (start-up time).
  const oidc = () => import('../oidc/device-authorization.js');
  return {
    cliConfig: { load: () => loadCliConfig(paths), save: (cfg) => saveCliConfig(paths, cfg) },
    withLoginLock: (fn, lockOptions) => withFileLock(loginLockPath(paths), fn, lockOptions),
    gateway: (baseUrl) => createGatewayClient({ baseUrl, ...fetchOption }),
    idp: {
      discoverIssuer: async (issuer, clientId, discoverOptions) => (await oidc()).discoverIssuer(issuer, clientId, { ...discoverOptions, ...fetchOption }),
      initiateDeviceAuthorization: async (...args) => (await oidc()).initiateDeviceAuthorization(...args),
      pollDeviceAuthorizationGrant: async (...args) => (await oidc()).pollDeviceAuthorizationGrant(...args),
      refreshTokens: async (...args) => (await oidc()).refreshTokens(...args),
      revokeToken: async (...args) => (await oidc()).revokeToken(...args),
    },
  };
}
