/**
 * 4. exec throughput: bytes/s of a large stdout over WebSocket (`v5.channel.k8s.io`), direct and
 * through the chain. Measured only when the test server serves `pods/exec`; otherwise the row says
 * pending — never a made-up number.
 */
import WebSocket from 'ws';
import type { BenchOptions } from './args.js';
import { row, type Row } from './report.js';
import { SMALL_NAMESPACE } from './measure-small.js';
import type { Stack } from './stack.js';
import { cpuMeter } from './cpu.js';
import { RECORDING_OFF } from './gateway-config.js';
import { monoMs } from './stats.js';
import { poolFor, type Target } from './targets.js';

// Below the gateway's default per-session recording cap (64 MiB), so the whole stream is recorded as in production.
const BYTES = 32 * 1024 * 1024;
// The test server's container simulation streams `yes` in 16 KiB writes; `| head -c N` cuts it like SIGPIPE.
// 80-byte lines, like logs or `cat` of a text file (bare `yes` would be 2-byte lines, a worst case for line masking).
const LINE = 'hoopctl bench exec output line, eighty bytes long like a typical log line .....';
const COMMAND = ['sh', '-c', `yes '${LINE}' | head -c ${BYTES}`];
const MB = 1024 * 1024;

/** Reads channel 1 (stdout) of an exec until the server closes; bytes and seconds. */
function execStdout(target: Target, pod: string): Promise<{ bytes: number; seconds: number }> {
  const q = new URLSearchParams([...COMMAND.map((c): [string, string] => ['command', c]), ['stdout', 'true'], ['stderr', 'true']]);
  const url = `${target.base.replace(/^http/, 'ws')}/api/v1/namespaces/${SMALL_NAMESPACE}/pods/${pod}/exec?${q.toString()}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
      headers: target.headers,
      ...(target.tls?.ca === undefined ? {} : { ca: target.tls.ca }),
    });
    let bytes = 0;
    let t0 = 0;
    ws.on('open', () => {
      t0 = monoMs();
    });
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) bytes += data.length - 1;
    });
    ws.on('close', () => resolve({ bytes, seconds: (monoMs() - t0) / 1000 }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`exec via ${target.name} → HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

/** True when the test server answers exec with its "not implemented by the simulation" Status. */
async function notImplemented(direct: Target): Promise<boolean> {
  const pool = poolFor(direct, 1);
  try {
    const r = await pool.request({
      path: `/api/v1/namespaces/${SMALL_NAMESPACE}/pods/web-000/exec?command=true&stdout=true`,
      method: 'GET',
      headers: direct.headers,
    });
    return r.statusCode === 404 && (await r.body.text()).includes('is not implemented by the hoopctl kube-apiserver simulation');
  } finally {
    await pool.close();
  }
}

/** Runs the exec figures (or reports them pending). */
export async function measureExec(stack: Stack, _o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const section = '4. exec stdout throughput';
  const pending = (note: string): Row[] => [
    row({ id: 'exec.chain.bytes-per-s', section, figure: 'chain: exec stdout', value: null, unit: 'MiB/s', target: '≥ 100 MB/s', note }),
  ];
  if (!stack.upstream.simulated) return pending('skipped: needs the simulated upstream');
  await stack.upstream.call({ op: 'seedPods', namespace: SMALL_NAMESPACE, count: 1 });
  if (!(await stack.upstream.call<boolean>({ op: 'hasExec' })) && (await notImplemented(stack.targets.direct))) {
    return pending('pending: exec not implemented in the test server');
  }
  const rows: Row[] = [];
  let direct: number | undefined;
  let unrecorded: Awaited<ReturnType<Stack['startVariantGateway']>> | undefined;
  try {
    unrecorded = await stack.startVariantGateway('gateway-unrecorded', RECORDING_OFF);
  } catch (e) {
    log(`  no recording switch in this gateway build (${(e as Error).message.split('\n')[0]})`);
  }
  const runs: { name: string; target: Target; gatewayPid?: number }[] = [
    { name: 'direct', target: stack.targets.direct },
    ...(unrecorded === undefined ? [] : [{ name: 'gateway, recording off', target: unrecorded.target, gatewayPid: unrecorded.gateway.pid }]),
    { name: 'gateway', target: stack.targets.gateway, gatewayPid: stack.gateway.pid },
    { name: 'chain', target: stack.targets.chain, gatewayPid: stack.gateway.pid },
  ];
  for (const { name, target, gatewayPid } of runs) {
    let r: { bytes: number; seconds: number };
    const meter = await cpuMeter({ upstream: stack.upstream.pid, gateway: gatewayPid, 'local-proxy': stack.chain.pid, bench: process.pid });
    let cpu: Record<string, number>;
    try {
      r = await execStdout(target, 'web-000');
      cpu = await meter.stop();
    } catch (e) {
      await unrecorded?.gateway.close();
      return pending(`pending: the test server's exec failed (${(e as Error).message})`);
    }
    if (r.bytes < BYTES) {
      await unrecorded?.gateway.close();
      return pending(`pending: the test server's exec streamed ${r.bytes} of ${BYTES} bytes for \`${COMMAND.join(' ')}\``);
    }
    const mibs = r.bytes / MB / r.seconds;
    const perMiB = (p: string): string => `${p} ${((cpu[p] ?? Number.NaN) / (r.bytes / MB)).toFixed(2)}`;
    const hops =
      name === 'direct' ? ['upstream', 'bench'] : name === 'chain' ? ['upstream', 'gateway', 'local-proxy', 'bench'] : ['upstream', 'gateway', 'bench'];
    const cpuNote = `CPU ms per MiB: ${hops.map(perMiB).join(', ')} (bench = the ws client)`;
    log(`  ${name}: ${mibs.toFixed(0)} MiB/s; ${cpuNote}`);
    if (name === 'direct') direct = mibs;
    rows.push(
      row({
        id: `exec.${name.replace(/[^a-z]+/g, '-')}.bytes-per-s`,
        section,
        figure: `${name}: exec stdout (${BYTES / MB} MiB)`,
        value: mibs,
        unit: 'MiB/s',
        ...(name !== 'direct' && direct !== undefined ? { baseline: { label: 'direct', value: direct } } : {}),
        ...(name === 'chain' ? { target: '≥ 100 MB/s', met: mibs * MB >= 100e6 } : {}),
        note: cpuNote,
      }),
    );
  }
  await unrecorded?.gateway.close();
  return rows;
}
