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
import { monoMs } from './stats.js';
import type { Target } from './targets.js';

const BYTES = 256 * 1024 * 1024;
const COMMAND = ['sh', '-c', `head -c ${BYTES} /dev/zero`];
const MB = 1024 * 1024;

/** Reads channel 1 (stdout) of an exec until the server closes; bytes and seconds. */
function execStdout(target: Target, pod: string): Promise<{ bytes: number; seconds: number }> {
  const q = new URLSearchParams([...COMMAND.map((c): [string, string] => ['command', c]), ['stdout', 'true'], ['stderr', 'true']]);
  const url = `${target.base.replace(/^http/, 'ws')}/api/v1/namespaces/${SMALL_NAMESPACE}/pods/${pod}/exec?${q}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ['v5.channel.k8s.io', 'v4.channel.k8s.io'], {
      headers: target.headers, ...(target.tls?.ca === undefined ? {} : { ca: target.tls.ca }),
    });
    let bytes = 0;
    let t0 = 0;
    ws.on('open', () => { t0 = monoMs(); });
    ws.on('message', (data: Buffer) => { if (data[0] === 1) bytes += data.length - 1; });
    ws.on('close', () => resolve({ bytes, seconds: (monoMs() - t0) / 1000 }));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`exec via ${target.name} → HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

/** Runs the exec figures (or reports them pending). */
export async function measureExec(stack: Stack, _o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const section = '4. exec stdout throughput';
  const pending = (note: string): Row[] => [row({ id: 'exec.chain.bytes-per-s', section, figure: 'chain: exec stdout', value: null, unit: 'MiB/s', target: '≥ 100 MB/s', note })];
  if (!stack.upstream.simulated) return pending('skipped: needs the simulated upstream');
  if (!(await stack.upstream.call<boolean>({ op: 'hasExec' }))) return pending('pending: exec not implemented in the test server');
  await stack.upstream.call({ op: 'seedPods', namespace: SMALL_NAMESPACE, count: 1 });
  const rows: Row[] = [];
  let direct: number | undefined;
  for (const name of ['direct', 'chain'] as const) {
    let r: { bytes: number; seconds: number };
    try {
      r = await execStdout(stack.targets[name], 'web-000');
    } catch (e) {
      return pending(`pending: the test server's exec failed (${(e as Error).message})`);
    }
    if (r.bytes < BYTES) return pending(`pending: the test server's exec streamed ${r.bytes} of ${BYTES} bytes for \`${COMMAND.join(' ')}\``);
    const mibs = r.bytes / MB / r.seconds;
    log(`  ${name}: ${mibs.toFixed(0)} MiB/s`);
    if (name === 'direct') direct = mibs;
    rows.push(row({
      id: `exec.${name}.bytes-per-s`, section, figure: `${name}: exec stdout (${BYTES / MB} MiB)`, value: mibs, unit: 'MiB/s',
      ...(name === 'chain' && direct !== undefined ? { baseline: { label: 'direct', value: direct }, target: '≥ 100 MB/s', met: mibs * MB >= 100e6 } : {}),
    }));
  }
  return rows;
}
