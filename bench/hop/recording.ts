/**
 * CPU per MiB of exec recording alone: `node --import tsx bench/hop/recording.ts [--mib 32] [--rounds 3]`. Feeds the
 * bench's exec output (80-byte lines in 16 KiB WebSocket v5 stdout frames, delivered in 64 KiB reads) through the
 * built gateway's recording path — frame decoder, cast recorder with the built-in masking, a SQLite store in a
 * temporary directory — and prints CPU ms per MiB (process.cpuUsage) for: decoding only, decoding + masking + cast
 * lines (store discarded), the whole path on the relay's thread (`store`, as before the recording worker), and the
 * whole path with the recording worker (`worker`: the process, and the relay's thread alone from
 * /proc/self/task). The relay itself is not in these figures.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '32' }, rounds: { type: 'string', default: '3' } } });
const MIB = Number(values.mib);
const dist = (p: string): string => join(process.cwd(), 'dist/src', p);
const { createRemoteCommandDecoder } = (await import(
  dist('gateway/recording/remote-command-decoder.js')
)) as typeof import('../../src/gateway/recording/remote-command-decoder.js');
const { createCastRecorder } = (await import(dist('gateway/recording/cast-recorder.js'))) as typeof import('../../src/gateway/recording/cast-recorder.js');
const { recordingMasker } = (await import(dist('gateway/recording/record-upgrade.js'))) as typeof import('../../src/gateway/recording/record-upgrade.js');
const { DEFAULT_MASK_RULES } = (await import(dist('mask/index.js'))) as typeof import('../../src/mask/index.js');
const { createWorkerRecorder } = (await import(
  dist('gateway/recording/worker-recorder.js')
)) as typeof import('../../src/gateway/recording/worker-recorder.js');
const { openSqliteStore } = (await import(dist('store/sqlite-store.js'))) as typeof import('../../src/store/sqlite-store.js');
type Store = import('../../src/store/store.js').Store;

const LINE = 'hoopctl bench exec output line, eighty bytes long like a typical log line .....\n';
const text = Buffer.from(LINE.repeat(Math.ceil(16384 / LINE.length))).subarray(0, 16383);
const frame = Buffer.concat([Buffer.from([0x82, 126, 0x40, 0x00, 1]), text]); // FIN binary, 16 KiB payload: channel 1 + text
const wire = Buffer.concat(Array.from({ length: 64 }, () => frame)); // 1 MiB of frames
const reads = Array.from({ length: Math.ceil(wire.length / 65536) }, (_, i) => wire.subarray(i * 65536, (i + 1) * 65536));

const masking = { enabled: true, rules: DEFAULT_MASK_RULES } as Parameters<typeof recordingMasker>[0];
const dir = mkdtempSync(join(tmpdir(), 'hop-rec-'));
const store: Store = await openSqliteStore(join(dir, 'state.db'));
const discard = { createRecording: () => Promise.resolve(), appendRecording: () => Promise.resolve(), updateRecording: () => Promise.resolve() };

// CPU ms of this process's main thread (utime + stime of its task, in 10 ms ticks).
function mainThreadMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

type Mode = 'decode' | 'cast' | 'store' | 'worker';
let mainMs = 0;

async function run(mode: Mode, n: number): Promise<number> {
  const decoder = createRemoteCommandDecoder('websocket', 'v5.channel.k8s.io');
  const id = `rec-${mode}-${n}`;
  const record = {
    id,
    session: 's',
    auditID: 'a',
    user: 'u',
    connection: 'c',
    subresource: 'exec' as const,
    protocol: 'v5.channel.k8s.io',
    transport: 'websocket' as const,
    namespace: 'n',
    pod: 'p',
    container: null,
    command: ['sh'],
    tty: false,
    startedAt: new Date().toISOString(),
    endedAt: null,
    width: 80,
    height: 24,
    bytes: 0,
    truncated: false,
    exitCode: null,
    maskedCount: 0,
  };
  let paused: (() => void) | undefined;
  const recorder =
    mode === 'worker'
      ? createWorkerRecorder(record, {
          store,
          now: Date.now,
          masking,
          budget: { max: Number.MAX_SAFE_INTEGER, used: 0 },
          onFailure: (e) => {
            throw e;
          },
          onBacklog: (high) => {
            if (!high) paused?.();
          },
        })
      : createCastRecorder(record, {
          store: mode === 'store' ? store : discard,
          now: Date.now,
          createMasker: recordingMasker(masking),
          budget: { max: Number.MAX_SAFE_INTEGER, take: () => true },
          onFailure: (e) => {
            throw e;
          },
        });
  await recorder.start();
  const t = process.cpuUsage();
  const main0 = mainThreadMs();
  for (let m = 0; m < MIB; m++) {
    for (const r of reads) {
      const events = decoder.fromServer(r);
      if (mode !== 'decode') recorder.record(events);
    }
    // Let the recorder's store writes run as they would between socket reads; wait while the worker is behind.
    if (m % 4 === 3) await new Promise((resolve) => setImmediate(resolve));
    if (mode === 'worker' && m % 4 === 3)
      await new Promise<void>((resolve) => {
        paused = resolve;
        setTimeout(resolve, 5);
      });
  }
  await recorder.finish();
  const u = process.cpuUsage(t);
  mainMs = (mainThreadMs() - main0) / MIB;
  return (u.user + u.system) / 1000 / MIB;
}

for (let r = 0; r < Number(values.rounds); r++) {
  const out: string[] = [];
  for (const mode of ['decode', 'cast', 'store', 'worker'] as const) out.push(`${mode} ${(await run(mode, r)).toFixed(2)}`);
  out.push(`(worker: relay thread ${mainMs.toFixed(2)})`);
  process.stdout.write(`round ${r + 1}: CPU ms per MiB — ${out.join(', ')}\n`);
}
await store.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
