/**
 * `npm run bench`: the chain against the limit and against its peers, side by side. Every figure
 * is printed next to a baseline measured in the same run on the same upstream. Not a test: CI never
 * runs it. See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { IN_PROCESS_SECTIONS, parseBenchArgs, type BenchOptions, type Section } from './lib/args.js';
import { measureExec } from './lib/measure-exec.js';
import { measureLargeList } from './lib/measure-large-list.js';
import { measureMasking } from './lib/measure-masking.js';
import { measureReplicas } from './lib/measure-replicas.js';
import { measureSmall } from './lib/measure-small.js';
import { measureSessions } from './lib/measure-sessions.js';
import { measureStartup } from './lib/measure-startup.js';
import { measureSyscalls } from './lib/measure-syscalls.js';
import { measureTeardown } from './lib/measure-teardown.js';
import { measureWatch } from './lib/measure-watch.js';
import { summariseProfiles } from './lib/profile-summary.js';
import { formatMarkdown, formatTable, row, writeResults, type Row } from './lib/report.js';
import { startStack, type Stack } from './lib/stack.js';

type Measure = (stack: Stack | undefined, o: BenchOptions, log: (l: string) => void) => Promise<Row[]>;
// A section that needs the processes gets them; `masking` runs in this process.
const withStack =
  (m: (stack: Stack, o: BenchOptions, log: (l: string) => void) => Promise<Row[]>): Measure =>
  (stack, o, log) =>
    m(stack!, o, log);

const MEASURES: Record<Section, Measure> = {
  small: withStack(measureSmall),
  'large-list': withStack(measureLargeList),
  watch: withStack(measureWatch),
  exec: withStack(measureExec),
  startup: withStack(measureStartup),
  teardown: withStack(measureTeardown),
  sessions: withStack(measureSessions),
  syscalls: withStack(measureSyscalls),
  replicas: withStack(measureReplicas),
  masking: (_stack, o, log) => measureMasking(o, log),
};

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const o = parseBenchArgs(process.argv.slice(2));
  const log = (l: string): void => void process.stderr.write(`${l}\n`);
  const started = performance.now();
  const loadBefore = loadavg()[0]!;
  const stack = o.only.every((s) => IN_PROCESS_SECTIONS.includes(s)) ? undefined : await startStack(o, log);
  const rows: Row[] = [];
  try {
    for (const section of o.only) {
      log(`${section}…`);
      try {
        rows.push(...(await MEASURES[section](stack, o, log)));
      } catch (e) {
        log(`  ${section} failed: ${(e as Error).stack ?? String(e)}`);
        rows.push(row({ id: `${section}.failed`, section, figure: section, value: null, unit: '', note: `failed: ${(e as Error).message}` }));
      }
    }
  } finally {
    await stack?.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const meta = {
    date: new Date().toISOString(),
    commit: gitCommit(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    kubectl: stack?.kubectlProxy.version ?? 'not started',
    upstream:
      stack === undefined ? 'none (in-process sections only)' : stack.upstream.simulated ? 'simulated (test server, own process)' : stack.upstream.direct.url,
    gatewayMasking: stack?.masking === undefined ? 'not probed' : stack.masking ? 'on' : 'off',
    concurrency: o.concurrency,
    durationMs: o.durationMs,
    quick: o.quick,
    profiled: o.profile,
    seconds,
    loadavg1: { before: loadBefore, after: loadavg()[0]! },
  };
  process.stdout.write(
    `\nhoopctl bench — ${meta.date}, commit ${meta.commit}, node ${meta.node}, ${meta.cpus} × ${meta.cpuModel}, upstream ${meta.upstream}, gateway masking ${meta.gatewayMasking}, policy + SQLite audit on${o.profile ? ' (PROFILED: figures are slower than normal)' : ''}\n\n`,
  );
  if (Math.max(meta.loadavg1.before, meta.loadavg1.after) > meta.cpus) {
    process.stdout.write(
      `WARNING: the machine was busy (load average ${meta.loadavg1.before.toFixed(1)} → ${meta.loadavg1.after.toFixed(1)} on ${meta.cpus} cores): wall-clock figures are noisy; ratios and CPU per request hold up better.\n\n`,
    );
  }
  process.stdout.write(formatTable(rows));
  const file = await writeResults(o.resultsDir, meta, rows);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file.replace(/\.json$/, '.md'), formatMarkdown(rows));
  process.stdout.write(`\nwritten: ${file} (and latest.md); ${seconds.toFixed(0)} s\n`);
  if (stack?.profileDir !== undefined) {
    process.stdout.write(`\nCPU profiles in ${stack.profileDir}:\n${await summariseProfiles(stack.profileDir)}`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
