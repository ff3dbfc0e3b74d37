/**
 * The measured process of `bench/hop/local-proxy.ts`: the built local proxy (dist/) in its own process, so its
 * CPU time (process.cpuUsage) is its own. Told the stub gateway's URL on argv; answers `cpu` messages on IPC.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Start {
  gatewayUrl: string;
  certPem: string;
  keyPem: string;
  localToken: string;
  transcript: boolean;
}

const start = JSON.parse(process.argv[2]!) as Start;
// Imported from the build so the figure is the shipped code's.
const { createLocalProxy } = (await import(
  join(process.cwd(), 'dist/src/local-proxy/create-local-proxy.js')
)) as typeof import('../../src/local-proxy/create-local-proxy.js');
const dir = mkdtempSync(join(tmpdir(), 'hop-lp-'));
const proxy = await createLocalProxy({
  upstreamUrl: `${start.gatewayUrl}/k8s/bench`,
  upstreamToken: 'session-jwt-'.padEnd(600, 'x'),
  localToken: start.localToken,
  certPem: start.certPem,
  keyPem: start.keyPem,
  ...(start.transcript ? { transcriptFile: join(dir, 'transcript.jsonl') } : {}),
  sessionEnded: () => Promise.resolve(undefined),
});
process.on('message', (m: { op: string }) => {
  if (m.op === 'cpu') {
    const u = process.cpuUsage();
    process.send!({ op: 'cpu', us: u.user + u.system });
  } else if (m.op === 'close') {
    void proxy.close().then(() => process.exit(0));
  }
});
process.send!({ op: 'ready', url: proxy.url });
