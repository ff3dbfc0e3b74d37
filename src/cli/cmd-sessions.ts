/** `hoopctl sessions | revoke`: sessions as the gateway knows them (own; every one for admins), and ending one from anywhere. */
import { formatDuration } from '../credential/duration.js';
import type { SessionView } from '../api/wire.js';
import { createGatewayClient } from '../platform/gateway-client.js';
import type { CliContext } from './context.js';
import { createIdentityDeps, freshIdToken } from './identity.js';

/** State of a session at `nowMs`: active (with time left), expired, or ended (with why). */
export function sessionState(s: SessionView, nowMs: number): string {
  if (s.endedAt !== null) return `ended (${s.endReason ?? 'ended'})`;
  const left = (Date.parse(s.expiresAt) - nowMs) / 1000;
  return left > 0 ? `active, ${formatDuration(left)} left` : 'expired';
}

/** The ROLE cell: the named role, else the roles a default session runs with (`view (default)`); `-` only when the gateway did not say. */
export function sessionRole(s: Pick<SessionView, 'role' | 'defaultRoles'>): string {
  if (s.role !== null) return s.role;
  if (s.defaultRoles === undefined) return '-';
  return s.defaultRoles.length === 0 ? '(none)' : `${s.defaultRoles.join(',')} (default)`;
}

/** Aligned rows for `hoopctl sessions`. */
export function formatSessionRows(items: SessionView[], nowMs: number): string[] {
  const rows = items.map((s) => [s.id, s.user, s.connection, sessionRole(s), sessionState(s, nowMs), s.reason ?? '']);
  const head = ['SESSION', 'USER', 'CONNECTION', 'ROLE', 'STATE', 'REASON'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [head, ...rows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

async function client(ctx: CliContext) {
  const { idToken, gateway } = await freshIdToken(await createIdentityDeps(ctx));
  return { idToken, gateway: createGatewayClient({ baseUrl: gateway }) };
}

/** `sessions`: active sessions by default, `--all` adds ended and expired ones. */
export async function runSessions(ctx: CliContext, opts: { output: string; all?: boolean }): Promise<void> {
  // A local session whose process was killed is ended at the gateway first, so the list tells the truth.
  await (await import('./cmd-session.js')).sweepLocalSessions(ctx).catch(() => undefined);
  const { idToken, gateway } = await client(ctx);
  const items = (await gateway.listSessions(idToken, opts.all !== true)).reverse();
  if (opts.output === 'json') {
    ctx.out.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return;
  }
  if (items.length === 0) {
    ctx.out.stderr.write(opts.all === true ? 'no sessions\n' : 'no active sessions\n');
    return;
  }
  for (const line of formatSessionRows(items, Date.now())) ctx.out.stdout.write(`${line}\n`);
}

/** `revoke SESSION`: ends it at the gateway (owner or admin); every open watch, log stream, exec and port-forward is cut at once. */
export async function runRevoke(ctx: CliContext, sessionId: string, opts: { yes?: boolean; input?: boolean } = {}): Promise<void> {
  const { idToken, gateway } = await client(ctx);
  const { confirmRevoke, mayPrompt, processIo } = await import('./pickers.js');
  const io = processIo();
  if (opts.yes !== true && mayPrompt(ctx.env, io, opts)) {
    const s = (await gateway.listSessions(idToken, false)).find((x) => x.id === sessionId);
    const what = s === undefined ? `session ${sessionId}` : `session ${sessionId} of ${s.user} on ${s.connection} (${sessionState(s, Date.now())})`;
    if (!(await confirmRevoke(io, what))) {
      ctx.out.stderr.write(`not revoked: session ${sessionId} goes on\n`);
      return;
    }
  }
  await gateway.revokeSession(idToken, sessionId);
  ctx.out.stderr.write(`${ctx.out.c.green('✔')} revoked session ${sessionId}; its credential is refused from now on\n`);
}
