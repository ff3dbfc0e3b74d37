/**
 * `hoopctl replay SESSION`: the session's API requests with their decisions (from the audit log), and
 * at each exec/attach its recorded terminal, played in real time (`--speed`, pauses capped by
 * `--idle-limit`). `--export FILE.cast` writes one recording as an asciicast v2 file instead; a session
 * with several recordings lists them and asks for `--exec N`, because an asciicast file holds one terminal.
 */
import { writeFile } from 'node:fs/promises';
import { parseCast, type CastEvent } from '../audit/asciicast.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { shellQuote } from '../audit/shell-quote.js';
import { formatTime } from '../credential/time-format.js';
import { HoopError } from '../errors.js';
import type { GatewayClient } from '../platform/gateway-client.js';
import { createGatewayClient } from '../platform/gateway-client.js';
import type { RecordingRecord } from '../store/store.js';
import { auditRequest, lastStagePerRequest, type DecisionPaint } from './audit-table.js';
import { resolveSessionId } from './cmd-sessions.js';
import type { CliContext } from './context.js';
import { createIdentityDeps, freshIdToken } from './identity.js';
import { renderTable } from './table.js';

/** Options of `hoopctl replay`. */
export interface ReplayOptions {
  speed?: string;
  exec?: string;
  idleLimit?: string;
  export?: string;
}

interface Pacing {
  speed: number;
  idleLimit: number;
  sleep(ms: number): Promise<void>;
}

function positive(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new HoopError('usage', `${flag} ${text}: must be a positive number`);
  return n;
}

/** The line of the timeline for one audit event: seconds since the session's first request, decision (deny in red), code, request, rule. */
export function timelineLine(e: AuditEvent, startMs: number, recordingNo?: number, paint?: DecisionPaint): string {
  const at = `+${((Date.parse(e.time) - startMs) / 1000).toFixed(1)}s`.padStart(8);
  const rule = e.rule === null ? '' : `  (${e.rule})`;
  const rec = recordingNo === undefined ? '' : `  [exec #${recordingNo}]`;
  const decision = e.decision.padEnd(8);
  const shown = paint === undefined ? decision : e.decision === 'deny' || e.decision === 'error' ? paint.red(decision) : decision;
  return `${at}  ${shown} ${String(e.responseStatus ?? '-').padEnd(4)} ${auditRequest(e)}${rule}${rec}`;
}

async function pause(seconds: number, p: Pacing): Promise<void> {
  const s = Math.min(Math.max(0, seconds), p.idleLimit) / p.speed;
  if (s > 0.001) await p.sleep(s * 1000);
}

/** Plays a recording's output and markers; true when it ended at the start of a line. */
async function playCast(ctx: CliContext, events: CastEvent[], p: Pacing): Promise<boolean> {
  let last = 0;
  let atLineStart = true;
  // A marker (and the end of the exec) goes on a line of its own, never over or after the recording's last line.
  const newLine = (): void => {
    if (!atLineStart) ctx.out.stdout.write('\n');
    atLineStart = true;
  };
  for (const [t, code, data] of events) {
    await pause(t - last, p);
    last = t;
    if (code === 'o') {
      ctx.out.stdout.write(data);
      atLineStart = data.endsWith('\n');
    } else if (code === 'm') {
      newLine();
      ctx.out.stderr.write(`${ctx.out.c.yellow(`[${data}]`)}\n`);
    }
  }
  return atLineStart;
}

/** How a recorded stream ended: its exit code, or — an exec without one — that it was cut. */
export function recordingOutcome(r: Pick<RecordingRecord, 'subresource' | 'exitCode' | 'endedAt'>): string {
  if (r.exitCode !== null) return `exit ${r.exitCode}`;
  if (r.endedAt === null) return 'still running';
  // kubectl's exec always ends with a status (exit code) unless the stream was cut; an attach ends without one.
  return r.subresource === 'exec' ? 'cut: no exit status' : 'ended';
}

/** `exec #2: kubectl exec web-1 -n demo -- sh -c 'echo "a b"' (websocket v5.channel.k8s.io, exit 0)`. */
export function describeRecording(r: RecordingRecord, n: number): string {
  const target = `${r.pod ?? '?'}${r.container ? ` -c ${r.container}` : ''}${r.namespace ? ` -n ${r.namespace}` : ''}`;
  const what = r.subresource === 'attach' ? `attach ${target}` : `exec ${target} -- ${shellQuote(r.command)}`;
  return `exec #${n}: kubectl ${what} (${r.transport} ${r.protocol}, ${recordingOutcome(r)}${r.truncated ? ', recording truncated at the session cap' : ''})`;
}

