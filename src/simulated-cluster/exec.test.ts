// exec, attach and port-forward of the simulated API server: the SPDY framer on its own, the
// refusals recorded from the real server, and real kubectl 1.27 (SPDY) and 1.32/1.33 (WebSocket).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { createKubeApiServer, writeKubeconfig, type KubeApiServer } from './index.js';
import { createFrameReader, createHeaderDeflater, dataFrame, SPDY, synReplyFrame } from './spdy-framer.js';
import { runKubectl, type KubectlRun } from '../../test/support/kubectl-binaries.js';
import { send } from '../../test/support/simulated-cluster-client.js';

const SDK = '/usr/lib/google-cloud-sdk/bin';
const KUBECTLS = [
  { version: '1.27', bin: join(SDK, 'kubectl.1.27'), method: 'POST' },
  { version: '1.32', bin: existsSync('/usr/bin/kubectl') ? '/usr/bin/kubectl' : join(SDK, 'kubectl.1.32'), method: 'GET' },
  { version: '1.33', bin: join(SDK, 'kubectl.1.33'), method: 'GET' },
].filter((k) => existsSync(k.bin));

describe('SPDY framer', () => {
  test('header blocks written by the deflater are read back in one shared zlib stream, with data frames between', () => {
    const deflate = createHeaderDeflater();
    const read = createFrameReader();
    const wire = Buffer.concat([
      synReplyFrame(1, deflate({ streamType: 'error' })),
      dataFrame(1, Buffer.from('abc'), true),
      synReplyFrame(3, deflate({ streamType: 'stdout', port: '80' })),
    ]);
    // Split at every byte boundary the way a socket may deliver it.
    const frames = [...wire].flatMap((b) => read(Buffer.from([b])));
    assert.deepEqual(
      frames.map((f) => (f.kind === 'data' ? `data ${f.streamId} ${f.data.toString()} fin=${f.flags}` : `ctl ${f.type} ${f.streamId}`)),
      [`ctl ${SPDY.SYN_REPLY} 1`, 'data 1 abc fin=1', `ctl ${SPDY.SYN_REPLY} 3`],
    );
    const last = frames[2]!;
    assert.ok(last.kind === 'control');
    assert.deepEqual(
      [...last.headers!],
      [
        ['streamtype', ['stdout']],
        ['port', ['80']],
      ],
    );
  });
});

describe('exec, attach, port-forward', () => {
  let kube: KubeApiServer;
  let home: string;
  let pod: string;
  before(async () => {
    kube = await createKubeApiServer({ seed: 'demo' });
    home = await mkdtemp(join(tmpdir(), 'kube-exec-'));
    await writeKubeconfig(kube, join(home, 'kubeconfig'));
    await kube.settled();
    pod = (await send(kube, 'GET', '/api/v1/namespaces/demo/pods')).json.items[0].metadata.name;
  });
  after(async () => {
    await kube?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  function kubectl(bin: string, args: string[], stdin?: string): Promise<KubectlRun> {
    return runKubectl(bin, args, { env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: join(home, 'kubeconfig') }, stdin: stdin ?? '', timeoutMs: 20_000 });
  }

  test('a pod without a node: 400 Status to the WebSocket and to the SPDY attempt, as recorded', async () => {
    // Without nodes (seed `empty`) nothing schedules the pod.
    const bare = await createKubeApiServer();
    try {
      bare.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'x' }] } });
      const path = '/api/v1/namespaces/default/pods/p/exec?command=echo&command=hi&container=main&stderr=true&stdout=true';
      const spdy = await send(bare, 'POST', path, {
        headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' },
      });
      assert.equal(spdy.status, 400);
      assert.equal(spdy.json.message, 'pod p does not have a host assigned');
      const ws = new WebSocket(`${bare.url.replace('https', 'wss')}${path}`, ['v5.channel.k8s.io'], {
        ca: bare.caPem,
        headers: { Authorization: `Bearer ${bare.token}` },
      });
      const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
      assert.equal(status, 400);
    } finally {
      await bare.close();
    }
  });

  test('WebSocket 101 carries exactly the recorded headers, then an empty stdout frame first', async () => {
    const path = `/api/v1/namespaces/demo/pods/${pod}/exec?command=echo&command=hi&stderr=true&stdout=true`;
    const ws = new WebSocket(`${kube.url.replace('https', 'wss')}${path}`, ['v5.channel.k8s.io'], {
      ca: kube.caPem,
      headers: { Authorization: `Bearer ${kube.token}` },
    });
    const headers = await new Promise<string[]>((resolve) => ws.on('upgrade', (res) => resolve(res.rawHeaders.filter((_, i) => i % 2 === 0))));
    assert.deepEqual(headers, ['Upgrade', 'Connection', 'Sec-WebSocket-Accept', 'Sec-WebSocket-Protocol']);
    const frames: string[] = [];
    await new Promise<void>((resolve) => {
      ws.on('message', (d: Buffer) => frames.push(`${d[0]}:${d.subarray(1).toString()}`));
      ws.on('close', () => resolve());
    });
    assert.deepEqual(frames, ['1:', '1:hi\n', '3:{"metadata":{},"status":"Success"}']);
  });

  for (const k of KUBECTLS) {
    test(`kubectl ${k.version}: exec output, stdin, stderr and exit codes (${k.method === 'POST' ? 'SPDY' : 'WebSocket'})`, async () => {
      const before = kube.requests.length;
      const hi = await kubectl(k.bin, ['-n', 'demo', 'exec', pod, '--', 'echo', 'hi']);
      assert.deepEqual([hi.code, hi.stdout], [0, 'hi\n'], hi.stderr);
      const exec = kube.requests.slice(before).filter((r) => r.url.includes('/exec?'));
      assert.deepEqual(
        exec.map((r) => r.method),
        [k.method],
      );
      const cat = await kubectl(k.bin, ['-n', 'demo', 'exec', '-i', pod, '--', 'cat'], 'line one\nline two\n');
      assert.deepEqual([cat.code, cat.stdout], [0, 'line one\nline two\n'], cat.stderr);
      const three = await kubectl(k.bin, ['-n', 'demo', 'exec', pod, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
      assert.equal(three.code, 3);
      assert.equal(three.stdout, 'out\n');
      assert.match(three.stderr, /^err\n/);
      const big = await kubectl(k.bin, ['-n', 'demo', 'exec', pod, '--', 'sh', '-c', 'yes | head -c 3000000']);
      assert.equal(big.stdout.length, 3_000_000);
    });

    test(`kubectl ${k.version}: port-forward to the echo port`, async () => {
      const child = spawn(k.bin, ['-n', 'demo', 'port-forward', `pod/${pod}`, '0:8080'], {
        env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: join(home, 'kubeconfig') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            const m = /127\.0\.0\.1:(\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
          });
          child.on('close', () => reject(new Error(`port-forward ended: ${out}`)));
        });
        const echoed = await new Promise<string>((resolve, reject) => {
          const s = connect(port, '127.0.0.1', () => s.end('ping through port-forward'));
          let got = '';
          s.on('data', (d: Buffer) => {
            got += d.toString();
          });
          s.on('close', () => resolve(got));
          s.on('error', reject);
        });
        assert.equal(echoed, 'ping through port-forward');
      } finally {
        child.kill('SIGTERM');
      }
    });
  }
});
