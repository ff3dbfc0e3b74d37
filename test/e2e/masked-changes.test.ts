// Masked, and still truthful: through the real chain (built CLI and gateway, embedded IdP, the Kubernetes
// API test server) with every kubectl on the machine. A changed Secret value shows as changed in
// `kubectl diff`, `describe` and two `get -o yaml` (digest markers); `apply --server-side` after a
// client-side apply migrates without a warning and without writing a masked value; a refused
// write-back reads as kube's own Invalid error, naming the field and the command that works.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { carriesMaskedValue } from '../../src/mask/marker.js';
import { startChain, type Chain } from './chain-harness.js';
import { runCli, type TempHome } from '../support/cli-runner.js';
import { kubectlBinaries, type KubectlBinary } from '../support/kubectl-binaries.js';

const NS = 'demo';
// All seven versions pass (HOOPCTL_ALL_KUBECTLS=1, ~6 min); by default the oldest, the default and the newest.
const KUBECTLS = kubectlBinaries(process.env.HOOPCTL_ALL_KUBECTLS === '1' ? ['1.27', '1.28', '1.29', '1.30', '1.31', '1.33'] : ['1.27', '1.33']);
const tag = (k: KubectlBinary): string => (k.label.startsWith('default') ? 'v132' : `v${k.label.replace('.', '')}`);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

