/**
 * Recording of an upgraded exec/attach stream at the gateway: decides whether the stream is recorded,
 * reads copies of the relayed bytes (the relay itself is untouched) and feeds the cast recorder.
 * Port-forward and other upgrades are not recorded. A stream the recorder cannot follow, or whose
 * recording cannot be stored, is cut: nothing passes unrecorded.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createMaskContext, MASK_MARKER, maskArgv, maskString } from '../../mask/index.js';
import type { CompiledMasking } from '../../policy/compile-masking.js';
import type { Store } from '../../store/store.js';
import { DEFAULT_MAX_RECORDING_BYTES } from '../config-recordings.js';
import type { GatewayContext } from '../gateway-context.js';
import type { ClassifiedExchange } from '../pipeline/exchange.js';
import { createCastRecorder, type RecordingBudget, type TextMasker } from './cast-recorder.js';
import { createRemoteCommandDecoder } from './remote-command-decoder.js';

/** Taps of one recorded stream. */
export interface UpgradeRecording {
  readonly id: string;
  /** Creates the recording in the store (before any byte flows). */
  start(): Promise<void>;
  fromClient(chunk: Buffer): void;
  fromUpstream(chunk: Buffer): void;
  /** Both sockets closed: flush and finish; `cutReason` (the gateway cut the stream: revoked, expired …) is marked at the end. */
  end(cutReason?: string): Promise<void>;
}

const RECORDED = new Set(['exec', 'attach']);

const KEY_BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/g;
const KEY_END = /-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/;
const MAX_PENDING = 64 * 1024;

/**
 * The value-pattern masker of the recordings (a no-op when masking is switched off in the policy). It masks
 * whole runs of complete lines at once — per line, `yes`-style output would cost ten times more CPU in the
 * relay's path — and carries a private key block that a run leaves open into the next ones.
 */
export function recordingMasker(masking: CompiledMasking): () => TextMasker {
  if (!masking.enabled) return () => ({ push: (t) => t, end: () => '', masked: () => 0 });
  return () => {
    const ctx = createMaskContext(masking.rules);
    let pending = '';
    let inKey = false;
    const maskRun = (run: string): string => {
      let head = '';
      if (inKey) {
        const end = KEY_END.exec(run);
        if (end === null) return run.replace(/[^\n]+/g, MASK_MARKER);
        head = MASK_MARKER;
        run = run.slice(end.index + end[0].length);
        inKey = false;
      }
      let lastBegin = -1;
      for (const m of run.matchAll(KEY_BEGIN)) lastBegin = m.index;
      // The private-key pattern masks an unterminated block to the end of the run; its rest comes next.
      if (lastBegin !== -1 && !KEY_END.test(run.slice(lastBegin))) inKey = true;
      return head + maskString(run, ctx);
    };
    return {
      push(text) {
        pending += text;
        const cut = pending.lastIndexOf('\n') + 1;
        if (cut === 0 && pending.length <= MAX_PENDING) return '';
        const take = cut === 0 ? pending.length : cut;
        const run = pending.slice(0, take);
        pending = pending.slice(take);
        return maskRun(run);
      },
      end() {
        const run = pending;
        pending = '';
        return run === '' ? '' : maskRun(run);
      },
      masked: () => ctx.counter.masked,
    };
  };
}

// One budget table per gateway, without widening the shared GatewayContext: bytes recorded per session in
// this process, seeded from the store the first time a session records here.
const budgetTables = new WeakMap<GatewayContext, Map<string, Promise<{ used: number }>>>();

async function budgetFor(gw: GatewayContext, store: Pick<Store, 'listRecordings'>, session: string, max: number): Promise<RecordingBudget> {
  let table = budgetTables.get(gw);
  if (table === undefined) { table = new Map(); budgetTables.set(gw, table); }
  let entry = table.get(session);
  if (entry === undefined) {
    entry = store.listRecordings(session).then((list) => ({ used: list.reduce((n, r) => n + r.bytes, 0) }));
    table.set(session, entry);
    entry.catch(() => table.delete(session));
  }
  const counter = await entry;
  return { max, take: (bytes) => { if (counter.used + bytes > max) return false; counter.used += bytes; return true; } };
}

