// exec and attach through the whole chain (built CLI → local proxy → gateway → test API server) with real
// kubectl 1.27 (SPDY/3.1) and 1.32/1.33 (WebSocket v5): recorded at the gateway as asciicast v2, replayed
// and exported with `hoopctl replay`; the recording cap; port-forward passes through audited and unrecorded;
// the audit log follows, exports and verifies.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCast } from '../../src/audit/asciicast.js';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { startChain, hoopExec, type Chain } from './chain-harness.js';
import { hoopctlBin, runCli, startCli, type TempHome } from '../support/cli-runner.js';
import { kubectlBinaries } from '../support/kubectl-binaries.js';

const KUBECTLS = kubectlBinaries(['1.27', '1.33']);
const CAP = 256 * 1024;
let chain: Chain;
let alice: TempHome;
let pod: string;

before(async () => {
  chain = await startChain({ extraConfig: { admins: { users: ['alice@example.com'] }, recordings: { maxBytesPerSession: CAP } } });
  alice = await chain.loginAs('alice');
  const pods = await hoopExec(alice, 'demo', ['kubectl', 'get', 'pods', '-n', 'demo', '-o', 'name']);
  assert.equal(pods.code, 0, pods.stderr);
  pod = pods.stdout.trim().split('\n')[0]!.replace('pod/', '');
});
after(async () => {
  await chain?.close();
});

async function auditOf(filter: (e: AuditEvent) => boolean): Promise<AuditEvent[]> {
  const r = await runCli(['audit', '-o', 'json', '--limit', '5000'], alice.env);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter(filter);
}

/** The session of the newest exec/attach upgrade event with a 101. */
async function lastStreamSession(subresource = 'exec'): Promise<string> {
  const events = await auditOf((e) => e.subresource === subresource && e.responseStatus === 101);
  return events.at(-1)!.session!;
}

