// The adversary suite (issue 9, "How it must be verified"): fast-check generates requests as an
// attacker would write them and sends them on raw sockets to a running stack — the local proxy with
// the kubeconfig's bearer, and the gateway directly with the session credential — whose upstream holds
// sentinel values. Every byte a client receives, every gateway log line, the audit store (SQLite), the
// proxies' transcripts and recordings are searched for the sentinels in every encoding; a read-only
// caller must change nothing upstream; every answer must be valid HTTP/1.1 and every refusal hoopctl
// makes a Kubernetes Status. CI: fixed seed, bounded count. On demand: HOOPCTL_FUZZ_RUNS (read-only runs,
// default 200), HOOPCTL_FUZZ_WRITE_RUNS (editor runs, default RUNS/4, at least 50), HOOPCTL_FUZZ_SEED.
// A failure prints the shrunk counterexample as a ready-to-paste raw request. Exploring: HOOPCTL_FUZZ_COLLECT=1
// runs every case and prints one example per kind of violation; HOOPCTL_FUZZ_NO_UPGRADE=1 leaves
// `Connection: Upgrade` out (to look past that class); HOOPCTL_FUZZ_TRACE=1 prints every answer's first line.
// The test server streams `GET <named object>?watch=true`, where kube-apiserver answers the object: the
// plain reads keep watches on collections (the free-form requests still try both).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { startAdversaryStack, SENTINEL_ROOT, type AdversaryStack, type Caller } from '../support/adversary-stack.js';
import { arbRequest, describeRequest, renderRequest, type Credentials, type GenRequest } from '../support/adversary-requests.js';
import { arbWrite, describeWrite, runWrite, type WriteCase } from '../support/adversary-writes.js';
import { arbRename, describeRename, runRename, type RenameCase } from '../support/adversary-renames.js';
import { judgeExchange, sentinelViolations } from '../support/adversary-oracles.js';
import { exchangeRaw, type RawTarget } from '../support/raw-http.js';

const ROOTS = [SENTINEL_ROOT];
// What kube-apiserver serves as a stream into a pod or a node (exec-class), and what it upgrades.
const EXEC_CLASS = /\/(?:pods\/[^/]+\/(?:exec|attach|portforward|proxy)|(?:services|nodes)\/[^/]+\/proxy)(?:\/|$)/;
const STREAMING = /[?&](?:watch|follow)=|\/watch\//i;
const UPGRADABLE = /\/pods\/[^/]+\/(?:exec|attach|portforward)$/;
const SEED = Number(process.env.HOOPCTL_FUZZ_SEED ?? 20260902);
const RUNS = Number(process.env.HOOPCTL_FUZZ_RUNS ?? 200);
const WRITE_RUNS = Number(process.env.HOOPCTL_FUZZ_WRITE_RUNS ?? Math.max(50, Math.round(RUNS / 4)));

let stack: AdversaryStack;
before(async () => {
  stack = await startAdversaryStack();
});
after(async () => {
  await stack?.close();
});

/** Where a request goes and with which credential. */
export function targetOf(
  s: AdversaryStack,
  caller: Caller,
  where: 'proxy' | 'gateway',
): { raw: RawTarget; creds: Credentials & { port: number; tls: boolean } } {
  if (where === 'proxy') {
    return {
      raw: { port: caller.proxy.port, tlsCa: caller.certPem },
      creds: { token: caller.localToken, host: `127.0.0.1:${caller.proxy.port}`, prefix: '', port: caller.proxy.port, tls: true },
    };
  }
  return {
    raw: { port: s.gatewayPort },
    creds: { token: caller.sessionToken, host: `127.0.0.1:${s.gatewayPort}`, prefix: '/k8s/prod', port: s.gatewayPort, tls: false },
  };
}

