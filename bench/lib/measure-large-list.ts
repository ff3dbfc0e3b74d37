/**
 * 2. A LIST of 10,000 Secrets: time to the last byte, CPU and peak RSS of the gateway process,
 * masking on (the production default, the bench's main gateway) against masking off (a second
 * gateway process with `policy.masking.enabled: false`, its own memory), and both against direct.
 */
import type { BenchOptions } from './args.js';
import { cpuMeter } from './cpu.js';
import { fetchOnce } from './fetch-once.js';
import { MASKING_OFF, readConfigFragment } from './gateway-config.js';
import { readMemory, resetPeak, sampleRss } from './memory.js';
import { row, type Row } from './report.js';
import type { Stack } from './stack.js';
import { median } from './stats.js';
import { originAndPrefix, poolFor, type Target } from './targets.js';

/** Namespace holding the Secrets. */
export const SECRETS_NAMESPACE = 'bench-secrets';
const COUNT = 10_000;
const PATH = `/api/v1/namespaces/${SECRETS_NAMESPACE}/secrets`;
const MB = 1024 * 1024;

interface Timed {
  ms: number[];
  bytes: number;
  /** Largest RSS growth of the measured process over its RSS before the request, across repetitions. */
  growth: number;
  peakRss: number;
  /** CPU ms of the measured process per LIST. */
  cpu: number[];
}

const timed = (): Timed => ({ ms: [], bytes: 0, growth: 0, peakRss: 0, cpu: [] });

/** One LIST through `target`, with CPU and peak RSS of `pid` (the process that serves it). */
async function listOnce(target: Target, acc: Timed, pid: number | undefined, memory: boolean): Promise<void> {
  const canReset = memory && pid !== undefined && (await resetPeak(pid));
  const before = memory && pid !== undefined ? (await readMemory(pid)).rss : 0;
  const sampler = memory && pid !== undefined ? sampleRss(pid) : undefined;
  const cpu = await cpuMeter({ p: pid });
  const r = await fetchOnce(target, PATH);
  acc.cpu.push((await cpu.stop())['p'] ?? Number.NaN);
  const sampled = sampler === undefined ? 0 : await sampler.stop();
  if (r.status !== 200) throw new Error(`LIST secrets via ${target.label} → HTTP ${r.status}`);
  acc.ms.push(r.ms);
  acc.bytes = r.bytes;
  if (memory && pid !== undefined) {
    const peak = Math.max(sampled, canReset ? (await readMemory(pid)).hwm : 0);
    acc.growth = Math.max(acc.growth, peak - before);
    acc.peakRss = Math.max(acc.peakRss, peak);
  }
}

/** The `password` value of the first Secret as `target` returns it. */
async function firstPassword(target: Target): Promise<string | undefined> {
  const pool = poolFor(target, 1);
  try {
    const r = await pool.request({
      path: `${originAndPrefix(target).prefix}${PATH}/app-secret-00000`,
      method: 'GET',
      headers: { accept: 'application/json', ...target.headers },
    });
    return ((await r.body.json()) as { data?: Record<string, string> }).data?.['password'];
  } finally {
    await pool.close();
  }
}

