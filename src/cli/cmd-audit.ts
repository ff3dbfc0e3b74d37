/**
 * `hoopctl audit`: audit events from the gateway (own events; all for admins) as a table or JSON lines,
 * `--follow` to keep printing new ones, `--export FILE` to append JSON lines a SIEM can tail;
 * `hoopctl audit verify`: checks the hash chain (at the gateway, or offline with `--db FILE`).
 */
import { chmod, open, type FileHandle } from 'node:fs/promises';
import type { AuditEvent } from '../audit/audit-event.js';
import type { ChainReport } from '../audit/verify-chain.js';
import { parseDuration } from '../credential/duration.js';
import { HoopError } from '../errors.js';
import { createGatewayClient } from '../platform/gateway-client.js';
import { foldDiscovery, formatAuditRows } from './audit-table.js';
import { resolveSessionId } from './cmd-sessions.js';
import { ExitRequest, type CliContext } from './context.js';
import { createIdentityDeps, freshIdToken } from './identity.js';

/** Options of `hoopctl audit`. */
export interface AuditOptions {
  session?: string;
  user?: string;
  since?: string;
  limit?: string;
  output?: string;
  follow?: boolean;
  export?: string;
  /** Discovery requests too (the table folds them away by default). */
  all?: boolean;
  /** Poll period of --follow in ms (hidden flag; tests shorten it). */
  interval?: string;
}

const FOLLOW_LIMIT = 1000;

function query(opts: AuditOptions, extra: Record<string, string>): string {
  const q = new URLSearchParams();
  if (opts.session !== undefined) q.set('session', opts.session);
  if (opts.user !== undefined) q.set('user', opts.user);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString();
}

async function openExport(path: string): Promise<FileHandle> {
  // Audit events name people and what they did: private to the owner, appended so a SIEM can tail the file.
  const fh = await open(path, 'a', 0o600);
  await chmod(path, 0o600);
  return fh;
}

/** Prints (or exports) the audit events the caller may see; with --follow, keeps polling for new ones until interrupted. */
export async function runAudit(ctx: CliContext, opts: AuditOptions): Promise<void> {
  const format = opts.output ?? 'table';
  if (!['table', 'text', 'wide', 'json'].includes(format)) throw new HoopError('usage', `-o ${format}: use table, wide or json`);
  const deps = await createIdentityDeps(ctx);
  const first = await freshIdToken(deps);
  const client = createGatewayClient({ baseUrl: first.gateway });
  // A session id as a terminal table shows it (its first characters) names the session.
  if (opts.session !== undefined) opts = { ...opts, session: await resolveSessionId(client, first.idToken, opts.session) };
  const file = opts.export === undefined || opts.export === '-' ? undefined : await openExport(opts.export);
  const toStdoutJson = format === 'json' || opts.export === '-';
  let exported = 0;
  let folded = 0;
  let headerDone = false;
  const width = ctx.out.width();
  const table = { ...(width === undefined ? {} : { width }), wide: format === 'wide', paint: ctx.out.co };
  const print = async (events: AuditEvent[]): Promise<void> => {
    if (file !== undefined) {
      if (events.length > 0) await file.appendFile(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
      exported += events.length;
      return;
    }
    if (toStdoutJson) {
      for (const e of events) ctx.out.stdout.write(`${JSON.stringify(e)}\n`);
      return;
    }
    const page = foldDiscovery(events, opts.all === true);
    folded += page.folded;
    if (page.shown.length === 0) return;
    for (const line of formatAuditRows(page.shown, table, !headerDone)) ctx.out.stdout.write(`${line}\n`);
    headerDone = true;
  };
  const sayFolded = (): void => {
    if (folded > 0) ctx.out.stderr.write(`${folded} discovery request(s) (GET /api, /apis, /version, /openapi …) not shown; --all shows them\n`);
  };
  try {
    const extra: Record<string, string> = { limit: opts.limit ?? '200' };
    if (opts.since !== undefined) extra.since = new Date(Date.now() - parseDuration(opts.since) * 1000).toISOString();
    const initial = await client.getJson<{ items: AuditEvent[]; limit?: number }>(first.idToken, `/v1/audit?${query(opts, extra)}`);
    await print(initial.items);
    sayFolded();
    if (!toStdoutJson && file === undefined && initial.items.length === 0) ctx.out.stderr.write('no audit events\n');
    const asked = Number(extra.limit);
    if (initial.limit !== undefined && initial.limit < asked && initial.items.length === initial.limit) {
      ctx.out.stderr.write(
        `warning: showing the newest ${initial.limit} events, the most the gateway returns at once (asked for ${asked}); narrow with --since, --user or --session\n`,
      );
    }
    if (opts.follow !== true) {
      if (file !== undefined) ctx.out.stderr.write(`wrote ${exported} audit event(s) to ${opts.export}\n`);
      return;
    }
    // Start after the newest event the caller can see, matching the filters or not, so nothing old is repeated.
    let after = initial.items.at(-1)?.seq ?? (await client.getJson<{ items: AuditEvent[] }>(first.idToken, `/v1/audit?limit=1`)).items.at(-1)?.seq ?? 0;
    const interval = Number(opts.interval ?? 1000);
    for (;;) {
      await new Promise((r) => setTimeout(r, interval));
      const { idToken } = await freshIdToken(deps);
      const page = await client.getJson<{ items: AuditEvent[] }>(idToken, `/v1/audit?${query(opts, { after: String(after), limit: String(FOLLOW_LIMIT) })}`);
      await print(page.items);
      after = page.items.at(-1)?.seq ?? after;
    }
  } finally {
    await file?.close();
  }
}

/** Prints a chain report; a broken chain exits 1 naming the first bad event. */
export function reportChain(ctx: CliContext, report: ChainReport, json: boolean): void {
  if (json) ctx.out.stdout.write(`${JSON.stringify(report)}\n`);
  else if (report.ok) {
    const head = report.head === undefined ? 'no chained events yet' : `head: event ${report.head.seq}, hash ${report.head.hash}`;
    const legacy = report.unchained > 0 ? ` (${report.unchained} earlier event(s) predate the chain)` : '';
    ctx.out.stdout.write(`audit chain ok: ${report.checked} event(s) verified; ${head}${legacy}\n`);
  }
  if (report.ok) return;
  const p = report.problem!;
  ctx.out.stderr.write(`${ctx.out.c.red('error:')} audit chain broken at event ${p.seq} (${p.kind}): ${p.message}\n`);
  if (report.head !== undefined) ctx.out.stderr.write(`last good event: ${report.head.seq} (hash ${report.head.hash})\n`);
  throw new ExitRequest(1);
}

/** `hoopctl audit verify [--db FILE]`: the gateway's own check (admins), or offline against its SQLite file. */
export async function runAuditVerify(ctx: CliContext, opts: { db?: string; output?: string }): Promise<void> {
  const json = opts.output === 'json';
  if (opts.db !== undefined) {
    const { openSqliteAuditFile } = await import('../store/sqlite-audit.js');
    const { verifyAuditLog } = await import('../audit/verify-chain.js');
    const source = openSqliteAuditFile(opts.db);
    try {
      reportChain(ctx, await verifyAuditLog(source), json);
    } finally {
      source.close();
    }
    return;
  }
  const deps = await createIdentityDeps(ctx);
  const { idToken, gateway } = await freshIdToken(deps);
  const report = await createGatewayClient({ baseUrl: gateway }).getJson<ChainReport>(idToken, '/v1/audit/verify');
  reportChain(ctx, report, json);
}
