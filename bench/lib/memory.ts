/** Resident memory of another process, from /proc (Linux). */
import { readFile, writeFile } from 'node:fs/promises';

/** VmRSS and VmHWM (peak RSS since start or since resetPeak) in bytes. */
export interface MemoryStatus {
  rss: number;
  hwm: number;
}

/** Reads /proc/<pid>/status. */
export async function readMemory(pid: number): Promise<MemoryStatus> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** Resets VmHWM to the current RSS (`echo 5 > /proc/<pid>/clear_refs`); false where the kernel refuses. */
export async function resetPeak(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples VmRSS every `everyMs` until stopped; the peak seen, as a cross-check of VmHWM. */
export function sampleRss(pid: number, everyMs = 5): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        peak = Math.max(peak, (await readMemory(pid)).rss);
      } catch {
        /* process gone */
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return peak;
    },
  };
}