/** Sentinels in what the gateway logged, audited and the proxies wrote since the last look. */
async function sideChannelViolations(s: AdversaryStack, seen: { logs: number; transcripts: Map<string, number> }): Promise<string[]> {
  const v: string[] = [];
  const logs = s.logLines.slice(seen.logs);
  seen.logs = s.logLines.length;
  v.push(...sentinelViolations('the gateway log', logs.join('\n'), ROOTS));
  const events = await s.harness.store.listAudit({ limit: 4 });
  v.push(...sentinelViolations('the newest audit events', JSON.stringify(events), ROOTS));
  for (const caller of [s.reader, s.editor]) {
    const text = await readFile(caller.transcriptFile).catch(() => Buffer.alloc(0));
    const from = seen.transcripts.get(caller.transcriptFile) ?? 0;
    seen.transcripts.set(caller.transcriptFile, text.length);
    v.push(...sentinelViolations(`the transcript ${caller.transcriptFile}`, text.subarray(from), ROOTS));
  }
  return v;
}

/**
 * Runs fast-check; on failure, fails with the shrunk counterexample rendered as a raw request. With
 * HOOPCTL_FUZZ_COLLECT=1 it explores instead (see collect) and returns how many kinds of violation it saw.
 */
async function assertProperty<T>(arb: fc.Arbitrary<T>, runs: number, check: (t: T) => Promise<string[]>, describe: (t: T) => string): Promise<number> {
  if (process.env.HOOPCTL_FUZZ_COLLECT === '1') return collect(arb, runs, check, describe);
  const details = await fc.check(
    fc.asyncProperty(arb, async (t) => {
      const violations = await check(t);
      if (violations.length > 0) throw new Error(violations.join('\n'));
    }),
    { seed: SEED, numRuns: runs, endOnFailure: process.env.HOOPCTL_FUZZ_SHRINK === '0' },
  );
  if (!details.failed) return 0;
  const example = details.counterexample![0] as T;
  const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  assert.fail(
    `counterexample after ${details.numRuns} runs (seed ${details.seed}, path ${JSON.stringify(details.counterexamplePath)}, ${details.numShrinks} shrinks):\n${why}\n\n${describe(example)}`,
  );
}

/** Exploration mode: runs every case, groups violations by shape, and prints one example of each (no shrinking). */
async function collect<T>(arb: fc.Arbitrary<T>, runs: number, check: (t: T) => Promise<string[]>, describe: (t: T) => string): Promise<number> {
  const groups = new Map<string, { count: number; example: string }>();
  await fc.assert(
    fc.asyncProperty(arb, async (t) => {
      const violations = await check(t);
      for (const line of violations.filter((x) => !x.startsWith('('))) {
        const shape = line.replace(/ on .*|"[^"]*"|….*…|\d+/g, '_').slice(0, 90);
        const g = groups.get(shape) ?? { count: 0, example: `${violations.join('\n')}\n${describe(t)}` };
        g.count++;
        groups.set(shape, g);
      }
    }),
    { seed: SEED, numRuns: runs },
  );
  for (const [shape, g] of groups) console.log(`\n=== ${g.count}× ${shape}\n${g.example}`);
  return groups.size;
}

