/** Builds the identity dependencies (paths, token store, status spinner) from the CLI context. */
import { resolvePaths } from '../platform/paths.js';
import { createIdentityEdges } from '../platform/identity-edges.js';
import { createTokenStore } from '../oidc/token-store.js';
import type { IdentityDeps } from '../usecases/identity-deps.js';
import type { LoginResult } from '../usecases/login.js';
import type { CliContext } from './context.js';
import type { StatusLine } from './output.js';

/** The identity deps for this process: real token store (keychain or file), a spinner on stderr. */
export async function createIdentityDeps(ctx: CliContext, signal?: AbortSignal): Promise<IdentityDeps> {
  const paths = resolvePaths(ctx.env);
  const tokenStore = await createTokenStore({ env: ctx.env, paths });
  let line: StatusLine | undefined;
  return {
    ...createIdentityEdges({ paths }),
    tokenStore,
    now: Date.now,
    stderr: ctx.out.stderr,
    status: {
      start: (text: string) => {
        line?.stop();
        line = ctx.out.status(text);
      },
      stop: () => {
        line?.stop();
        line = undefined;
      },
    },
    ...(signal === undefined ? {} : { signal }),
  };
}

/** The ID token of a fresh login (refreshed under a lock when about to expire). */
export async function freshIdToken(deps: IdentityDeps): Promise<{ idToken: string; gateway: string }> {
  const { getFreshLogin } = await import('../usecases/login.js');
  const login = await getFreshLogin(deps);
  return { idToken: login.idToken, gateway: login.gateway };
}

/**
 * Logs in to `gateway` through the device flow, the quickstart playing `person` in the "browser" (its embedded IdP's
 * login and consent pages); the tokens go to the token store of `ctx.env`.
 */
export async function loginPlayingPerson(ctx: CliContext, person: { username: string; password: string }, gateway: string): Promise<LoginResult> {
  const identity = await createIdentityDeps(ctx);
  let approving: Promise<void> = Promise.resolve();
  identity.openBrowser = async (url: string) => {
    const u = new URL(url);
    const userCode = u.searchParams.get('user_code') ?? '';
    u.search = '';
    const { approveDeviceCode } = await import('../quickstart/device-approver.js');
    approving = approveDeviceCode({ verificationUri: u.toString(), userCode, username: person.username, password: person.password });
    approving.catch(() => undefined);
  };
  const { login } = await import('../usecases/login.js');
  const result = await login(identity, { gateway, forceDeviceFlow: true });
  await approving;
  return result;
}
