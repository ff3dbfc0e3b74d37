import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from '../errors.js';
import { buildSessionClaims, checkSessionClaims } from './session-claims.js';

const NOW = 1_800_000_000;
const base = { issuer: 'https://gw', user: 'alice', groups: ['dev'], sessionId: 's1', connection: 'prod', nowSeconds: NOW, ttlSeconds: 900, jti: 'j1' };

test('buildSessionClaims', () => {
  assert.deepEqual(buildSessionClaims(base), {
    iss: 'https://gw',
    aud: 'hoopctl-session',
    sub: 'alice',
    groups: ['dev'],
    sid: 's1',
    conn: 'prod',
    iat: NOW,
    exp: NOW + 900,
    jti: 'j1',
  });
  const scoped = buildSessionClaims({ ...base, namespace: 'demo', role: 'edit' });
  assert.equal(scoped.ns, 'demo');
  assert.equal(scoped.role, 'edit');
});

test('checkSessionClaims accepts what buildSessionClaims made until it expires', () => {
  const claims = buildSessionClaims({ ...base, role: 'edit' });
  assert.deepEqual(checkSessionClaims(JSON.parse(JSON.stringify(claims)), NOW + 899), claims);
  assert.throws(
    () => checkSessionClaims(claims, NOW + 900),
    (e: unknown) => isHoopError(e, 'session_expired') && e.hint === 'run hoopctl connect prod',
  );
});

test('checkSessionClaims refuses malformed claim sets', () => {
  const good = buildSessionClaims(base) as unknown as Record<string, unknown>;
  const bad: [string, unknown][] = [
    ['null', null],
    ['array', []],
    ['no sub', { ...good, sub: undefined }],
    ['empty conn', { ...good, conn: '' }],
    ['other audience', { ...good, aud: 'kubernetes' }],
    ['groups not strings', { ...good, groups: [1] }],
    ['role not string', { ...good, role: 5 }],
    ['exp fractional', { ...good, exp: NOW + 0.5 }],
    ['exp before iat', { ...good, exp: NOW - 1 }],
  ];
  for (const [label, claims] of bad) {
    assert.throws(
      () => checkSessionClaims(claims, NOW),
      (e: unknown) => isHoopError(e, 'gateway_error'),
      label,
    );
  }
});
