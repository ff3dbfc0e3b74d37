// The leak corpus. Secrets, ConfigMaps and Deployments carrying known sentinel values are written
// through the real chain (built CLI + gateway processes, embedded IdP, the Kubernetes API test
// server) by every kubectl on the machine — `create secret` (protobuf from 1.32), client-side
// `apply` (last-applied annotation), `apply --server-side`, stringData — then read back every way
// (Table, -o yaml/json/jsonpath, describe, chunked lists, watches during a write, logs, logs -f,
// @kubernetes/client-node). At the end everything the clients received, the gateway's SQLite files,
// its stdout/stderr and the session transcript are searched for every sentinel, in clear and in
// base64: none may appear. The upstream must still hold the real values.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { carriesMaskedValue, isMaskedBase64, isMaskMarker, MARKER_BASE64_PREFIX, MASK_MARKER } from '../../src/mask/marker.js';
import { startChain, type Chain } from './chain-harness.js';
import type { KubeObject } from '../../src/simulated-cluster/object-store.js';
import { runCli, type TempHome } from '../support/cli-runner.js';
import { kubectlBinaries, type KubectlBinary } from '../support/kubectl-binaries.js';
import { findSentinels } from '../support/sentinels.js';
import { startWireCapture, type WireCapture } from '../support/wire-capture.js';

const SENTINEL = 'S3NT1NEL';
const NS = 'demo';
const KUBECTLS = kubectlBinaries(['1.27', '1.28', '1.29', '1.30', '1.31', '1.33']);
const tag = (k: KubectlBinary): string => (k.label.startsWith('default') ? 'v132' : `v${k.label.replace('.', '')}`);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

