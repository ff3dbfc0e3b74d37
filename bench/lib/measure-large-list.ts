/**
 * 2. A LIST of 10,000 Secrets through the gateway: time to the last byte and the gateway
 * process's peak RSS. Masking is not implemented yet; once the gateway has its config flag, pass
 * the fragment that turns it on with `--masking-config FILE` and the masked pair is measured on a
 * second gateway process (own memory) against this unmasked one.
 */
import type { BenchOptions } from './args.js';
import { fetchOnce } from './fetch-once.js';
import { readMaskingFragment } from './gateway-config.js';
import { readMemory, resetPeak, sampleRss } from './memory.js';
import { row, type Row } from './report.js';
import type { Stack } from './stack.js';
import { median } from './stats.js';
import type { Target } from './targets.js';

/** Namespace holding the Secrets. */
export const SECRETS_NAMESPACE = 'bench-secrets';
const COUNT = 10_000;
const PATH = `/api/v1/namespaces/${SECRETS_NAMESPACE}/secrets`;
const MB = 1024 * 1024;
const PENDING = 'pending: masking is not implemented yet (run with --masking-config FILE once the gateway has its flag)';

interface Timed {
  ms: number[];
  bytes: number;
  /** Largest RSS growth of `pid` over its RSS before the request, across repetitions. */
  growth: number;
  peakRss: number;
}

/** One LIST through `target`; with `pid`, the peak RSS of that process during it. */
async function listOnce(target: Target, acc: Timed, pid?: number): Promise<void> {
  const canReset = pid !== undefined && (await resetPeak(pid));
  const before = pid === undefined ? 0 : (await readMemory(pid)).rss;
  const sampler = pid === undefined ? undefined : sampleRss(pid);
  const r = await fetchOnce(target, PATH);
  const sampled = sampler === undefined ? 0 : await sampler.stop();
  if (r.status !== 200) throw new Error(`LIST secrets via ${target.label} → HTTP ${r.status}`);
  acc.ms.push(r.ms);
  acc.bytes = r.bytes;
  if (pid !== undefined) {
    const peak = Math.max(sampled, canReset ? (await readMemory(pid)).hwm : 0);
    acc.growth = Math.max(acc.growth, peak - before);
    acc.peakRss = Math.max(acc.peakRss, peak);
  }
}

const timed = (): Timed => ({ ms: [], bytes: 0, growth: 0, peakRss: 0 });

/** Runs the large-list figures. */
export async function measureLargeList(stack: Stack, o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const section = '2. LIST 10,000 Secrets (masking)';
  if (!stack.upstream.simulated) {
    return [row({ id: 'large.skipped', section, figure: 'LIST 10,000 Secrets', value: null, unit: 'ms', note: 'skipped: needs the simulated upstream (seeds 10,000 Secrets)' })];
  }
  await stack.upstream.call({ op: 'seedSecrets', namespace: SECRETS_NAMESPACE, count: COUNT, valueBytes: 1024 });
  const reps = o.quick ? 2 : 4;
  const masking = o.maskingConfig === undefined ? undefined : await stack.startVariantGateway('gateway-masking', await readMaskingFragment(o.maskingConfig));
  const direct = timed();
  const plain = timed();
  const masked = timed();
  // Interleaved, so drift of the upstream (GC, caches) spreads over every variant alike.
  for (let i = 0; i < reps; i++) {
    await listOnce(stack.targets.direct, direct);
    await listOnce(stack.targets.gateway, plain, stack.gateway.pid);
    if (masking !== undefined) await listOnce(masking.target, masked, masking.gateway.pid);
  }
  await masking?.gateway.close();
  const directMs = median(direct.ms);
  const plainMs = median(plain.ms);
  const body = direct.bytes / MB;
  log(`  direct: ${directMs.toFixed(0)} ms for ${body.toFixed(1)} MiB`);
  log(`  gateway (masking off): ${plainMs.toFixed(0)} ms, RSS +${(plain.growth / MB).toFixed(1)} MiB (peak ${(plain.peakRss / MB).toFixed(0)} MiB)`);
  const rows: Row[] = [
    row({ id: 'large.direct.ms', section, figure: `LIST ${COUNT} Secrets (${body.toFixed(1)} MiB): direct`, value: directMs, unit: 'ms' }),
    row({ id: 'large.gateway.ms', section, figure: 'gateway, masking off: time', value: plainMs, unit: 'ms', baseline: { label: 'direct', value: directMs } }),
    row({ id: 'large.gateway.rss-growth', section, figure: 'gateway, masking off: peak RSS growth', value: plain.growth / MB, unit: 'MiB', baseline: { label: 'body', value: body } }),
    row({ id: 'large.gateway.peak-rss', section, figure: 'gateway, masking off: peak RSS', value: plain.peakRss / MB, unit: 'MiB' }),
  ];
  if (masking === undefined) {
    rows.push(
      row({ id: 'large.masked.ms', section, figure: 'gateway, masking on: time', value: null, unit: 'ms', target: '≤ 2× masking off', note: PENDING }),
      row({ id: 'large.masked.rss-growth', section, figure: 'gateway, masking on: peak RSS growth', value: null, unit: 'MiB', target: '≤ 3× body', note: PENDING }),
    );
    return rows;
  }
  const maskedMs = median(masked.ms);
  log(`  gateway (masking on): ${maskedMs.toFixed(0)} ms, RSS +${(masked.growth / MB).toFixed(1)} MiB`);
  rows.push(
    row({ id: 'large.masked.ms', section, figure: 'gateway, masking on: time', value: maskedMs, unit: 'ms', baseline: { label: 'masking off', value: plainMs }, target: '≤ 2× masking off', met: maskedMs <= 2 * plainMs }),
    row({ id: 'large.masked.rss-growth', section, figure: 'gateway, masking on: peak RSS growth', value: masked.growth / MB, unit: 'MiB', baseline: { label: 'body', value: body }, target: '≤ 3× body', met: masked.growth / MB <= 3 * body }),
    row({ id: 'large.masked.bytes', section, figure: 'gateway, masking on: body', value: masked.bytes / MB, unit: 'MiB', baseline: { label: 'unmasked', value: body } }),
  );
  return rows;
}
