/**
 * CPU per small GET of the local proxy alone: `node --import tsx bench/hop/local-proxy.ts [--requests N]
 * [--concurrency C] [--rounds R] [--profile] [--no-transcript]`. A stub gateway (this process, plain HTTP,
 * one canned Pod answer with the headers the real gateway sends) behind the built local proxy (its own
 * process), a TLS client at concurrency C. Prints the proxy's CPU µs per request (process.cpuUsage
 * in the proxy) for each round and the minimum: on a shared machine the minimum is the figure.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { createSessionCertificate } from '../../src/local-proxy/session-certificate.js';
import { encodeSummaryHeader } from '../../src/mask/json-summary.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    profile: { type: 'boolean' },
    'no-transcript': { type: 'boolean' },
    path: { type: 'string', default: '/api/v1/namespaces/bench-small/pods/web-000' },
  },
});
const N = Number(values.requests);
const C = Number(values.concurrency);

const pod = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: {
    name: 'web-000',
    namespace: 'bench-small',
    uid: '5b0c1c52-8c53-4a0e-9d3a-1f0d1c3c4a11',
    resourceVersion: '1234',
    creationTimestamp: '2026-12-02T15:00:00Z',
    labels: { app: 'web' },
  },
  spec: {
    containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {}, env: [{ name: 'MODE', value: 'prod' }] }],
    nodeName: 'node-1',
    restartPolicy: 'Always',
  },
  status: { phase: 'Running', podIP: '10.0.0.12', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-12-02T15:00:01Z' }] },
};
const body = Buffer.from(JSON.stringify(pod));
const summary = encodeSummaryHeader({ kind: 'Pod', names: ['web-000'] })!;
const gateway = createServer((req, res) => {
  req.resume();
  res.writeHead(200, {
    'audit-id': 'f3c2b1a0-1111-2222-3333-444455556666',
    'cache-control': 'no-cache, private',
    'content-type': 'application/json',
    'x-kubernetes-pf-flowschema-uid': '0d6b9c1e-aaaa-bbbb-cccc-111122223333',
    'x-kubernetes-pf-prioritylevel-uid': '9a8b7c6d-aaaa-bbbb-cccc-111122223333',
    'x-hoopctl-masked': 'builtin-1',
    'x-hoopctl-summary': summary,
    'content-length': body.length,
  });
  res.end(body);
});
await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
const gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;

const cert = await createSessionCertificate({ now: new Date(), validForSeconds: 3600 });
const localToken = 'local-token-0123456789abcdef0123456789abcdef';
const child = fork(
  new URL('./local-proxy-child.ts', import.meta.url).pathname,
  [JSON.stringify({ gatewayUrl, certPem: cert.certPem, keyPem: cert.keyPem, localToken, transcript: values['no-transcript'] !== true })],
  {
    execArgv: ['--import', 'tsx', ...(values.profile ? ['--cpu-prof', '--cpu-prof-dir=bench/results/profiles'] : [])],
  },
);
const next = <T>(op: string): Promise<T> =>
  new Promise((resolve) => {
    const on = (m: { op: string }): void => {
      if (m.op === op) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
  });
const { url } = await next<{ url: string }>('ready');
const cpu = async (): Promise<number> => {
  const p = next<{ us: number }>('cpu');
  child.send({ op: 'cpu' });
  return (await p).us;
};

const pool = new Pool(url, { connections: C, connect: { ca: cert.certPem } });
const headers = { accept: 'application/json, */*', 'user-agent': 'kubectl/v1.32.4 (linux/amd64) kubernetes/59526cd', authorization: `Bearer ${localToken}` };
async function run(n: number): Promise<void> {
  let left = n;
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      const r = await pool.request({ path: values.path!, method: 'GET', headers });
      await r.body.arrayBuffer();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
}

await run(Math.min(N, 3000)); // warm-up: JIT, connections
const per: number[] = [];
for (let i = 0; i < Number(values.rounds); i++) {
  const before = await cpu();
  await run(N);
  per.push(((await cpu()) - before) / N);
  process.stdout.write(`round ${i + 1}: local proxy ${per[i]!.toFixed(1)} µs CPU per GET (c=${C}, ${N} requests)\n`);
}
process.stdout.write(`min ${Math.min(...per).toFixed(1)} µs, median ${per.sort((a, b) => a - b)[Math.floor(per.length / 2)]!.toFixed(1)} µs\n`);
await pool.close();
const exited = new Promise((r) => child.once('exit', r));
child.send({ op: 'close' });
await exited;
gateway.close();
