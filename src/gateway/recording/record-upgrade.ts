/**
 * Recording of an upgraded exec/attach stream at the gateway: decides whether the stream is recorded,
 * reads copies of the relayed bytes (the relay itself is untouched) and feeds the cast recorder.
 * Port-forward and other upgrades are not recorded. A stream the recorder cannot follow, or whose
 * recording cannot be stored, is cut: nothing passes unrecorded.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createMaskContext, maskArgv } from '../../mask/index.js';
import type { Store } from '../../store/store.js';
import { DEFAULT_MAX_RECORDING_BYTES } from '../config-recordings.js';
import type { GatewayContext } from '../gateway-context.js';
import type { ClassifiedExchange } from '../pipeline/exchange.js';
import { NEW_RECORDING } from './cast-recorder.js';
import { createRemoteCommandDecoder } from './remote-command-decoder.js';
import { createWorkerRecorder } from './worker-recorder.js';

export { recordingMasker } from './recording-masker.js';

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

// One budget table per gateway, without widening the shared GatewayContext: bytes recorded per session in
// this process, seeded from the store the first time a session records here.
const budgetTables = new WeakMap<GatewayContext, Map<string, Promise<{ used: number }>>>();

// The counter only seeds the recording worker, which counts every recording of this process from then on.
async function budgetFor(gw: GatewayContext, store: Pick<Store, 'listRecordings'>, session: string, max: number): Promise<{ max: number; used: number }> {
  let table = budgetTables.get(gw);
  if (table === undefined) {
    table = new Map();
    budgetTables.set(gw, table);
  }
  let entry = table.get(session);
  if (entry === undefined) {
    entry = store.listRecordings(session).then((list) => ({ used: list.reduce((n, r) => n + r.bytes, 0) }));
    table.set(session, entry);
    entry.catch(() => table.delete(session));
  }
  return { max, used: (await entry).used };
}

function streamProtocol(upRes: IncomingMessage): { transport: 'websocket' | 'spdy'; protocol: string } | undefined {
  const upgrade = (upRes.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') return { transport: 'websocket', protocol: String(upRes.headers['sec-websocket-protocol'] ?? '') };
  if (upgrade.startsWith('spdy/')) return { transport: 'spdy', protocol: String(upRes.headers['x-stream-protocol-version'] ?? '') };
  return undefined;
}

/** True when this upgrade request is an exec or attach the gateway records. */
export function isRecordedUpgrade(x: ClassifiedExchange): boolean {
  return x.info.isResourceRequest && x.info.resource === 'pods' && RECORDED.has(x.info.subresource) && (x.gw.config.recordings?.enabled ?? true);
}

/**
 * Prepares the recording of an upgraded stream, or undefined when it is not recorded. Throws when it must
 * be recorded but cannot be (an unknown stream protocol): the caller refuses the stream.
 */
export async function prepareRecording(
  x: ClassifiedExchange,
  upRes: IncomingMessage,
  cut: (reason: string) => void,
  flow?: { pause(): void; resume(): void },
): Promise<UpgradeRecording | undefined> {
  if (!isRecordedUpgrade(x)) return undefined;
  const gw = x.gw;
  const proto = streamProtocol(upRes);
  const {
    info,
    session: { claims },
  } = x;
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
  const recorder = createWorkerRecorder(
    {
      id,
      session: claims.sid,
      auditID: x.auditID,
      user: claims.sub,
      connection: x.connectionName,
      subresource: info.subresource as 'exec' | 'attach',
      protocol: proto.protocol,
      transport: proto.transport,
      namespace: info.namespace || null,
      pod: info.name || null,
      container,
      command,
      tty: flag('tty'),
      startedAt: new Date(gw.now()).toISOString(),
      ...NEW_RECORDING,
      maskedCount: argvCtx.counter.masked,
    },
    {
      store: gw.store,
      now: gw.now,
      masking: gw.config.policy.masking,
      budget: await budgetFor(gw, gw.store, claims.sid, max),
      ...(flow === undefined
        ? {}
        : {
            onBacklog: (high: boolean) => {
              if (high) flow.pause();
              else flow.resume();
            },
          }),
      onFailure: (cause) => {
        gw.log(`recording ${id} (audit ${x.auditID}) failed, stream cut: ${cause instanceof Error ? cause.message : String(cause)}`);
        cut('its recording could not be written');
      },
    },
  );
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