let chain: Chain;
let sam: TempHome;
let kubeconfig: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kubectl(k: KubectlBinary, args: string[], input = '', env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(k.path, ['-n', NS, ...args], { env: { ...sam.env, KUBECONFIG: kubeconfig, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function ok(k: KubectlBinary, args: string[], input?: string): Promise<Run> {
  const r = await kubectl(k, args, input);
  assert.equal(r.code, 0, `kubectl ${k.label} ${args.join(' ')}: ${r.stderr}`);
  return r;
}

const secret = (name: string, token: string): string => `apiVersion: v1
kind: Secret
metadata:
  name: ${name}
  labels: {app: masked-changes}
type: Opaque
stringData:
  token: ${token}
  user: admin
`;

const upstreamSecret = (name: string): Record<string, any> => chain.kube.get({ kind: 'secrets', namespace: NS, name }) as Record<string, any>;

before(async () => {
  chain = await startChain();
  sam = await chain.loginAs('sam');
  const r = await runCli(['connect', 'demo', '--print-env', '--ttl', '30m'], sam.env);
  assert.equal(r.code, 0, r.stderr);
  kubeconfig = /export KUBECONFIG='([^']+)'/.exec(r.stdout)![1]!;
});
after(async () => {
  if (sam !== undefined) await runCli(['disconnect', 'demo'], sam.env);
  await chain?.close();
});

for (const k of KUBECTLS) {
  describe(`kubectl ${k.label}`, () => {
    test('diff shows a changed Secret value as changed, and an unchanged one as no diff; nothing is written', async () => {
      const name = `diff-${tag(k)}`;
      await ok(k, ['apply', '-f', '-'], secret(name, 'S3NT1NEL-DIFF-ONE'));
      const same = await kubectl(k, ['diff', '-f', '-'], secret(name, 'S3NT1NEL-DIFF-ONE'));
      assert.equal(same.code, 0, `no change must diff empty: ${same.stdout}${same.stderr}`);
      assert.equal(same.stdout, '');
      for (const flags of [[], ['--server-side']]) {
        const changed = await kubectl(k, ['diff', ...flags, '-f', '-'], secret(name, 'S3NT1NEL-DIFF-TWO'));
        assert.equal(changed.code, 1, `diff ${flags.join(' ')} must report the change: ${changed.stdout}${changed.stderr}`);
        // kubectl masks Secret data itself, and says which side changed.
        assert.match(changed.stdout, /^-\s+token: '\*\*\* \(before\)'$/m, changed.stdout);
        assert.match(changed.stdout, /^\+\s+token: '\*\*\* \(after\)'$/m, changed.stdout);
        assert.doesNotMatch(changed.stdout, /^[-+]\s+user:/m, 'an unchanged value is not in the diff');
        assert.doesNotMatch(changed.stdout + changed.stderr, /S3NT1NEL|UzNOVDFORUw/);
      }
      assert.equal(upstreamSecret(name).data.token, b64('S3NT1NEL-DIFF-ONE'), 'a dry run changes nothing');
    });

    test('get -o yaml and describe of two versions differ exactly where the value changed', async () => {
      const name = `versions-${tag(k)}`;
      await ok(k, ['create', 'configmap', name, '--from-literal=db_password=S3NT1NEL-V-ONE', '--from-literal=api_token=S3NT1NEL-T']);
      await ok(k, ['create', 'secret', 'generic', name, '--from-literal=token=S3NT1NEL-V-ONE', '--from-literal=user=admin']);
      const read = async (): Promise<{ cm: string; secret: string; describe: string }> => ({
        cm: (await ok(k, ['get', 'configmap', name, '-o', 'yaml'])).stdout,
        secret: (await ok(k, ['get', 'secret', name, '-o', 'yaml'])).stdout,
        describe: (await ok(k, ['describe', 'configmap', name])).stdout,
      });
      const line = (text: string, key: string): string => new RegExp(`^\\s*${key}:.*$`, 'm').exec(text)?.[0] ?? `(no ${key})`;
      const v1 = await read();
      const again = await read();
      assert.equal(line(again.cm, 'db_password'), line(v1.cm, 'db_password'), 'an unchanged value reads the same');
      assert.equal(line(again.secret, 'token'), line(v1.secret, 'token'));
      // Another client changes the values upstream.
      const cm = chain.kube.get({ kind: 'configmaps', namespace: NS, name }) as Record<string, any>;
      chain.kube.apply({ ...cm, data: { ...cm.data, db_password: 'S3NT1NEL-V-TWO' } });
      const s = upstreamSecret(name);
      chain.kube.apply({ ...s, data: { ...s.data, token: b64('S3NT1NEL-V-TWO') } });
      const v2 = await read();
      assert.notEqual(line(v2.cm, 'db_password'), line(v1.cm, 'db_password'));
      assert.equal(line(v2.cm, 'api_token'), line(v1.cm, 'api_token'));
      assert.notEqual(line(v2.secret, 'token'), line(v1.secret, 'token'));
      assert.equal(line(v2.secret, 'user'), line(v1.secret, 'user'));
      const desc = (text: string): string => /db_password:\n-+\n(.*)/.exec(text)?.[1] ?? text;
      assert.notEqual(desc(v2.describe), desc(v1.describe), `describe:\n${v1.describe}\n${v2.describe}`);
      assert.match(desc(v1.describe), /^\*\*hoopctl-masked:[0-9a-f]{16}\*\*$/);
      for (const text of [v1, v2].flatMap((v) => Object.values(v))) assert.doesNotMatch(text, /S3NT1NEL|UzNOVDFORUw/);
    });

    test('apply --server-side after a client-side apply migrates without a warning and writes no masked value', async () => {
      const name = `ssa-${tag(k)}`;
      await ok(k, ['apply', '-f', '-'], secret(name, 'S3NT1NEL-SSA-ONE'));
      for (const value of ['S3NT1NEL-SSA-TWO', 'S3NT1NEL-SSA-TWO', 'S3NT1NEL-SSA-THREE']) {
        const r = await ok(k, ['apply', '--server-side', '-f', '-'], secret(name, value));
        assert.equal(r.stderr, '', `no warning: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(`secret/${name} (serverside-applied|configured|unchanged)`));
        const live = upstreamSecret(name);
        assert.equal(Buffer.from(live.data?.token ?? b64(live.stringData?.token ?? ''), 'base64').toString(), value);
        assert.ok(!carriesMaskedValue(JSON.stringify(live)), `nothing masked upstream: ${JSON.stringify(live.metadata.annotations)}`);
      }
      const managers = (upstreamSecret(name).metadata.managedFields as { manager: string }[]).map((m) => m.manager);
      assert.ok(!managers.includes('kubectl-client-side-apply'), `migrated: ${managers.join(',')}`);
    });

    test("a refused write-back reads as kube's Invalid error: kind, field, and the command that works", async () => {
      const name = `app-cfg-${tag(k)}`;
      await ok(k, ['create', 'configmap', name, '--from-literal=password=S3NT1NEL-RB', '--from-literal=mode=a']);
      const yaml = (await ok(k, ['get', 'configmap', name, '-o', 'yaml'])).stdout;
      const r = await kubectl(k, ['replace', '-f', '-'], yaml.replace('mode: a', 'mode: b'));
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`The ConfigMap "${name}" is invalid: data\\.password: Invalid value: .*a value masked by hoopctl cannot be written back`),
      );
      assert.match(r.stderr, new RegExp(`kubectl patch configmap ${name} -n ${NS} -p '\\{"data":\\{"password":"<value>"\\}\\}'`));
      assert.equal((chain.kube.get({ kind: 'configmaps', namespace: NS, name }) as Record<string, any>).data.mode, 'a');

      // kubectl edit that keeps the masked annotation of a client-side-applied Secret: the error names the field.
      const sname = `edit-${tag(k)}`;
      await ok(k, ['apply', '-f', '-'], secret(sname, 'S3NT1NEL-EDIT'));
      const editor = join(chain.dir, `editor-${tag(k)}.sh`);
      const seen = join(chain.dir, `editor-${tag(k)}.log`);
      // Changes a label; --save-config writes the whole object into the annotation, masked values included.
      // kubectl reopens the editor with the refusal's causes as comments: that is what the user reads.
      await writeFile(editor, `#!/bin/sh\ncat "$1" >> '${seen}'\nsed -i "s/app: masked-changes/app: edited/" "$1"\n`);
      await chmod(editor, 0o755);
      const e = await kubectl(k, ['edit', 'secret', sname, '--save-config'], '', { EDITOR: editor, KUBE_EDITOR: editor });
      assert.notEqual(e.code, 0);
      assert.match(e.stderr, /Edit cancelled/);
      const shown = await readFile(seen, 'utf8');
      assert.match(
        shown,
        /^# \* metadata\.annotations\.kubectl\.kubernetes\.io\/last-applied-configuration: Invalid value: .*apply your own manifest/m,
        shown.slice(0, 1500),
      );
      assert.doesNotMatch(r.stderr + e.stdout + e.stderr + shown, /S3NT1NEL|UzNOVDFORUw/);
    });
  });
}