let chain: Chain;
let sam: TempHome;
/** The clients' kubeconfig: through the wire capture to the session's local proxy. */
let kubeconfig: string;
let wire: WireCapture;
let transcript: string;
/** Everything any client received (stdout and stderr of every command, client-node results). */
const received: { what: string; text: string }[] = [];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kubectl(k: KubectlBinary, args: string[], input?: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(k.path, ['-n', NS, ...args], { env: { ...sam.env, KUBECONFIG: kubeconfig, ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      received.push({ what: `kubectl ${k.label} ${args.join(' ')}`, text: stdout + stderr });
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

async function ok(k: KubectlBinary, args: string[], input?: string): Promise<string> {
  const r = await kubectl(k, args, input);
  assert.equal(r.code, 0, `kubectl ${k.label} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A kubectl that keeps running (watch, logs -f) until stopped; `until` waits for its output to match. */
function follow(k: KubectlBinary, args: string[]) {
  const child = spawn(k.path, ['-n', NS, ...args], { env: { ...sam.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const check = (): void => {
    for (const w of [...waiters])
      if (w.re.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    check();
  });
  const closed = new Promise<void>((r) => child.on('close', () => r()));
  return {
    until: (re: RegExp, ms = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`kubectl ${args.join(' ')}: no ${re} within ${ms} ms; got:\n${out}`)), ms);
        waiters.push({
          re,
          resolve: () => {
            clearTimeout(t);
            resolve();
          },
        });
        check();
      }),
    async stop(): Promise<string> {
      child.kill('SIGINT');
      await closed;
      received.push({ what: `kubectl ${k.label} ${args.join(' ')}`, text: out });
      return out;
    },
  };
}

const secretManifest = (name: string, v: string): string => `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
type: Opaque
data:
  api-key: ${b64(`${SENTINEL}-CSA-DATA-${v}`)}
stringData:
  token: ${SENTINEL}-CSA-STRING-${v}
`;

const configMapManifest = (v: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: cm-apply-${v}
data:
  api_token: ${SENTINEL}-CM-TOKEN-${v}
  app.conf: |
    db.host=db.demo.svc
    db.password=${SENTINEL}-CM-CONF-${v}
  settings.json: '{"clientSecret": "${SENTINEL}-CM-JSON-${v}"}'
`;

const deploymentManifest = (v: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-${v}
  annotations:
    token: ${SENTINEL}-ANNOTATION-${v}
spec:
  replicas: 1
  selector:
    matchLabels: {app: app-${v}}
  template:
    metadata:
      labels: {app: app-${v}}
    spec:
      containers:
      - name: main
        image: registry.example/app:1
        args: ["--db-password=${SENTINEL}-ARG-${v}"]
        env:
        - {name: DB_PASSWORD, value: ${SENTINEL}-ENV-${v}}
        - {name: UPSTREAM_URL, value: "https://app:${SENTINEL}-URL-${v}@api.example"}
        - {name: LOG_LEVEL, value: info}
`;

const ssaManifest = (v: string): string => `apiVersion: v1
kind: Secret
metadata:
  name: ssa-${v}
stringData:
  password: ${SENTINEL}-SSA-${v}
`;

before(async () => {
  chain = await startChain();
  sam = await chain.loginAs('sam');
  transcript = join(chain.dir, 'transcripts', 'sam.jsonl');
  const r = await runCli(['connect', 'demo', '--print-env', '--ttl', '30m', '--transcript', transcript], sam.env);
  assert.equal(r.code, 0, r.stderr);
  const session = /export KUBECONFIG='([^']+)'/.exec(r.stdout)![1]!;
  const original = await readFile(session, 'utf8');
  const cluster = (parse(original) as { clusters: { cluster: Record<string, string> }[] }).clusters[0]!.cluster;
  wire = await startWireCapture(cluster.server!, Buffer.from(cluster['certificate-authority-data']!, 'base64').toString());
  kubeconfig = join(chain.dir, 'captured.kubeconfig');
  await writeFile(kubeconfig, wire.kubeconfigFor(original), { mode: 0o600 });
});
after(async () => {
  if (sam !== undefined) await runCli(['disconnect', '--all'], sam.env);
  await wire?.close();
  await chain?.close();
});

for (const k of KUBECTLS) {
  const v = tag(k);
  describe(`kubectl ${k.label}`, () => {
    test('writes sentinels through the chain: create secret, client-side apply, server-side apply, configmap, deployment', async () => {
      assert.match(
        await ok(k, [
          'create',
          'secret',
          'generic',
          `pb-${v}`,
          `--from-literal=username=${SENTINEL}-USER-${v}`,
          `--from-literal=password=${SENTINEL}-PASS-${v}`,
        ]),
        /created/,
      );
      const dir = join(chain.dir, v);
      await writeFile(`${dir}-secret.yaml`, secretManifest(`csa-${v}`, v));
      assert.match(await ok(k, ['apply', '-f', `${dir}-secret.yaml`]), /created/);
      await writeFile(`${dir}-secret2.yaml`, secretManifest(`csa-${v}`, `${v}-B`));
      assert.match(await ok(k, ['apply', '-f', `${dir}-secret2.yaml`]), /configured/);
      assert.match(await ok(k, ['apply', '--server-side', '-f', '-'], ssaManifest(v)), /serverside-applied/);
      assert.match(
        await ok(k, [
          'create',
          'configmap',
          `cm-${v}`,
          `--from-literal=password=${SENTINEL}-CMPASS-${v}`,
          `--from-literal=dsn=postgres://app:${SENTINEL}-DSN-${v}@db/app`,
        ]),
        /created/,
      );
      assert.match(await ok(k, ['apply', '-f', '-'], configMapManifest(v)), /created/);
      assert.match(await ok(k, ['apply', '-f', '-'], deploymentManifest(v)), /created/);
      // The upstream holds the real values: masking is for reads, never for what is stored.
      const stored = chain.kube.get({ kind: 'secrets', namespace: NS, name: `pb-${v}` }) as KubeObject & { data: Record<string, string> };
      assert.equal(Buffer.from(stored.data.password!, 'base64').toString(), `${SENTINEL}-PASS-${v}`);
      const csa = chain.kube.get({ kind: 'secrets', namespace: NS, name: `csa-${v}` }) as KubeObject & { data: Record<string, string> };
      assert.equal(Buffer.from(csa.data.token!, 'base64').toString(), `${SENTINEL}-CSA-STRING-${v}-B`);
    });

    test('reads them every way: every answer is masked, nothing fails', async () => {
      const table = await ok(k, ['get', 'secrets']);
      assert.match(table, new RegExp(`csa-${v}\\s+Opaque\\s+2`));
      const yaml = await ok(k, ['get', 'secrets', '-o', 'yaml']);
      assert.ok(yaml.includes(MARKER_BASE64_PREFIX), 'Secret data reads as base64 of a marker');
      await ok(k, ['get', 'secrets', '-o', 'json']);
      await ok(k, ['get', 'secrets', '-o', 'wide', '--show-labels']);
      const decoded = await ok(k, ['get', 'secret', `pb-${v}`, '-o', 'jsonpath={.data.password}']);
      assert.ok(isMaskMarker(Buffer.from(decoded, 'base64').toString()), decoded);
      await ok(k, ['get', 'secret', `csa-${v}`, '-o', 'jsonpath={.data}']);
      await ok(k, ['get', 'secrets', '-o', 'jsonpath={.items[*].metadata.annotations}']);
      await ok(k, ['get', 'secret', `ssa-${v}`, '-o', 'yaml']);
      assert.match(await ok(k, ['describe', 'secret', `csa-${v}`]), /token:\s+35 bytes/);
      await ok(k, ['get', 'secrets', '--chunk-size=2', '-o', 'json']);
      await ok(k, ['get', 'secrets', '--chunk-size=1']);
      await ok(k, ['get', 'cm']);
      const cm = await ok(k, ['get', 'cm', '-o', 'yaml']);
      assert.match(cm, /db\.host=db\.demo\.svc/, 'what is not secret stays readable');
      await ok(k, ['describe', 'cm', `cm-apply-${v}`]);
      const deploy = await ok(k, ['get', 'deploy', `app-${v}`, '-o', 'yaml']);
      assert.match(deploy, /value: info/);
      await ok(k, ['describe', 'deploy', `app-${v}`]);
      await ok(k, ['get', 'deploy', '-o', 'json']);
      await ok(k, ['get', 'rs', '-o', 'yaml']);
      await ok(k, ['get', 'pods', '-o', 'json']);
      await ok(k, ['get', 'cm', '-l', `token=${SENTINEL}-QUERY-${v}`]);
    });

    test('watches see a write as it happens, masked (Table and full objects)', async () => {
      const tableWatch = follow(k, ['get', 'secrets', '-w']);
      const jsonWatch = follow(k, ['get', 'secrets', '-w', '--output-watch-events', '-o', 'json']);
      try {
        await tableWatch.until(/NAME\s+TYPE/);
        await jsonWatch.until(/"kind"/);
        assert.match(await ok(k, ['apply', '-f', '-'], secretManifest(`watched-${v}`, `${v}-W`)), /created/);
        await tableWatch.until(new RegExp(`watched-${v}`));
        await jsonWatch.until(new RegExp(`"name": ?"watched-${v}"`));
      } finally {
        await tableWatch.stop();
        assert.ok((await jsonWatch.stop()).includes(MARKER_BASE64_PREFIX));
      }
    });

    test('logs and logs -f are masked line by line', async () => {
      const pod = (await ok(k, ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
      assert.ok(pod !== '', 'a running web pod');
      chain.kube.appendLog(NS, pod, `connecting with password=${SENTINEL}-LOG-${v} to db`);
      chain.kube.appendLog(NS, pod, `aws key AKIA${SENTINEL}0000${v.slice(1).padStart(4, '0')} loaded`);
      const logs = await ok(k, ['logs', pod, '--tail=20']);
      assert.match(logs, new RegExp(`password=\\*\\*hoopctl-masked\\*\\* to db`));
      const f = follow(k, ['logs', '-f', pod, '--tail=1']);
      // The server writes the tail line and starts following in one step: once that line is through, so are new ones.
      await f.until(/\n/);
      // A real key's body: full-width base64 lines, then a short last one (later `--tail` runs cut its BEGIN line off).
      const body = [`MIIEowIBAAKCAQEA${SENTINEL}${v}`.padEnd(64, 'Q'), `${SENTINEL}${v}`.padEnd(64, 'w'), `${SENTINEL}${v}Ag==`];
      for (const line of [
        '-----BEGIN RSA PRIVATE KEY-----',
        ...body,
        '-----END RSA PRIVATE KEY-----',
        `token: Bearer ${SENTINEL}-BEARER-${v}-abcdef`,
        `done ${v}`,
      ]) {
        chain.kube.appendLog(NS, pod, line);
      }
      await f.until(new RegExp(`done ${v}`));
      await f.stop();
      // --tail cuts the key's BEGIN line off: its body must still be masked.
      const tail = await ok(k, ['logs', pod, '--tail=5']);
      assert.ok(tail.startsWith(`${MASK_MARKER}\n${MASK_MARKER}\n${MASK_MARKER}\n`), tail);
    });

    test('writing a masked read back is refused with a clear Status; an edit of other fields works', async () => {
      const masked = await ok(k, ['get', 'secret', `pb-${v}`, '-o', 'yaml']);
      const replace = await kubectl(k, ['replace', '-f', '-'], masked);
      assert.notEqual(replace.code, 0);
      assert.match(replace.stderr, /a value masked by hoopctl/);
      const ssa = await kubectl(k, ['apply', '--server-side', '--force-conflicts', '-f', '-'], masked);
      assert.notEqual(ssa.code, 0);
      assert.match(ssa.stderr, /a value masked by hoopctl/);
      const editor = join(chain.dir, 'label-editor.mjs');
      await writeFile(
        editor,
        `import { readFileSync, writeFileSync } from 'node:fs';
const f = process.argv[2];
writeFileSync(f, readFileSync(f, 'utf8').replace(/^metadata:$/m, 'metadata:\\n  labels:\\n    edited: "yes"'));
`,
      );
      const edit = await kubectl(k, ['edit', 'secret', `pb-${v}`], undefined, { KUBE_EDITOR: `${process.execPath} ${editor}` });
      assert.equal(edit.code, 0, edit.stderr);
      const stored = chain.kube.get({ kind: 'secrets', namespace: NS, name: `pb-${v}` }) as KubeObject & { data: Record<string, string> };
      assert.equal(stored.metadata.labels?.edited, 'yes');
      assert.equal(Buffer.from(stored.data.password!, 'base64').toString(), `${SENTINEL}-PASS-${v}`, 'the real value is untouched');
    });
  });
}

describe('@kubernetes/client-node', () => {
  test('lists, reads and watches the same objects, masked', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const secrets = await core.listNamespacedSecret({ namespace: NS });
    assert.ok(secrets.items.length > 3);
    for (const s of secrets.items) for (const val of Object.values(s.data ?? {})) assert.ok(isMaskedBase64(val), val);
    const one = await core.readNamespacedSecret({ namespace: NS, name: `csa-${tag(KUBECTLS[0]!)}` });
    const cms = await core.listNamespacedConfigMap({ namespace: NS });
    const deploys = await apps.listNamespacedDeployment({ namespace: NS });
    received.push({ what: 'client-node list/read', text: JSON.stringify([secrets, one, cms, deploys]) });
    const events: unknown[] = [];
    const watch = new k8s.Watch(kc);
    let seen!: () => void;
    const done = new Promise<void>((r) => {
      seen = r;
    });
    const ctl = await watch.watch(
      `/api/v1/namespaces/${NS}/secrets`,
      {},
      (type, obj) => {
        events.push({ type, obj });
        if ((obj as { metadata?: { name?: string } }).metadata?.name === 'client-node-watched') seen();
      },
      () => undefined,
    );
    chain.kube.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'client-node-watched', namespace: NS },
      stringData: { password: `${SENTINEL}-CLIENTNODE` },
    });
    await done;
    ctl.abort();
    received.push({ what: 'client-node watch', text: JSON.stringify(events) });
    assert.ok(JSON.stringify(events).includes(MARKER_BASE64_PREFIX));
  });
});