async function exportCast(session: string, file: string, extra: string[] = []): Promise<ReturnType<typeof parseCast> & { text: string }> {
  const r = await runCli(['replay', session, '--export', file, ...extra], alice.env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const text = await readFile(file, 'utf8');
  return { ...parseCast(text), text };
}

const output = (cast: ReturnType<typeof parseCast>): string =>
  cast.events
    .filter((e) => e[1] === 'o')
    .map((e) => e[2])
    .join('');
const input = (cast: ReturnType<typeof parseCast>): string =>
  cast.events
    .filter((e) => e[1] === 'i')
    .map((e) => e[2])
    .join('');

describe('exec through the chain, recorded', () => {
  for (const k of KUBECTLS) {
    const transport = k.label === '1.27' ? 'spdy' : 'websocket';
    const v = /\d+\.\d+/.exec(k.label)![0];
    test(`kubectl ${k.label} (${transport}): output, stderr and exit code pass through; the cast holds them; replay shows the timeline`, async () => {
      const r = await hoopExec(alice, 'demo', [k.path, 'exec', '-n', 'demo', pod, '--', 'sh', '-c', `echo out-${v}; echo err-${v} >&2; exit 3`]);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(r.stdout, `out-${v}\n`);
      assert.match(r.stderr, new RegExp(`err-${v}`));
      const session = await lastStreamSession();
      const cast = await exportCast(session, join(chain.dir, `exec-${k.label}.cast`));
      assert.equal(cast.header.version, 2);
      // The command as a shell would need it typed, not a plain join of its argv.
      const command = `sh -c 'echo out-${v}; echo err-${v} >&2; exit 3'`;
      assert.equal(cast.header.command, command);
      assert.equal(cast.header.title, `kubectl exec ${pod} -c web -n demo -- ${command}`);
      assert.match(output(cast), new RegExp(`out-${v}\\n`));
      assert.match(output(cast), new RegExp(`err-${v}\\n`));
      const replay = await runCli(['replay', session, '--speed', '1000'], alice.env);
      assert.equal(replay.code, 0, replay.stderr);
      assert.ok(replay.stdout.includes(`exec #1: kubectl exec ${pod} -c web -n demo -- ${command} (${transport} v`), replay.stdout);
      assert.match(replay.stdout, /\.channel\.k8s\.io, exit 3\) ──\n/);
      assert.match(replay.stdout, /── end of exec #1 \(exit 3\) ──/);
      // WebSocket exec arrives as GET: the audit keeps the request's own verb; the policy matched it as create.
      assert.match(replay.stdout, /allow\s+101\s+(get|create)\s+pods\/exec/);
      assert.match(replay.stdout, new RegExp(`out-${v}`));
    });

    test(`kubectl ${k.label} (${transport}): exec -i cat: stdin reaches the pod; the recording masks secrets by value pattern`, async () => {
      const secret = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
      const stdin = `hello from ${v}\ntoken: ${secret}\n`;
      const r = await runCli(['exec', 'demo', '--', k.path, 'exec', '-i', '-n', 'demo', pod, '--', 'cat'], alice.env, { stdin });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, stdin, 'the stream itself is relayed unchanged');
      const cast = await exportCast(await lastStreamSession(), join(chain.dir, `cat-${k.label}.cast`));
      assert.match(input(cast), new RegExp(`hello from ${v}\\n`));
      assert.match(output(cast), new RegExp(`hello from ${v}\\n`));
      assert.doesNotMatch(cast.text, new RegExp(secret), 'neither the input nor the echoed output keeps the token');
      assert.match(input(cast), /token: \*\*hoopctl-masked\*\*/);
    });
  }

  test('secrets on the exec command line: masked in the recording list, the cast header and title, the replay, and the store', async () => {
    const token = 'ghp_' + 'Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8';
    const password = 'hunter2-' + 'cmdline';
    const r = await hoopExec(alice, 'demo', ['kubectl', 'exec', '-n', 'demo', pod, '--', 'printf', `TOKEN=${token} password=${password}\\n`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /TOKEN=/, 'the command itself ran unchanged');
    const session = await lastStreamSession();
    const cast = await exportCast(session, join(chain.dir, 'argv.cast'));
    assert.match(cast.header.command ?? '', /^printf '?TOKEN=\*\*hoopctl-masked\*\* password=\*\*hoopctl-masked\*\*/);
    assert.match(cast.header.title ?? '', /-- printf '?TOKEN=\*\*hoopctl-masked\*\*/);
    const replay = await runCli(['replay', session, '--speed', '1000'], alice.env);
    assert.equal(replay.code, 0, replay.stderr);
    assert.match(replay.stdout, /exec #1: kubectl exec .* -- printf '?TOKEN=\*\*hoopctl-masked\*\*/, 'the list comes from GET /v1/sessions/:id/recordings');
    const [event] = await auditOf((e) => e.session === session && e.subresource === 'exec' && e.responseStatus === 101);
    assert.ok(event !== undefined && event.maskedCount >= 2, 'the audit masked the same values in the URI');
    for (const secret of [token, password]) {
      for (const [where, text] of [
        ['cast', cast.text],
        ['replay', replay.stdout + replay.stderr],
        ['audit', JSON.stringify(event)],
      ] as const) {
        assert.ok(!text.includes(secret), `${where} keeps ${secret.slice(0, 6)}… in clear`);
      }
      // Nothing the gateway stored (recording metadata, audit, review rows) holds it: the SQLite file and its WAL.
      for (const file of ['gateway.db', 'gateway.db-wal']) {
        const bytes = await readFile(join(chain.dir, file)).catch(() => Buffer.alloc(0));
        assert.equal(bytes.indexOf(secret), -1, `${file} holds ${secret.slice(0, 6)}… in clear`);
      }
    }
  });

  test('the recording cap: the stream goes on in full, the recording stops with a marker and says it was truncated', async () => {
    const r = await hoopExec(alice, 'demo', ['kubectl', 'exec', '-n', 'demo', pod, '--', 'sh', '-c', 'yes | head -c 600000']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.length, 600_000, 'kubectl got every byte');
    const session = await lastStreamSession();
    const file = join(chain.dir, 'capped.cast');
    const cast = await exportCast(session, file);
    const markers = cast.events.filter((e) => e[1] === 'm');
    assert.equal(markers.length, 1);
    assert.match(markers[0]![2], /recording cap \(262144 bytes\) was reached/);
    assert.equal(cast.events.at(-1)![1], 'm', 'nothing is recorded after the marker');
    const recorded = output(cast).length;
    assert.ok(recorded > 100_000 && recorded < CAP, `recorded ${recorded} bytes of output`);
    assert.ok(Buffer.byteLength(cast.text) < CAP + 4096);
    const replay = await runCli(['replay', session, '--speed', '100000'], alice.env);
    assert.match(replay.stdout, /recording truncated at the session cap/);
  });
});

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

describe('replay: several recordings, the terminal size, a cut exec', () => {
  test('two execs in one session: --export without --exec lists them and writes nothing; a prefix of the session id names it', async () => {
    const r = await hoopExec(alice, 'demo', ['sh', '-c', `kubectl exec -n demo ${pod} -- sh -c 'echo "a b"' && kubectl exec -n demo ${pod} -- echo second`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'a b\nsecond\n');
    const session = await lastStreamSession();
    const file = join(chain.dir, 'two.cast');
    const both = await runCli(['replay', session, '--export', file], alice.env);
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /has 2 recorded exec\/attach streams; an asciicast file holds one:\n\s+EXEC\s+STARTED\s+COMMAND\s+RESULT\n/);
    assert.match(both.stderr, new RegExp(`^\\s+1\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+kubectl exec ${pod} -- sh -c 'echo "a b"'\\s+exit 0$`, 'm'));
    assert.match(both.stderr, /^\s+2\s+.*kubectl exec \S+ -- echo second\s+exit 0$/m);
    assert.ok(both.stderr.includes(`hint: hoopctl replay ${session} --exec 1 --export ${file}`), both.stderr);
    await assert.rejects(stat(file), 'nothing is written');
    const second = await exportCast(session.slice(0, 8), file, ['--exec', '2']);
    assert.equal(second.header.command, 'echo second');
    assert.equal(output(second), 'second\n');
    const first = await exportCast(session.slice(0, 8), file, ['--exec', '1']);
    assert.equal(first.header.command, `sh -c 'echo "a b"'`);
    const replay = await runCli(['replay', session.slice(0, 8), '--speed', '1000'], alice.env);
    assert.equal(replay.code, 0, replay.stderr);
    assert.ok(replay.stdout.includes(`session ${session}: `), 'the prefix resolved to the whole id');
    assert.ok(replay.stdout.includes(`exec #1: kubectl exec ${pod} -c web -n demo -- sh -c 'echo "a b"' (`), replay.stdout);
  });

  for (const k of KUBECTLS) {
    test(`kubectl ${k.label} exec -it: the exported cast has the size of the terminal kubectl ran in, not 80x24`, async () => {
      // The interactive shell, typed into once its prompt shows: kubectl sends its size as the stream opens, and a
      // command that ended at once could end the stream before that frame crossed (as with a real kubelet).
      const cmd = `stty cols 132 rows 41 && ${[process.execPath, hoopctlBin, 'exec', 'demo', '--', k.path, 'exec', '-it', '-n', 'demo', pod, '--', 'sh'].map(quote).join(' ')}`;
      const run = startCli(['-qefc', cmd, '/dev/null'], { ...alice.env, TERM: 'xterm' }, { command: 'script' });
      await run.waitFor(/# $/m);
      run.child.stdin!.write('echo sized\rexit\r');
      const r = await run.done;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /sized/);
      const cast = await exportCast(await lastStreamSession(), join(chain.dir, `sized-${k.label}.cast`));
      assert.deepEqual([cast.header.width, cast.header.height], [132, 41]);
      assert.deepEqual(
        cast.events
          .filter((e) => e[1] === 'r')
          .map((e) => e[2])
          .slice(0, 1),
        ['132x41'],
      );
    });
  }

  test('an exec cut by a revoke: the recording marks the cut, replay prints it on a line of its own after the last output', async () => {
    // The session's own id, from the environment hoopctl exec gives its child.
    const run = startCli(['exec', 'demo', '--', 'sh', '-c', `echo "session=$HOOP_SESSION" >&2; exec kubectl exec -i -n demo ${pod} -- cat`], alice.env);
    try {
      const session = (await run.waitFor(/session=(\S+)\n/))[1]!;
      run.child.stdin!.write('no newline at the end');
      await run.waitFor(/no newline at the end/);
      const revoke = await runCli(['revoke', session.slice(0, 8)], alice.env);
      assert.equal(revoke.code, 0, revoke.stderr);
      assert.ok(revoke.stderr.includes(`revoked session ${session}`), revoke.stderr);
      await run.done;
      const replay = await runCli(['replay', session, '--speed', '1000'], alice.env);
      assert.equal(replay.code, 0, replay.stderr);
      assert.match(replay.stdout, /exec #1: kubectl exec .* -- cat \(.*, cut: no exit status\) ──/);
      assert.match(replay.stdout, /no newline at the end\n── end of exec #1 \(cut: no exit status\) ──\n/);
      assert.match(replay.stderr, /\[hoopctl: the stream was cut here \(session revoked by alice@example\.com\)\]/);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});

describe('attach and port-forward through the chain', () => {
  test('attach -i is recorded like exec', async () => {
    const r = await runCli(['exec', 'demo', '--', 'kubectl', 'attach', '-i', '-n', 'demo', pod], alice.env, { stdin: 'attached-input\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /attached-input/);
    const cast = await exportCast(await lastStreamSession('attach'), join(chain.dir, 'attach.cast'));
    assert.match(cast.header.title ?? '', /^kubectl attach /);
    assert.match(output(cast), /attached-input/);
  });

  test('port-forward passes bytes both ways, is audited, and is not recorded', async () => {
    const script = `
      const { spawn } = require('node:child_process');
      const net = require('node:net');
      const pf = spawn('kubectl', ['port-forward', '-n', 'demo', 'pod/' + process.argv[1], '0:8080'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      pf.stdout.on('data', (d) => {
        out += d;
        const m = /127\\.0\\.0\\.1:(\\d+)/.exec(out);
        if (!m || pf.started) return;
        pf.started = true;
        const s = net.connect(Number(m[1]), '127.0.0.1', () => s.end('echo me'));
        let got = '';
        s.on('data', (c) => { got += c; });
        s.on('close', () => { console.log('GOT ' + got); pf.kill(); });
      });
      pf.on('close', () => process.exit(pf.started ? 0 : 1));
      setTimeout(() => { console.log('TIMEOUT ' + out); process.exit(1); }, 20000);`;
    const r = await hoopExec(alice, 'demo', [process.execPath, '-e', script, pod]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /GOT echo me/);
    const events = await auditOf((e) => e.subresource === 'portforward');
    const forward = events.at(-1)!;
    assert.deepEqual([forward.decision, forward.responseStatus], ['allow', 101]);
    const list = await runCli(['replay', forward.session!, '--speed', '1000'], alice.env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /0 recorded exec\/attach stream/);
    assert.match(list.stdout, /allow\s+101\s+(get|create)\s+pods\/portforward/);
  });
});

describe('audit: follow, export, verify', () => {
  test('--follow prints new events as JSON lines; --export appends JSON lines to a 0600 file', async () => {
    const follow = startCli(['audit', '--follow', '-o', 'json', '--interval', '200', '--limit', '1'], alice.env);
    try {
      // Its first line is the newest existing event (--limit 1): from then on it polls for what comes after it.
      await follow.waitFor(/\{"[^\n]*\}\n/, 20_000);
      const r = await hoopExec(alice, 'demo', ['kubectl', 'get', 'configmap', 'follow-marker', '-n', 'demo']);
      assert.notEqual(r.code, null);
      const line = await follow.waitFor(/\{[^\n]*configmaps\/follow-marker[^\n]*\}\n/, 20_000);
      const e = JSON.parse(line[0]) as AuditEvent;
      assert.equal(e.name, 'follow-marker');
      assert.match(e.hash ?? '', /^[0-9a-f]{64}$/);
    } finally {
      follow.child.kill('SIGTERM');
      await follow.done;
    }
    const file = join(chain.dir, 'export.jsonl');
    const exp = await runCli(['audit', '--export', file, '--limit', '50'], alice.env);
    assert.equal(exp.code, 0, exp.stderr);
    assert.match(exp.stderr, /wrote 50 audit event\(s\)/);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEvent);
    assert.equal(lines.length, 50);
    for (let i = 1; i < lines.length; i++) assert.ok(lines[i]!.seq! > lines[i - 1]!.seq!);
  });

  test('audit verify: at the gateway (admin) and offline against the SQLite file', async () => {
    const online = await runCli(['audit', 'verify'], alice.env);
    assert.equal(online.code, 0, online.stderr);
    assert.match(online.stdout, /audit chain ok: \d+ event\(s\) verified; head: event \d+/);
    const offline = await runCli(['audit', 'verify', '--db', join(chain.dir, 'gateway.db'), '-o', 'json'], alice.env);
    assert.equal(offline.code, 0, offline.stderr);
    assert.equal((JSON.parse(offline.stdout) as { ok: boolean }).ok, true);
  });
});
