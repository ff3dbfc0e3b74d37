import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigFields } from './config-fields.js';
import { DEFAULT_MAX_RECORDING_BYTES, parseByteSize, readRecordings } from './config-recordings.js';

test('byte sizes: integers and Kubernetes-style suffixes; anything else is refused', () => {
  assert.deepEqual(['1024', 2048, '512Ki', '64Mi', '1Gi', '10KiB', '3M'].map(parseByteSize), [1024, 2048, 524288, 67108864, 1073741824, 10240, 3_000_000]);
  assert.deepEqual([0, -1, '1.5Mi', '10 parsecs', '', null].map(parseByteSize), [undefined, undefined, undefined, undefined, undefined, undefined]);
});

test('recordings: defaults when absent; a bad cap names its path', () => {
  const f = new ConfigFields('/etc/gw.yaml');
  assert.deepEqual(readRecordings(f, {}), { enabled: true, maxBytesPerSession: DEFAULT_MAX_RECORDING_BYTES });
  assert.deepEqual(readRecordings(f, { recordings: { enabled: false, maxBytesPerSession: '1Mi' } }), { enabled: false, maxBytesPerSession: 1048576 });
  assert.throws(() => readRecordings(f, { recordings: { maxBytesPerSession: 'lots' } }), /recordings\.maxBytesPerSession/);
  assert.throws(() => readRecordings(f, { recordings: { cap: 1 } }), /cap/);
});
