import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWith } from '../config-reader.js';
import { DEFAULT_MAX_RECORDING_BYTES, parseByteSize, recordingsSchema } from './config-recordings.js';

test('byte sizes: integers and Kubernetes-style suffixes; anything else is refused', () => {
  assert.deepEqual(['1024', 2048, '512Ki', '64Mi', '1Gi', '10KiB', '3M'].map(parseByteSize), [1024, 2048, 524288, 67108864, 1073741824, 10240, 3_000_000]);
  assert.deepEqual([0, -1, '1.5Mi', '10 parsecs', '', null].map(parseByteSize), [undefined, undefined, undefined, undefined, undefined, undefined]);
});

test('recordings: defaults when absent; a bad cap names its path', () => {
  assert.deepEqual(readWith(recordingsSchema, undefined), { ok: true, data: { enabled: true, maxBytesPerSession: DEFAULT_MAX_RECORDING_BYTES } });
  assert.deepEqual(readWith(recordingsSchema, { enabled: false, maxBytesPerSession: '1Mi' }), {
    ok: true,
    data: { enabled: false, maxBytesPerSession: 1048576 },
  });
  assert.deepEqual(readWith(recordingsSchema, { maxBytesPerSession: 'lots' }, ['recordings']), {
    ok: false,
    issues: [{ path: ['recordings', 'maxBytesPerSession'], message: '"lots" is not a byte size (an integer, or e.g. 64Mi)' }],
  });
  assert.deepEqual(readWith(recordingsSchema, { cap: 1 }, ['recordings']), {
    ok: false,
    issues: [{ path: ['recordings', 'cap'], message: 'unknown key (expected one of: enabled, maxBytesPerSession)' }],
  });
});