/** Runs the large-list figures. */
export async function measureLargeList(stack: Stack, o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const section = '2. LIST 10,000 Secrets, masking on vs off';
  if (!stack.upstream.simulated) {
    return [
      row({
        id: 'large.skipped',
        section,
        figure: 'LIST 10,000 Secrets',
        value: null,
        unit: 'ms',
        note: 'skipped: needs the simulated upstream (seeds 10,000 Secrets)',
      }),
    ];
  }
  await stack.upstream.call({ op: 'seedSecrets', namespace: SECRETS_NAMESPACE, count: COUNT, valueBytes: 1024 });
  const clear = await firstPassword(stack.targets.direct);
  const masks = (await firstPassword(stack.targets.gateway)) !== clear;
  let unmasked: Awaited<ReturnType<Stack['startVariantGateway']>> | undefined;
  let unmaskedProblem: string | undefined;
  try {
    unmasked = await stack.startVariantGateway('gateway-unmasked', o.unmaskedConfig === undefined ? MASKING_OFF : await readConfigFragment(o.unmaskedConfig));
    if ((await firstPassword(unmasked.target)) !== clear) unmaskedProblem = 'the "masking off" gateway still masks';
  } catch (e) {
    unmaskedProblem = `this gateway build has no masking switch (${(e as Error).message.split('\n')[0]})`;
  }
  const reps = o.quick ? 2 : 4;
  const direct = timed();
  const on = timed();
  const off = timed();
  // Interleaved, so drift of a busy machine spreads over every variant alike.
  for (let i = 0; i < reps; i++) {
    await listOnce(stack.targets.direct, direct, stack.upstream.pid, false);
    if (unmasked !== undefined) await listOnce(unmasked.target, off, unmasked.gateway.pid, true);
    await listOnce(stack.targets.gateway, on, stack.gateway.pid, true);
  }
  await unmasked?.gateway.close();
  const body = direct.bytes / MB;
  const ms = { direct: median(direct.ms), on: median(on.ms), off: median(off.ms) };
  log(
    `  direct ${ms.direct.toFixed(0)} ms (${body.toFixed(1)} MiB); masking off ${ms.off.toFixed(0)} ms, RSS +${(off.growth / MB).toFixed(1)} MiB; masking on ${ms.on.toFixed(0)} ms, RSS +${(on.growth / MB).toFixed(1)} MiB`,
  );
  const rows: Row[] = [row({ id: 'large.direct.ms', section, figure: `LIST ${COUNT} Secrets (${body.toFixed(1)} MiB): direct`, value: ms.direct, unit: 'ms' })];
  if (unmasked !== undefined && unmaskedProblem === undefined) {
    rows.push(
      row({ id: 'large.off.ms', section, figure: 'gateway, masking off: time', value: ms.off, unit: 'ms', baseline: { label: 'direct', value: ms.direct } }),
      row({
        id: 'large.off.cpu',
        section,
        figure: 'gateway, masking off: CPU per LIST',
        value: median(off.cpu),
        unit: 'ms',
        baseline: { label: 'upstream CPU', value: median(direct.cpu) },
      }),
      row({
        id: 'large.off.rss-growth',
        section,
        figure: 'gateway, masking off: peak RSS growth',
        value: off.growth / MB,
        unit: 'MiB',
        baseline: { label: 'body', value: body },
      }),
    );
  } else {
    rows.push(
      row({
        id: 'large.off.ms',
        section,
        figure: 'gateway, masking off: time',
        value: null,
        unit: 'ms',
        note: `pending: ${unmaskedProblem ?? 'no masking-off gateway'}`,
      }),
    );
  }
  const pending = masks ? undefined : 'pending: the gateway returned the Secret values in clear (masking not active in this build)';
  const offBase = unmasked !== undefined && unmaskedProblem === undefined ? { label: 'masking off', value: ms.off } : undefined;
  rows.push(
    row({
      id: 'large.on.ms',
      section,
      figure: 'gateway, masking on: time',
      value: pending === undefined ? ms.on : null,
      unit: 'ms',
      ...(offBase === undefined ? {} : { baseline: offBase }),
      target: '≤ 2× masking off',
      ...(pending === undefined && offBase !== undefined ? { met: ms.on <= 2 * offBase.value } : {}),
      ...(pending === undefined ? {} : { note: pending }),
    }),
    row({
      id: 'large.on.cpu',
      section,
      figure: 'gateway, masking on: CPU per LIST',
      value: pending === undefined ? median(on.cpu) : null,
      unit: 'ms',
      ...(offBase === undefined ? {} : { baseline: { label: 'masking off', value: median(off.cpu) } }),
      ...(pending === undefined ? {} : { note: pending }),
    }),
    row({
      id: 'large.on.rss-growth',
      section,
      figure: 'gateway, masking on: peak RSS growth',
      value: pending === undefined ? on.growth / MB : null,
      unit: 'MiB',
      baseline: { label: 'body', value: body },
      target: '≤ 3× body',
      ...(pending === undefined ? { met: on.growth / MB <= 3 * body } : { note: pending }),
    }),
    row({ id: 'large.on.peak-rss', section, figure: 'gateway, masking on: peak RSS', value: on.peakRss / MB, unit: 'MiB' }),
  );
  return rows;
}
