/** Summarises `node --cpu-prof` output: self time per function, the top N per profile. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function shortUrl(url: string): string {
  const i = url.indexOf('/node_modules/');
  if (i !== -1) return url.slice(i + 1);
  const j = url.indexOf('/dist/');
  if (j !== -1) return url.slice(j + 1);
  return url.replace(/^file:\/\//, '').replace(/^node:/, 'node:');
}

/** Top `n` functions by self time of one profile, as text lines. */
export function topFunctions(profile: CpuProfile, n: number): string[] {
  const byId = new Map(profile.nodes.map((x) => [x.id, x]));
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + (deltas[i] ?? 0));
  const byFn = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${f.url === '' ? '' : `${shortUrl(f.url)}:${f.lineNumber + 1}`}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    total += us;
  }
  const busy = total - [...byFn].filter(([k]) => k.startsWith('(idle)')).reduce((s, [, v]) => s + v, 0);
  return [...byFn]
    .filter(([k]) => !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`);
}

/** Writes `<dir>/summary.txt` for every .cpuprofile in `dir` and returns its text. */
export async function summariseProfiles(dir: string, n = 25): Promise<string> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  const parts: string[] = [];
  for (const f of files) {
    const p = JSON.parse(await readFile(join(dir, f), 'utf8')) as CpuProfile;
    parts.push(`== ${basename(f)} (${((p.endTime - p.startTime) / 1e6).toFixed(1)} s) — self time, % of non-idle`, ...topFunctions(p, n), '');
  }
  const text = parts.join('\n');
  await writeFile(join(dir, 'summary.txt'), text);
  return text;
}