describe('the final search', () => {
  test('no sentinel, in clear or base64, in anything the clients received or printed', () => {
    assert.ok(received.length > (40 * KUBECTLS.length) / 2, `${received.length} captures`);
    const leaks = received.flatMap((r) => findSentinels(r.text, [SENTINEL]).map((h) => `${r.what}: ${h.form} in …${h.context}…`));
    const wireText = wire.received();
    assert.ok(wireText.length > (100_000 * KUBECTLS.length) / 2, `${wireText.length} bytes on the wire`);
    leaks.push(...findSentinels(wireText, [SENTINEL]).map((h) => `on the wire: ${h.form} in …${h.context}…`));
    assert.deepEqual(leaks, []);
  });

  test('no sentinel in the gateway state (SQLite files, recordings), its stdout/stderr, or the session transcript', async () => {
    await runCli(['disconnect', '--all'], sam.env);
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (!p.endsWith('.yaml') && !p.endsWith('.mjs')) files.push(p);
      }
    };
    await walk(chain.dir);
    assert.ok(
      files.some((f) => f.endsWith('gateway.db')),
      files.join(', '),
    );
    assert.ok(files.includes(transcript), 'the transcript was kept');
    assert.equal((await stat(transcript)).mode & 0o777, 0o600);
    const leaks: string[] = [];
    for (const f of files) {
      const text = (await readFile(f)).toString('latin1');
      for (const h of findSentinels(text, [SENTINEL])) leaks.push(`${f}: ${h.form} in …${h.context}…`);
    }
    for (const [name, text] of [
      ['gateway stdout', chain.gateway.stdout()],
      ['gateway stderr', chain.gateway.stderr()],
    ] as const) {
      for (const h of findSentinels(text, [SENTINEL])) leaks.push(`${name}: ${h.form} in …${h.context}…`);
    }
    assert.deepEqual(leaks, []);
    const lines = (await readFile(transcript, 'utf8')).trim().split('\n');
    assert.ok(lines.length > 30 * KUBECTLS.length, `${lines.length} transcript lines`);
  });

  test('the audit log counts what was masked and keeps masked request bodies', async () => {
    // Straight from the gateway's store: the API pages at most a thousand events.
    const store = await openSqliteStore(join(chain.dir, 'gateway.db'));
    const events = await store.listAudit({ user: 'sam@example.com' }).finally(() => store.close());
    const reads = events.filter((e) => e.resource === 'secrets' && (e.verb === 'list' || e.verb === 'get') && e.responseStatus === 200);
    const named = reads.filter((e) => e.name?.startsWith('pb-'));
    assert.ok(named.length > 0 && named.every((e) => e.maskedCount > 0), 'every read of a Secret with data masked something');
    assert.ok(reads.reduce((n, e) => n + e.maskedCount, 0) > 20 * KUBECTLS.length, 'values were masked and counted');
    const creates = events.filter((e) => e.resource === 'secrets' && e.verb === 'create');
    assert.ok(
      creates.some((e) => carriesMaskedValue(JSON.stringify(e.requestObject))),
      'a JSON create body is kept, masked',
    );
    assert.ok(
      creates.some((e) => typeof (e.requestObject as { sha256?: string } | undefined)?.sha256 === 'string'),
      'a protobuf create body is kept by size and hash',
    );
    assert.ok(
      events.some((e) => e.verb === 'update' && e.responseStatus === 422 && /masked value/.test(e.message ?? '')),
      'the write-back refusal is audited',
    );
  });
});
