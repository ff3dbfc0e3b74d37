/** `hoopctl sessions | revoke`: sessions as the gateway knows them (own; every one for admins), and ending one from anywhere. */
import type { SessionView } from '../api/wire.js';
import { HoopError } from '../errors.js';
import { createGatewayClient, type GatewayClient } from '../platform/gateway-client.js';
import type { CliContext } from './context.js';
import { createIdentityDeps, freshIdToken } from './identity.js';
import { renderTable, type Column, type TableOptions } from './table.js';
import { formatRelative } from '../credential/time-format.js';

/** The STATE cell: active, expired, or ended (with why). */
export function sessionStateCell(s: SessionView, nowMs: number): string {
  if (s.endedAt !== null) return `ended (${s.endReason ?? 'ended'})`;
  return Date.parse(s.expiresAt) > nowMs ? 'active' : 'expired';
}

/** The END cell: when the session ended, or ends (`in 10m`, `3m ago`). */
export function sessionEndCell(s: SessionView, nowMs: number): string {
  return formatRelative(s.endedAt ?? s.expiresAt, nowMs);
}

/** State of a session at `nowMs` in a sentence's words: `active, ends in 10m`, `expired 3m ago`, `ended (revoked by bob)`. */
export function sessionState(s: SessionView, nowMs: number): string {
  if (s.endedAt !== null) return sessionStateCell(s, nowMs);
  return Date.parse(s.expiresAt) > nowMs ? `active, ends ${sessionEndCell(s, nowMs)}` : `expired ${sessionEndCell(s, nowMs)}`;
}

/** Characters of a session id a terminal table shows (as docker shows short ids); every command taking a session id accepts such a prefix. */
export const SHORT_ID_LENGTH = 8;

/** A session id as a table shows it: its first characters on a terminal (`width` set), whole otherwise. */
export function sessionIdCell(id: string | null, width: number | undefined): string {
  if (id === null) return '-';
  return width === undefined ? id : id.slice(0, SHORT_ID_LENGTH);
}

/**
 * The full id of the caller's (or, for admins, anyone's) session that `given` names: the id itself, or a prefix
 * of exactly one (as a terminal table shows it). An unknown id is passed on for the gateway to refuse.
 */
export async function resolveSessionId(gateway: Pick<GatewayClient, 'listSessions'>, idToken: string, given: string): Promise<string> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(given) || given.length < 4) return given;
  const matches = (await gateway.listSessions(idToken, false)).filter((s) => s.id.startsWith(given)).map((s) => s.id);
  if (matches.length > 1) {
    throw new HoopError(
      'usage',
      `session id ${given} is ambiguous: it starts ${matches.length} sessions (${matches.slice(0, 3).join(', ')}${matches.length > 3 ? ', …' : ''})`,
      { hint: 'give more of the id (hoopctl sessions --all lists them)' },
    );
  }
  return matches[0] ?? given;
}

/** The ROLE cell: the named role, else the roles a default session runs with (`view (default)`); `-` only when the gateway did not say. */
export function sessionRole(s: Pick<SessionView, 'role' | 'defaultRoles'>): string {
  if (s.role !== null) return s.role;
  if (s.defaultRoles === undefined) return '-';
  return s.defaultRoles.length === 0 ? '(none)' : `${s.defaultRoles.join(',')} (default)`;
}

const SESSION_COLUMNS: Column[] = [
  { header: 'SESSION' },
  { header: 'USER' },
  { header: 'CONNECTION' },
  { header: 'ROLE' },
  { header: 'STATE', truncate: true },
  { header: 'END' },
  { header: 'REASON', truncate: true },
];

/** The table of `hoopctl sessions` (header first), fitted to `opts.width`. */
export function formatSessionRows(items: SessionView[], nowMs: number, opts: TableOptions = {}): string[] {
  const rows = items.map((s) => [
    sessionIdCell(s.id, opts.width),
    s.user,
    s.connection,
    sessionRole(s),
    sessionStateCell(s, nowMs),
    sessionEndCell(s, nowMs),
    s.reason ?? '',
  ]);
  return renderTable(SESSION_COLUMNS, rows, opts);
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
  const width = ctx.out.width();
  for (const line of formatSessionRows(items, Date.now(), width === undefined ? {} : { width })) ctx.out.stdout.write(`${line}\n`);
}

/** `revoke SESSION`: ends it at the gateway (owner or admin); every open watch, log stream, exec and port-forward is cut at once. */
export async function runRevoke(ctx: CliContext, given: string, opts: { yes?: boolean; input?: boolean } = {}): Promise<void> {
  const { idToken, gateway } = await client(ctx);
  const sessionId = await resolveSessionId(gateway, idToken, given);
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
