import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskArgv, maskRequestUri } from './line-masker.js';
import { MASK_MARKER as M } from './marker.js';
import { createMaskContext } from './mask-object.js';
import { DEFAULT_MASK_RULES } from './mask-rules.js';

const GH = 'ghp_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';

test('maskArgv masks each exec argument by the value patterns, as the audit masks them in the request URI', () => {
  const argv = ['printf', `TOKEN=${GH} password=hunter2`, '--db-password=s3cr3t', 'ls', '-la'];
  const ctx = createMaskContext(DEFAULT_MASK_RULES);
  const masked = maskArgv(argv, ctx);
  assert.deepEqual(masked, ['printf', `TOKEN=${M} password=${M}`, `--db-password=${M}`, 'ls', '-la']);
  assert.equal(ctx.counter.masked, 3);
  // The audit's view of the same exec: nothing the URI masker hides is left in the argv.
  const uri = `/api/v1/namespaces/demo/pods/web/exec?${argv.map((a) => `command=${encodeURIComponent(a)}`).join('&')}&stdout=true`;
  const audited = maskRequestUri(uri, createMaskContext(DEFAULT_MASK_RULES));
  for (const clear of ['hunter2', GH, 's3cr3t']) assert.ok(!audited.includes(clear) && !masked.join(' ').includes(clear), clear);
  assert.deepEqual(maskArgv(['sh', '-c', 'echo hello'], createMaskContext(DEFAULT_MASK_RULES)), ['sh', '-c', 'echo hello']);
});

test('maskArgv: a private key block spread over several arguments is masked from BEGIN through END', () => {
  const argv = [
    'printf',
    '%s\\n',
    '-----BEGIN RSA PRIVATE KEY-----',
    'MIIEowIBAAKCAQEAsecretkeybody',
    'c2Vjb25kbGluZQ==',
    '-----END RSA PRIVATE KEY-----',
    'after',
  ];
  const masked = maskArgv(argv, createMaskContext(DEFAULT_MASK_RULES));
  assert.deepEqual(masked, ['printf', '%s\\n', M, M, M, M, 'after']);
  // A block closed inside its own argument does not mask the next ones.
  const whole = maskArgv(['-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----', 'next'], createMaskContext(DEFAULT_MASK_RULES));
  assert.deepEqual(whole, [M, 'next']);
});
