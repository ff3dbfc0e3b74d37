// Signing keys read from a real (SQLite) store: a kid another replica added is accepted at once, not
// after the next periodic read; unknown kids share one rate-limited store read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSigningKeys, rotateSigningKey } from '../../src/gateway/signing-keys.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';

describe('signing keys in the store', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hoop-keys-'));
    store = await openSqliteStore(join(dir, 'store.db'));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a key another replica made current is accepted by the next token that names it, not the next periodic read', async () => {
    // Periodic re-read off: only the unknown-kid path can find the new key.
    const keys = await loadSigningKeys(store, { now: Date.now, maxTokenLifetimeSeconds: 3600, reloadIntervalMs: 0 });
    try {
      const { kid } = await rotateSigningKey(store, { now: Date.now }); // "another replica", just after our read
      assert.equal(keys.accepts(kid), false, 'not known before a read');
      assert.ok(await keys.publicKey(kid), 'the new kid is looked up in the store rather than refused');
      assert.equal(keys.accepts(kid), true);
      assert.equal(keys.current.kid, kid, 'and it becomes the key this replica signs with');
    } finally {
      keys.close();
    }
  });

  test('random kids share one store read and are refused', async () => {
    const keys = await loadSigningKeys(store, { now: Date.now, maxTokenLifetimeSeconds: 3600, reloadIntervalMs: 0 });
    try {
      let reads = 0;
      const real = store.getSigningKeys.bind(store);
      const counting: Store = Object.create(store) as Store;
      counting.getSigningKeys = async () => {
        reads += 1;
        return real();
      };
      const keys2 = await loadSigningKeys(counting, { now: Date.now, maxTokenLifetimeSeconds: 3600, reloadIntervalMs: 0 });
      reads = 0;
      const found = await Promise.all(Array.from({ length: 50 }, (_, i) => keys2.publicKey(`random-${i}`)));
      assert.deepEqual(
        found,
        Array.from({ length: 50 }, () => undefined),
      );
      assert.equal(reads, 1, 'fifty unknown kids within the rate limit cost one store read');
      keys2.close();
    } finally {
      keys.close();
    }
  });
});