describe('adversary', { concurrency: 1 }, () => {
  describe('the oracles can fail', () => {
    test('a Secret read straight from the upstream shows its sentinels, in base64, to the judge', async () => {
      const kube = new URL(stack.harness.kube.url);
      const request = Buffer.from(
        `GET /api/v1/namespaces/demo/secrets/db-creds HTTP/1.1\r\nHost: ${kube.host}\r\nAuthorization: Bearer ${stack.harness.kube.token}\r\n\r\n`,
      );
      const capture = await exchangeRaw({ port: Number(kube.port), tlsCa: stack.harness.kube.caPem! }, request);
      const { violations, status } = judgeExchange(
        capture,
        { method: 'GET', path: '/api/v1/namespaces/demo/secrets/db-creds', reachedUpstream: true, mayUpgrade: false },
        ROOTS,
      );
      assert.equal(status, 200);
      assert.ok(
        violations.some((v) => v.startsWith('sentinel (base64)')),
        violations.join('\n'),
      );
    });

    test('a change made upstream shows in its fingerprint', async () => {
      const before = await stack.upstreamState();
      stack.harness.kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'oracle-check', namespace: 'prod' }, data: { a: 'b' } });
      assert.notDeepEqual(await stack.upstreamState(), before);
    });
  });

  describe('a read-only caller', () => {
    test(
      `no sentinel reaches any client, log, audit event or transcript; nothing changes upstream; answers are valid HTTP and refusals are Status (${RUNS} runs)`,
      { timeout: 30 * 60_000 },
      async (t) => {
        const seen = { logs: 0, transcripts: new Map<string, number>() };
        const world = { pods: stack.pods };
        const tally = { runs: 0, ok: 0, masked: 0, refused: 0 };
        const initial = await stack.upstreamState();
        const kinds = await assertProperty(
          arbRequest(world, { upgrades: process.env.HOOPCTL_FUZZ_NO_UPGRADE !== '1' }),
          RUNS,
          async (r: GenRequest) => {
            const { raw, creds } = targetOf(stack, stack.reader, r.target);
            const before = await stack.upstreamState();
            const requestsBefore = stack.harness.kube.counts().requests;
            // While a watch or `logs -f` is open, the cluster changes: new sentinels must arrive masked too.
            let touches = 0;
            const live = STREAMING.test(r.path)
              ? setTimeout(() => {
                  stack.touchLive();
                  touches++;
                }, 60)
              : undefined;
            const capture = await exchangeRaw(raw, renderRequest(r, creds), {}, r.method === 'HEAD');
            clearTimeout(live);
            const after = await stack.upstreamState();
            // upstreamState itself sends one GET upstream.
            const reached = stack.harness.kube.counts().requests - requestsBefore > 1;
            const judged = judgeExchange(capture, { method: r.method, path: r.path, reachedUpstream: reached, mayUpgrade: false }, ROOTS);
            tally.runs++;
            if (judged.status !== undefined && judged.status < 300) tally.ok++;
            if (judged.status !== undefined && judged.status >= 400) tally.refused++;
            if (process.env.HOOPCTL_FUZZ_TRACE === '1') {
              const a = judged.parsed.answers.at(-1);
              console.log(
                `TRACE ${judged.status} ${r.target} ${r.method} ${r.path.slice(0, 80)} [${r.headers.map(([n]) => n).join(',')}] ${r.auth} | ${(a?.decoded ?? a?.body ?? Buffer.alloc(0)).toString('utf8').replace(/\s+/g, ' ').slice(0, 140)}`,
              );
            }
            if (judged.parsed.answers.some((a) => /Kipob29wY3RsLW1hc2tlZCoq|\*\*hoopctl-masked\*\*/.test((a.decoded ?? a.body).toString('latin1'))))
              tally.masked++;
            const v = [...judged.violations, ...(await sideChannelViolations(stack, seen))];
            if (Number(after.resourceVersion) - Number(before.resourceVersion) !== touches || after.objects !== before.objects)
              v.push(
                `the read-only caller changed the cluster: resourceVersion ${before.resourceVersion} → ${after.resourceVersion} (${touches} change(s) of our own), objects ${before.objects} → ${after.objects}`,
              );
            // The test server keeps only its newest requests: take this run's by count, not by index.
            const added = stack.harness.kube.counts().requests - requestsBefore;
            for (const q of added > 0 ? stack.harness.kube.requests.slice(-added) : []) {
              if (EXEC_CLASS.test(q.url.split('?')[0]!)) v.push(`the read-only caller's request reached upstream as the stream ${q.method} ${q.url}`);
              else if (q.headers.upgrade !== undefined && !UPGRADABLE.test(q.url.split('?')[0]!))
                v.push(`Upgrade: ${q.headers.upgrade} was forwarded upstream on ${q.method} ${q.url}, which is no exec/attach/portforward`);
            }
            if (v.length > 0)
              v.push(
                `(answer status ${judged.status ?? 'none'}, upstream reached: ${reached}, capture ended: ${capture.ended}, ${capture.bytes.length} bytes)`,
              );
            return v;
          },
          (r) => describeRequest(r, targetOf(stack, stack.reader, r.target).creds),
        );
        const final = await stack.upstreamState();
        assert.equal(final.objects, initial.objects, 'no object was created or deleted over the whole run');
        // Not vacuous: many requests were served, and some of them carried values hoopctl masked.
        t.diagnostic(`answers: ${JSON.stringify(tally)}`);
        assert.ok(tally.ok >= tally.runs * 0.15 && tally.masked >= 3 && tally.refused > 0, `answers: ${JSON.stringify(tally)}`);
        assert.equal(kinds, 0, `${kinds} kinds of violation (printed above)`);
      },
    );
  });

  /** Where the gateway log and both transcripts stand now: side-channel checks read only what is written after. */
  async function sideChannelMark(s: typeof stack): Promise<{ logs: number; transcripts: Map<string, number> }> {
    const seen = { logs: s.logLines.length, transcripts: new Map<string, number>() };
    for (const c of [s.reader, s.editor]) seen.transcripts.set(c.transcriptFile, (await readFile(c.transcriptFile).catch(() => Buffer.alloc(0))).length);
    return seen;
  }

  describe('an editor writing masked reads back', () => {
    test(
      `a stored sentinel changes only to a new clear value the request carried, never to a masked one (${WRITE_RUNS} runs)`,
      { timeout: 30 * 60_000 },
      async () => {
        const seen = await sideChannelMark(stack);
        const kinds = await assertProperty(
          arbWrite(),
          WRITE_RUNS,
          async (w: WriteCase) => {
            const { raw, creds } = targetOf(stack, stack.editor, w.target);
            const v = await runWrite(stack, w, raw, creds, ROOTS);
            v.push(...(await sideChannelViolations(stack, seen)));
            return v;
          },
          (w) => describeWrite(w, targetOf(stack, stack.editor, w.target).creds),
        );
        assert.equal(kinds, 0, `${kinds} kinds of violation (printed above)`);
      },
    );
  });

  describe('an editor renaming what a masking decision rests on', () => {
    test(
      `an env value renamed, a Secret or ConfigMap given another kind, by any patch type and with dryRun=All, never comes back in clear (${WRITE_RUNS} runs)`,
      { timeout: 30 * 60_000 },
      async () => {
        const seen = await sideChannelMark(stack);
        const kinds = await assertProperty(
          arbRename(),
          WRITE_RUNS,
          async (r: RenameCase) => {
            const { raw, creds } = targetOf(stack, stack.editor, r.target);
            const v = await runRename(stack, r, raw, creds, ROOTS);
            v.push(...(await sideChannelViolations(stack, seen)));
            return v;
          },
          (r) => describeRename(r, targetOf(stack, stack.editor, r.target).creds),
        );
        assert.equal(kinds, 0, `${kinds} kinds of violation (printed above)`);
      },
    );
  });

  describe('what stayed behind', () => {
    test('no sentinel in any file the gateway or the proxies wrote (SQLite store and its WAL, recordings, transcripts) or in the gateway log', async () => {
      const files = await stack.writtenFiles();
      assert.ok(
        files.some((f) => /\.db$/.test(f.file)),
        `the SQLite store is among ${files.map((f) => f.file).join(', ')}`,
      );
      assert.ok(
        files.some((f) => f.file === stack.reader.transcriptFile),
        'the reader transcript was written',
      );
      const v = files.flatMap((f) => sentinelViolations(f.file, f.text, ROOTS));
      v.push(...sentinelViolations('the gateway log', stack.logLines.join('\n'), ROOTS));
      assert.deepEqual(v, []);
    });

    test('the local proxies and the gateway close within 3 s: no connection from the run is still held', async () => {
      const within = (what: string, p: Promise<unknown>): Promise<string | undefined> =>
        Promise.race([p.then(() => undefined), new Promise<string>((r) => setTimeout(() => r(`${what} did not close within 3 s`), 3000).unref())]);
      const late = await Promise.all([
        within('the reader proxy', stack.reader.proxy.close()),
        within('the editor proxy', stack.editor.proxy.close()),
        within('the gateway', stack.harness.gateway.close()),
      ]);
      assert.deepEqual(
        late.filter((x) => x !== undefined),
        [],
      );
    });
  });
});
