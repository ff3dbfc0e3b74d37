/** `hoopctl requests | approve | deny | wait`: access requests seen from both sides. */
import type { AccessRequestView } from '../api/wire.js';
import { stringify } from 'yaml';
import { HoopError } from '../errors.js';
import { createGatewayClient } from '../platform/gateway-client.js';
import type { CliContext } from './context.js';
import { createIdentityDeps, freshIdToken } from './identity.js';
import { renderTable, type Column, type TableOptions } from './table.js';
import { formatRelative, formatTimeAndRelative } from '../credential/time-format.js';

async function client(ctx: CliContext) {
  const identity = await createIdentityDeps(ctx);
  const { idToken, gateway } = await freshIdToken(identity);
  return { idToken, gateway: createGatewayClient({ baseUrl: gateway }), getIdToken: async () => (await freshIdToken(identity)).idToken };
}

function votesOf(r: AccessRequestView): string {
  return `${r.approvals.length}/${r.minApprovals} (${r.approvers.join(',')})`;
}

/** Columns of `hoopctl requests`; `paint` colours the STATUS cell (denied red, approved green). */
function requestColumns(paint?: { red(s: string): string; green(s: string): string }): Column[] {
  const status = (text: string): string => (paint === undefined ? text : text === 'denied' ? paint.red(text) : text === 'approved' ? paint.green(text) : text);
  return [
    { header: 'ID' },
    { header: 'KIND' },
    { header: 'STATUS', paint: status },
    { header: 'USER' },
    { header: 'CONNECTION' },
    { header: 'WHAT', truncate: true },
    { header: 'APPROVALS', truncate: true },
    { header: 'CREATED' },
    { header: 'REASON', truncate: true },
  ];
}

/** The table of `hoopctl requests` (header first), fitted to `opts.width`. */
export function formatRequestRows(
  items: AccessRequestView[],
  nowMs: number,
  opts: TableOptions & { paint?: { red(s: string): string; green(s: string): string } } = {},
): string[] {
  const rows = items.map((r) => [
    r.id,
    r.kind,
    r.status,
    r.user,
    r.connection,
    r.summary,
    votesOf(r),
    formatRelative(r.createdAt, nowMs),
    r.reason ?? (r.kind === 'command' ? `session ${r.sessionId ?? ''}`.trim() : ''),
  ]);
  return renderTable(requestColumns(opts.paint), rows, opts.width === undefined ? {} : { width: opts.width });
}

/** `requests`: pending requests the caller made or may approve (all states with --all; everything for admins). */
/**
 * One request in full, for the person about to vote: who, what, why, the rule, the votes, and for a single-command
 * review the exact request with its body as the gateway recorded it (masked).
 */
export function formatRequestDetail(r: AccessRequestView, nowMs: number): string[] {
  const lines = [
    `request    ${r.id} (${r.kind === 'command' ? 'single-command review' : 'session'}, ${r.status})`,
    `from       ${r.user} on ${r.connection}, ${formatTimeAndRelative(r.createdAt, nowMs)}`,
    `asks for   ${r.summary}`,
  ];
  if (r.verb !== undefined || r.requestURI !== undefined) lines.push(`request    ${r.verb ?? '?'} ${r.requestURI ?? '?'}`);
  if (r.reason !== undefined) lines.push(`reason     ${r.reason}`);
  lines.push(`rule       ${r.rule}`, `approvals  ${votesOf(r)}${r.canApprove ? ' — yours to decide' : ''}`);
  for (const v of [...r.approvals.map((a) => ({ ...a, d: 'approved' })), ...r.denials.map((a) => ({ ...a, d: 'denied' }))]) {
    lines.push(`           ${v.d} by ${v.by}${v.comment === undefined ? '' : `: ${v.comment}`}`);
  }
  if (r.kind === 'command') {
    if (!('requestObject' in r) || r.requestObject === undefined) lines.push('body       not recorded: do not approve a change you have not seen');
    else if (r.requestObject === null) lines.push('body       none');
    else
      lines.push(
        'body (as the gateway recorded it, secret values masked):',
        ...stringify(r.requestObject)
          .trimEnd()
          .split('\n')
          .map((l) => `  ${l}`),
      );
  }
  return lines;
}

