/** Builds the identity dependencies (paths, token store, status spinner) from the CLI context. */
import { resolvePaths } from '../platform/paths.js';
import { createIdentityEdges } from '../platform/identity-edges.js';
import { createTokenStore } from '../oidc/token-store.js';
import type { IdentityDeps } from '../usecases/identity-deps.js';
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
