/** `hoopctl login | logout | whoami`. */
import type { CliContext } from './context.js';
import { createIdentityDeps } from './identity.js';
import { formatRelative, formatTime } from '../credential/time-format.js';

/** Runs the device flow and stores the tokens; Ctrl-C cancels. */
export async function runLogin(ctx: CliContext, opts: { gateway?: string }): Promise<void> {
  const { login } = await import('../usecases/login.js');
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const deps = await createIdentityDeps(ctx, abort.signal);
    const r = await login(deps, { ...(opts.gateway === undefined ? {} : { gateway: opts.gateway }), forceDeviceFlow: true });
    const groups = r.groups.length > 0 ? r.groups.join(', ') : '(none)';
    ctx.out.stderr.write(
      `${ctx.out.c.green('Logged in')} as ${ctx.out.c.bold(r.user)} (groups: ${groups}); tokens in ${deps.tokenStore.kind === 'keychain' ? `the OS keychain (${deps.tokenStore.location})` : deps.tokenStore.location}.\n`,
    );
    if (r.groupsNote !== undefined) ctx.out.stderr.write(`${ctx.out.c.yellow('note:')} ${r.groupsNote}\n`);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Removes the stored login (and revokes the refresh token at the IdP when it can). */
export async function runLogout(ctx: CliContext): Promise<void> {
  const { logout } = await import('../usecases/logout.js');
  const deps = await createIdentityDeps(ctx);
  const r = await logout(deps);
  ctx.out.stderr.write(r.removed ? `Logged out; removed the login from the ${r.store.kind} (${r.store.location}).\n` : 'Not logged in; nothing to remove.\n');
}

/** Shows the person, groups, expiry and where the tokens are kept. */
export async function runWhoami(ctx: CliContext, opts: { output: string }): Promise<void> {
  const { whoami } = await import('../usecases/whoami.js');
  const deps = await createIdentityDeps(ctx);
  const r = await whoami(deps);
  if (opts.output === 'json') {
    ctx.out.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const expiry = r.expiresInSeconds > 0 ? formatRelative(Date.now() + r.expiresInSeconds * 1000, Date.now()) : 'expired (refreshed on next use)';
  ctx.out.stdout.write(
    [
      `user:     ${r.user}`,
      `groups:   ${r.groups.join(', ') || '(none)'}${r.groupsSource === 'gateway' ? '' : ' (from the ID token)'}`,
      ...(r.groupsNote === undefined ? [] : [`note:     ${r.groupsNote}`]),
      `gateway:  ${r.gateway}`,
      `issuer:   ${r.issuer}`,
      `expires:  ${formatTime(r.expiresAt)} (${expiry})`,
      `tokens:   ${r.store.kind === 'keychain' ? 'OS keychain' : 'file'} (${r.store.location})`,
      '',
    ].join('\n'),
  );
}
