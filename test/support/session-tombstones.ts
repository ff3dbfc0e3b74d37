/** What an ended session may leave in the sessions dir: tombstones only (ended.json + a kubeconfig without any credential). */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Asserts every entry of `sessionsDir` is a credential-free tombstone (or that there is none); returns their ids. */
export async function assertOnlyTombstones(sessionsDir: string): Promise<string[]> {
  const ids = await readdir(sessionsDir).catch(() => [] as string[]);
  for (const id of ids) {
    const dir = join(sessionsDir, id);
    assert.deepEqual((await readdir(dir)).sort(), ['ended.json', 'kubeconfig'], `${id} is not a tombstone`);
    const kubeconfig = await readFile(join(dir, 'kubeconfig'), 'utf8');
    assert.doesNotMatch(kubeconfig, /token:|client-key|eyJ/, `${id}: a credential in the tombstone`);
    assert.match(kubeconfig, /client\.authentication\.k8s\.io\/v1/, id);
  }
  return ids;
}