export async function runRequests(ctx: CliContext, opts: { output: string; all?: boolean }, id?: string): Promise<void> {
  const { idToken, gateway } = await client(ctx);
  if (id !== undefined) {
    const r = await gateway.getRequest(idToken, id);
    if (opts.output === 'json') ctx.out.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else for (const line of formatRequestDetail(r, Date.now())) ctx.out.stdout.write(`${line}\n`);
    if (r.canApprove && opts.output !== 'json')
      ctx.out.stderr.write(`approve with: hoopctl approve ${r.id} [--comment TEXT]   deny with: hoopctl deny ${r.id}\n`);
    return;
  }
  const items = await gateway.listRequests(idToken, opts.all === true);
  if (opts.output === 'json') {
    ctx.out.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
    return;
  }
  if (items.length === 0) {
    ctx.out.stderr.write(opts.all === true ? 'no access requests\n' : 'no pending access requests\n');
    return;
  }
  const width = ctx.out.width();
  for (const line of formatRequestRows(items, Date.now(), { ...(width === undefined ? {} : { width }), paint: ctx.out.co })) ctx.out.stdout.write(`${line}\n`);
  const mine = items.find((r) => r.canApprove);
  if (mine !== undefined) ctx.out.stderr.write(`approve with: hoopctl approve ${mine.id} [--comment TEXT]   deny with: hoopctl deny ${mine.id}\n`);
}

/** `approve ID` / `deny ID`: one vote; the request is decided once it has enough approvals (or one denial). */
export async function runDecide(
  ctx: CliContext,
  decision: 'approve' | 'deny',
  given: string | undefined,
  opts: { comment?: string; output?: string; input?: boolean },
): Promise<void> {
  const { idToken, gateway } = await client(ctx);
  let id = given;
  if (id === undefined) {
    const { mayPrompt, missingOperand, pickRequest, processIo } = await import('./pickers.js');
    const io = processIo();
    if (!mayPrompt(ctx.env, io, opts)) throw missingOperand('request id', `run hoopctl requests, then hoopctl ${decision} ID`);
    id = await pickRequest(io, await gateway.listRequests(idToken, false), decision);
  }
  const r = await gateway.decideRequest(idToken, id, decision, opts.comment);
  if (opts.output === 'json') {
    ctx.out.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const c = ctx.out.c;
  const what = `${r.user}'s request ${r.id} (${r.summary} on ${r.connection})`;
  if (r.status === 'approved') {
    const until = r.validUntil === undefined ? '' : ` until ${formatTimeAndRelative(r.validUntil, Date.now())}`;
    const use = r.kind === 'session' ? 'they may open the session' : 'they may send that request once';
    ctx.out.stderr.write(`${c.green('✔')} approved ${what}; ${use}${until}\n`);
  } else if (r.status === 'denied') {
    ctx.out.stderr.write(`${c.red('✘')} denied ${what}\n`);
  } else {
    ctx.out.stderr.write(
      `${c.green('✔')} approved ${what}: ${r.approvals.length}/${r.minApprovals} approvals, waiting for more from ${r.approvers.join(', ')}\n`,
    );
  }
}

/** `wait ID`: blocks with a status line until the request is decided; 0 when approved, 4 when denied or expired. */
export async function runWait(ctx: CliContext, id: string, opts: { timeout?: string; output?: string }): Promise<void> {
  const { gateway, getIdToken } = await client(ctx);
  const { waitForDecision, notApproved } = await import('../usecases/approvals.js');
  const { createWaitUi } = await import('./approval-wait.js');
  const { parseDuration } = await import('../credential/duration.js');
  const ui = createWaitUi(ctx, '');
  const first = await gateway.getRequest(await getIdToken(), id);
  let r = first;
  if (first.status === 'pending') {
    ui.start(first);
    try {
      r = await waitForDecision(
        {
          gateway,
          getIdToken,
          now: Date.now,
          sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
          ...ui.deps,
          ...(opts.timeout === undefined ? {} : { limitMs: parseDuration(opts.timeout) * 1000 }),
        },
        id,
      );
    } finally {
      ui.stop();
    }
  }
  if (opts.output === 'json') ctx.out.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  if (r.status === 'approved' || r.status === 'used') {
    const next =
      r.kind === 'session' && r.status === 'approved'
        ? `; open it with: hoopctl connect ${r.connection} --request ${r.id}`
        : r.kind === 'command'
          ? '; send the same request again from the same session'
          : '';
    ctx.out.stderr.write(
      `${ctx.out.c.green('✔')} request ${r.id} ${r.status === 'used' ? 'was approved and used' : `approved by ${r.approvals.map((a) => a.by).join(', ')}`}${next}\n`,
    );
    return;
  }
  if (r.status === 'withdrawn') throw new HoopError('denied', `access request ${r.id} was withdrawn`);
  throw notApproved(r);
}
