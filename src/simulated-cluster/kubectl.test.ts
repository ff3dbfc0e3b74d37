// The real kubectl (1.27, 1.32 and 1.33) against the simulated API server: what users type, what
// kubectl prints, its exit codes. Each version gets its own server, HOME and cache directory.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createKubeApiServer, writeKubeconfig, type KubeApiServer } from './index.js';
import { kubectlSkip, runKubectl, type KubectlRun } from '../../test/support/kubectl-binaries.js';

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

// Versioned binaries live next to gcloud (`kubectl.1.27` … `kubectl.1.33`).
const gcloud = onPath('gcloud');
const sdkBin = gcloud ? dirname(realpathSync(gcloud)) : '/usr/lib/google-cloud-sdk/bin';
const KUBECTLS: { version: string; minor: number; bin: string }[] = [
  { version: '1.27', minor: 27, bin: join(sdkBin, 'kubectl.1.27') },
  { version: '1.32', minor: 32, bin: onPath('kubectl') ?? '/usr/bin/kubectl' },
  { version: '1.33', minor: 33, bin: join(sdkBin, 'kubectl.1.33') },
];

function kubectlEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'], HOME: home, KUBECONFIG: join(home, 'kubeconfig'), KUBECACHEDIR: join(home, 'cache') };
}

function run(bin: string, home: string, args: string[]): Promise<KubectlRun> {
  return runKubectl(bin, args, { env: kubectlEnv(home), timeoutMs: 30_000 });
}