/** The recordings of a session as a table, for choosing one with `--exec N`. */
export function recordingList(recordings: RecordingRecord[], offsetMinutes?: number): string[] {
  return renderTable(
    [{ header: 'EXEC' }, { header: 'STARTED' }, { header: 'COMMAND', truncate: true }, { header: 'RESULT' }],
    recordings.map((r, i) => [
      String(i + 1),
      formatTime(r.startedAt, offsetMinutes),
      r.subresource === 'attach' ? `kubectl attach ${r.pod ?? '?'}` : `kubectl exec ${r.pod ?? '?'} -- ${shellQuote(r.command)}`,
      recordingOutcome(r),
    ]),
  );
}

async function fetchCast(client: GatewayClient, token: string, r: RecordingRecord): Promise<{ text: string } & ReturnType<typeof parseCast>> {
  const text = await client.getText(token, `/v1/recordings/${encodeURIComponent(r.id)}`);
  return { text, ...parseCast(text) };
}

/** Plays or exports a session. */
export async function runReplay(ctx: CliContext, session: string, opts: ReplayOptions): Promise<void> {
  const pacing: Pacing = {
    speed: positive(opts.speed, 1, '--speed'),
    idleLimit: positive(opts.idleLimit, 2, '--idle-limit'),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
  const deps = await createIdentityDeps(ctx);
  const { idToken, gateway } = await freshIdToken(deps);
  const client = createGatewayClient({ baseUrl: gateway });
  session = await resolveSessionId(client, idToken, session);
  const id = encodeURIComponent(session);
  const recordings = (await client.getJson<{ items: RecordingRecord[] }>(idToken, `/v1/sessions/${id}/recordings`)).items;
  const wanted = opts.exec === undefined ? undefined : Number(opts.exec);
  if (wanted !== undefined && (!Number.isInteger(wanted) || wanted < 1 || wanted > recordings.length)) {
    throw new HoopError('usage', `--exec ${opts.exec}: session ${session} has ${recordings.length} recorded exec/attach stream(s)`);
  }

  if (opts.export !== undefined) {
    if (recordings.length === 0) throw new HoopError('not_found', `session ${session} has no recorded exec or attach`);
    if (wanted === undefined && recordings.length > 1) {
      // An asciicast file is one terminal (one header, one size): list them rather than invent file names.
      ctx.out.stderr.write(`session ${session} has ${recordings.length} recorded exec/attach streams; an asciicast file holds one:\n`);
      for (const line of recordingList(recordings)) ctx.out.stderr.write(`  ${line}\n`);
      throw new HoopError('usage', `choose the recording to export with --exec N`, { hint: `hoopctl replay ${session} --exec 1 --export ${opts.export}` });
    }
    const r = recordings[(wanted ?? 1) - 1]!;
    const { text, events, header } = await fetchCast(client, idToken, r);
    // Recordings hold what people typed and saw (masked, but still private): 0600.
    await writeFile(opts.export, text, { mode: 0o600 });
    ctx.out.stderr.write(
      `wrote ${opts.export}: ${describeRecording(r, wanted ?? 1)}, ${events.length} events, ${header.width}x${header.height} terminal (asciinema play ${opts.export})\n`,
    );
    return;
  }

  // The timeline has one line per request, with its final status (an exec is received, started and completed).
  const audit = lastStagePerRequest((await client.getJson<{ items: AuditEvent[] }>(idToken, `/v1/audit?session=${id}&limit=5000`)).items);
  const byAudit = new Map(recordings.map((r, i) => [r.auditID, i + 1]));
  const played = new Set<number>();
  const startMs = audit.length > 0 ? Date.parse(audit[0]!.time) : Date.now();
  const began = audit.length > 0 ? ` from ${formatTime(audit[0]!.time)}` : '';
  ctx.out.stdout.write(`session ${session}: ${audit.length} request(s)${began}, ${recordings.length} recorded exec/attach stream(s)\n`);
  const play = async (n: number): Promise<void> => {
    if (played.has(n) || (wanted !== undefined && n !== wanted)) return;
    played.add(n);
    const r = recordings[n - 1]!;
    ctx.out.stdout.write(`${ctx.out.co.cyan(`── ${describeRecording(r, n)} ──`)}\n`);
    if (!(await playCast(ctx, (await fetchCast(client, idToken, r)).events, pacing))) ctx.out.stdout.write('\n');
    ctx.out.stdout.write(`${ctx.out.co.cyan(`── end of exec #${n} (${recordingOutcome(r)}) ──`)}\n`);
  };
  let lastMs = startMs;
  for (const e of audit) {
    const t = Date.parse(e.time);
    if (wanted === undefined) await pause((t - lastMs) / 1000, pacing);
    lastMs = t;
    const n = byAudit.get(e.auditID);
    if (wanted === undefined) ctx.out.stdout.write(`${timelineLine(e, startMs, n, ctx.out.co)}\n`);
    if (n !== undefined) await play(n);
  }
  // Recordings whose request is older than the audit page (or not visible) still play.
  for (let n = 1; n <= recordings.length; n++) await play(n);
}
