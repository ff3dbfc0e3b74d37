/**
 * `hoopctl replay SESSION`: the session's API requests with their decisions (from the audit log), and
 * at each exec/attach its recorded terminal, played in real time (`--speed`, pauses capped by
 * `--idle-limit`). `--export FILE.cast` writes one recording as an asciicast v2 file instead.
 */
import { writeFile } from 'node:fs/promises';
import { parseCast, type CastEvent } from '../audit/asciicast.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { HoopError } from '../errors.js';
import type { GatewayClient } from '../platform/gateway-client.js';
import { createGatewayClient } from '../platform/gateway-client.js';
import type { RecordingRecord } from '../store/store.js';
import type { CliContext } from './context.js';
import { createIdentityDeps, freshIdToken } from './identity.js';

/** Options of `hoopctl replay`. */
export interface ReplayOptions {
  speed?: string;
  exec?: string;
  idleLimit?: string;
  export?: string;
}

interface Pacing { speed: number; idleLimit: number; sleep(ms: number): Promise<void> }

function positive(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new HoopError('usage', `${flag} ${text}: must be a positive number`);
  return n;
}

/** The line of the timeline for one audit event. */
export function timelineLine(e: AuditEvent, startMs: number, recordingNo?: number): string {
  const at = `+${((Date.parse(e.time) - startMs) / 1000).toFixed(1)}s`.padStart(8);
  const what = e.resource === null
    ? e.requestURI
    : `${e.resource}${e.subresource ? `/${e.subresource}` : ''}${e.name ? ` ${e.name}` : ''}${e.namespace ? ` -n ${e.namespace}` : ''}`;
  const rule = e.rule === null ? '' : `  (${e.rule})`;
  const rec = recordingNo === undefined ? '' : `  [exec #${recordingNo}]`;
  return `${at}  ${e.decision.padEnd(8)} ${String(e.responseStatus ?? '-').padEnd(4)} ${e.verb.padEnd(7)} ${what}${rule}${rec}`;
}

async function pause(seconds: number, p: Pacing): Promise<void> {
  const s = Math.min(Math.max(0, seconds), p.idleLimit) / p.speed;
  if (s > 0.001) await p.sleep(s * 1000);
}

async function playCast(ctx: CliContext, events: CastEvent[], p: Pacing): Promise<void> {
  let last = 0;
  for (const [t, code, data] of events) {
    await pause(t - last, p);
    last = t;
    if (code === 'o') ctx.out.stdout.write(data);
    else if (code === 'm') ctx.out.stderr.write(`${ctx.out.c.yellow(`[${data}]`)}\n`);
  }
}

function describe(r: RecordingRecord, n: number): string {
  const what = r.subresource === 'attach' ? `attach ${r.pod ?? ''}` : `exec ${r.pod ?? ''} -- ${r.command.join(' ')}`;
  const exit = r.exitCode === null ? '' : `, exit ${r.exitCode}`;
  return `exec #${n}: kubectl ${what} (${r.transport} ${r.protocol}${exit}${r.truncated ? ', recording truncated at the session cap' : ''})`;
}

async function fetchCast(client: GatewayClient, token: string, r: RecordingRecord): Promise<{ text: string; events: CastEvent[] }> {
  const text = await client.getText(token, `/v1/recordings/${encodeURIComponent(r.id)}`);
  return { text, events: parseCast(text).events };
}

/** Plays or exports a session. */
export async function runReplay(ctx: CliContext, session: string, opts: ReplayOptions): Promise<void> {
  const pacing: Pacing = {
    speed: positive(opts.speed, 1, '--speed'), idleLimit: positive(opts.idleLimit, 2, '--idle-limit'),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  const deps = await createIdentityDeps(ctx);
  const { idToken, gateway } = await freshIdToken(deps);
  const client = createGatewayClient({ baseUrl: gateway });
  const id = encodeURIComponent(session);
  const recordings = (await client.getJson<{ items: RecordingRecord[] }>(idToken, `/v1/sessions/${id}/recordings`)).items;
  const wanted = opts.exec === undefined ? undefined : Number(opts.exec);
  if (wanted !== undefined && (!Number.isInteger(wanted) || wanted < 1 || wanted > recordings.length)) {
    throw new HoopError('usage', `--exec ${opts.exec}: session ${session} has ${recordings.length} recorded exec/attach stream(s)`);
  }

  if (opts.export !== undefined) {
    if (recordings.length === 0) throw new HoopError('not_found', `session ${session} has no recorded exec or attach`);
    if (wanted === undefined && recordings.length > 1) {
      throw new HoopError('usage', `session ${session} has ${recordings.length} recordings; choose one with --exec N`, { hint: `hoopctl replay ${session} to list them` });
    }
    const r = recordings[(wanted ?? 1) - 1]!;
    const { text, events } = await fetchCast(client, idToken, r);
    // Recordings hold what people typed and saw (masked, but still private): 0600.
    await writeFile(opts.export, text, { mode: 0o600 });
    ctx.out.stderr.write(`wrote ${opts.export}: ${describe(r, (wanted ?? 1))}, ${events.length} events (asciinema play ${opts.export})\n`);
    return;
  }

  const audit = (await client.getJson<{ items: AuditEvent[] }>(idToken, `/v1/audit?session=${id}&limit=5000`)).items;
  const byAudit = new Map(recordings.map((r, i) => [r.auditID, i + 1]));
  const played = new Set<number>();
  const startMs = audit.length > 0 ? Date.parse(audit[0]!.time) : Date.now();
  ctx.out.stdout.write(`session ${session}: ${audit.length} request(s), ${recordings.length} recorded exec/attach stream(s)\n`);
  const play = async (n: number): Promise<void> => {
    if (played.has(n) || (wanted !== undefined && n !== wanted)) return;
    played.add(n);
    const r = recordings[n - 1]!;
    ctx.out.stdout.write(`${ctx.out.c.cyan(`── ${describe(r, n)} ──`)}\n`);
    await playCast(ctx, (await fetchCast(client, idToken, r)).events, pacing);
    ctx.out.stdout.write(`${ctx.out.c.cyan(`── end of exec #${n} ──`)}\n`);
  };
  let lastMs = startMs;
  for (const e of audit) {
    const t = Date.parse(e.time);
    if (wanted === undefined) await pause((t - lastMs) / 1000, pacing);
    lastMs = t;
    const n = byAudit.get(e.auditID);
    if (wanted === undefined) ctx.out.stdout.write(`${timelineLine(e, startMs, n)}\n`);
    if (n !== undefined) await play(n);
  }
  // Recordings whose request is older than the audit page (or not visible) still play.
  for (let n = 1; n <= recordings.length; n++) await play(n);
}