/** A long-running kubectl (`-w`, `logs -f`) whose stdout can be awaited line by line. */
function start(bin: string, home: string, args: string[]): { child: ChildProcess; waitFor(re: RegExp): Promise<string>; stop(): Promise<void> } {
  const child = spawn(bin, args, { env: kubectlEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  return {
    child,
    async waitFor(re) {
      for (let i = 0; i < 200; i++) {
        const m = re.exec(out);
        if (m) return m[0];
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`kubectl ${args.join(' ')} never printed ${re}; got:\n${out}`);
    },
    async stop() {
      child.kill('SIGINT');
      await closed;
    },
  };
}

const DEPLOYMENT = (replicas: number, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: x
  labels: {app: shop}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: shop}}
  template:
    metadata: {labels: {app: shop}}
    spec:
      containers:
      - name: shop
        image: ${image}
        env: [{name: MODE, value: test}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
  namespace: x
data:
  mode: test
`;

for (const k of KUBECTLS) {
  const skip = kubectlSkip(k.bin);
  describe(`kubectl ${k.version}`, { skip }, () => {
    let server: KubeApiServer;
    let home: string;
    const kubectl = (...args: string[]) => run(k.bin, home, args);

    before(async () => {
      home = await mkdtemp(join(tmpdir(), `kubectl-${k.version}-`));
      server = await createKubeApiServer({ seed: 'demo', logFollowIntervalMs: 0 });
      await writeKubeconfig(server, join(home, 'kubeconfig'));
    });
    after(async () => {
      await server.close();
      await rm(home, { recursive: true, force: true });
    });

    test('api-resources lists the served resources', async () => {
      const r = await kubectl('api-resources');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.match(r.stdout, /^pods\s+po\s+v1\s+true\s+Pod$/m);
      assert.match(r.stdout, /^clusterroles\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRole$/m);
    });

    test('get pods -A and get ns show the demo cluster', async () => {
      const pods = await kubectl('get', 'pods', '-A');
      assert.equal(pods.code, 0, pods.stderr);
      assert.match(pods.stdout, /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
      assert.match(pods.stdout, /^demo\s+web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+2d\d+h$/m);
      const ns = await kubectl('get', 'ns');
      assert.match(ns.stdout, /^demo\s+Active\s+\S+$/m);
      assert.match(ns.stdout, /^prod\s+Active\s+\S+$/m);
    });

    test('create namespace, secret generic, configmap, deployment, service; get secret -o yaml', async () => {
      assert.equal((await kubectl('create', 'namespace', 'x')).stdout, 'namespace/x created\n');
      assert.equal((await kubectl('create', 'secret', 'generic', 's', '--from-literal=a=b', '-n', 'x')).stdout, 'secret/s created\n');
      assert.equal((await kubectl('create', 'configmap', 'c', '--from-literal=k=v', '-n', 'x')).stdout, 'configmap/c created\n');
      assert.deepEqual(server.get({ kind: 'secret', namespace: 'x', name: 's' })?.['data'], { a: 'Yg==' });
      const yaml = await kubectl('get', 'secret', 's', '-n', 'x', '-o', 'yaml');
      assert.equal(yaml.code, 0, yaml.stderr);
      assert.match(yaml.stdout, /^data:\n {2}a: Yg==\nkind: Secret\n/m);
      assert.match(yaml.stdout, /^type: Opaque$/m);
      const deploy = await kubectl('create', 'deployment', 'web2', '--image=nginx:1.27', '--replicas=2', '--port=80', '-n', 'x');
      assert.equal(deploy.stdout, 'deployment.apps/web2 created\n', deploy.stderr);
      const spec = server.get({ kind: 'deploy', namespace: 'x', name: 'web2' })?.['spec'] as {
        replicas: number;
        template: { spec: { containers: { image: string; ports: unknown }[] } };
      };
      assert.deepEqual(
        [spec.replicas, spec.template.spec.containers[0]!.image, spec.template.spec.containers[0]!.ports],
        [2, 'nginx:1.27', [{ containerPort: 80, protocol: 'TCP' }]],
      );
      assert.equal((await kubectl('create', 'service', 'clusterip', 'web2', '--tcp=80:8080', '-n', 'x')).stdout, 'service/web2 created\n');
      const missing = await kubectl('get', 'secret', 'missing', '-n', 'x');
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'Error from server (NotFound): secrets "missing" not found\n');
    });

    test('apply -f twice (client-side), then --server-side', async () => {
      const file = join(home, 'shop.yaml');
      await writeFile(file, DEPLOYMENT(1, 'nginx:1.27'));
      const first = await kubectl('apply', '-f', file);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stdout, 'deployment.apps/shop created\nconfigmap/shop-config created\n');
      await writeFile(file, DEPLOYMENT(2, 'nginx:1.28'));
      const second = await kubectl('apply', '-f', file);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stdout, 'deployment.apps/shop configured\nconfigmap/shop-config unchanged\n');
      const spec = server.get({ kind: 'deployment', namespace: 'x', name: 'shop' })?.['spec'] as {
        replicas: number;
        template: { spec: { containers: { image: string; env: unknown }[] } };
      };
      assert.equal(spec.replicas, 2);
      assert.deepEqual(
        spec.template.spec.containers.map((c) => [c.image, c.env]),
        [['nginx:1.28', [{ name: 'MODE', value: 'test' }]]],
      );
      await writeFile(file, DEPLOYMENT(3, 'nginx:1.28'));
      const ssa = await kubectl('apply', '--server-side', '-f', file);
      assert.equal(ssa.code, 0, ssa.stderr);
      assert.equal(ssa.stdout, 'deployment.apps/shop serverside-applied\nconfigmap/shop-config serverside-applied\n');
      assert.equal((server.get({ kind: 'deployment', namespace: 'x', name: 'shop' })?.['spec'] as { replicas: number }).replicas, 3);
    });

    test('get cm -w prints a line for a change made by another client', async () => {
      const watch = start(k.bin, home, ['get', 'cm', '-w', '-n', 'x']);
      try {
        await watch.waitFor(/^c\s+1\s+\S+$/m);
        server.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched', namespace: 'x' }, data: { a: '1', b: '2' } });
        await watch.waitFor(/^watched\s+2\s+\S+$/m);
      } finally {
        await watch.stop();
      }
    });

    test('logs and logs -f (lines pushed while following arrive)', async () => {
      server.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'logger', namespace: 'demo' },
        spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
      });
      await server.settled();
      server.appendLog('demo', 'logger', 'first line\nsecond line');
      const logs = await kubectl('logs', 'logger', '-n', 'demo');
      assert.equal(logs.code, 0, logs.stderr);
      assert.equal(logs.stdout, 'first line\nsecond line\n');
      const follow = start(k.bin, home, ['logs', '-f', 'logger', '-n', 'demo']);
      try {
        // The server sends the backlog and starts following in one step: once it is printed, new lines are followed.
        await follow.waitFor(/second line\n/);
        server.appendLog('demo', 'logger', 'pushed while following');
        await follow.waitFor(/pushed while following\n/);
      } finally {
        await follow.stop();
      }
    });

    test('delete a configmap and a namespace', async () => {
      const cm = await kubectl('delete', 'configmap', 'c', '-n', 'x');
      assert.equal(cm.code, 0, cm.stderr);
      assert.equal(cm.stdout, 'configmap "c" deleted\n');
      const ns = await kubectl('delete', 'namespace', 'x');
      assert.equal(ns.code, 0, ns.stderr);
      assert.equal(ns.stdout, 'namespace "x" deleted\n');
      assert.equal(server.get({ kind: 'namespace', name: 'x' }), undefined);
      assert.equal(server.get({ kind: 'deployment', namespace: 'x', name: 'shop' }), undefined);
    });

    test('auth whoami reports the impersonated user', { skip: k.minor < 28 ? 'auth whoami needs kubectl >= 1.28' : false }, async () => {
      const admin = await kubectl('auth', 'whoami');
      assert.equal(admin.code, 0, admin.stderr);
      assert.equal(admin.stdout, 'ATTRIBUTE   VALUE\nUsername    admin\nGroups      [system:masters system:authenticated]\n');
      const alice = await kubectl('auth', 'whoami', '--as', 'alice', '--as-group', 'dev', '--as-group', 'qa');
      assert.equal(alice.stdout, 'ATTRIBUTE   VALUE\nUsername    alice\nGroups      [dev qa system:authenticated]\n');
      assert.deepEqual(server.lastImpersonation, { user: 'alice', groups: ['dev', 'qa'], extra: {} });
    });
  });
}