function streamProtocol(upRes: IncomingMessage): { transport: 'websocket' | 'spdy'; protocol: string } | undefined {
  const upgrade = (upRes.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') return { transport: 'websocket', protocol: String(upRes.headers['sec-websocket-protocol'] ?? '') };
  if (upgrade.startsWith('spdy/')) return { transport: 'spdy', protocol: String(upRes.headers['x-stream-protocol-version'] ?? '') };
  return undefined;
}

/** True when this upgrade request is an exec or attach the gateway records. */
export function isRecordedUpgrade(x: ClassifiedExchange): boolean {
  return x.info.isResourceRequest && x.info.resource === 'pods' && RECORDED.has(x.info.subresource)
    && (x.gw.config.recordings?.enabled ?? true);
}

/**
 * Prepares the recording of an upgraded stream, or undefined when it is not recorded. Throws when it must
 * be recorded but cannot be (an unknown stream protocol): the caller refuses the stream.
 */
export async function prepareRecording(x: ClassifiedExchange, upRes: IncomingMessage, cut: (reason: string) => void): Promise<UpgradeRecording | undefined> {
  if (!isRecordedUpgrade(x)) return undefined;
  const gw = x.gw;
  const proto = streamProtocol(upRes);
  const { info, session: { claims } } = x;
  if (proto === undefined) throw new Error(`cannot record a ${info.subresource} stream upgraded to ${JSON.stringify(upRes.headers.upgrade)}`);
  const query = new URL(x.kubePath, 'http://k8s.invalid').searchParams;
  const flag = (k: string): boolean => query.get(k) === 'true' || query.get(k) === '1';
  // The command line can carry a secret (`printf password=…`): it is stored, titled and served masked, as the audit
  // masks it in the request URI (whatever masking.enabled says, like the audit).
  const argvCtx = createMaskContext(gw.config.policy.masking.rules);
  const command = maskArgv(query.getAll('command'), argvCtx);
  const max = gw.config.recordings?.maxBytesPerSession ?? DEFAULT_MAX_RECORDING_BYTES;
  const id = randomUUID();
  const container = query.get('container');
  const recorder = createCastRecorder({
    id, session: claims.sid, auditID: x.auditID, user: claims.sub, connection: x.connectionName, subresource: info.subresource as 'exec' | 'attach',
    protocol: proto.protocol, transport: proto.transport, namespace: info.namespace || null, pod: info.name || null, container,
    command, tty: flag('tty'), startedAt: new Date(gw.now()).toISOString(), endedAt: null, width: 80, height: 24, bytes: 0,
    truncated: false, exitCode: null, maskedCount: argvCtx.counter.masked,
  }, {
    store: gw.store, now: gw.now, createMasker: recordingMasker(gw.config.policy.masking),
    budget: await budgetFor(gw, gw.store, claims.sid, max),
    onFailure: (cause) => {
      gw.log(`recording ${id} (audit ${x.auditID}) failed, stream cut: ${cause instanceof Error ? cause.message : String(cause)}`);
      cut('its recording could not be written');
    },
  });
  const decoder = createRemoteCommandDecoder(proto.transport, proto.protocol);
  let broken = false;
  const read = (fn: () => ReturnType<typeof decoder.fromClient>): void => {
    if (broken) return;
    try {
      recorder.record(fn());
    } catch (cause) {
      broken = true;
      recorder.mark(`hoopctl: the stream could not be decoded for recording and was cut (${cause instanceof Error ? cause.message : String(cause)})`);
      gw.log(`recording ${id} (audit ${x.auditID}): undecodable stream, cut`);
      cut('it could not be recorded');
    }
  };
  let ended: Promise<void> | undefined;
  return {
    id,
    start: () => recorder.start(),
    fromClient: (chunk) => read(() => decoder.fromClient(chunk)),
    fromUpstream: (chunk) => read(() => decoder.fromServer(chunk)),
    end(cutReason) {
      ended ??= (async () => {
        if (!broken) read(() => decoder.end());
        const why = cutReason === undefined || broken ? undefined : `hoopctl: the stream was cut here (${cutReason})`;
        await recorder.finish(why).catch((e: unknown) => gw.log(`recording ${id}: final write failed: ${e instanceof Error ? e.message : String(e)}`));
      })();
      return ended;
    },
  };
}
