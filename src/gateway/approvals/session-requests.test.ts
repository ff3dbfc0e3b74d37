import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimScopeProblem, type ClaimAsk } from './session-requests.js';

const inDemo = { id: 'r1', role: 'edit', namespace: 'demo', ttlSeconds: 1800, summary: 'role edit for 30m (namespace demo)' };
const clusterWide = { ...inDemo, namespace: null, summary: 'role edit for 30m' };

test('claimScopeProblem: a claim opens the approved session or a narrower one, never another', () => {
  const cases: [string, typeof inDemo | typeof clusterWide, ClaimAsk, RegExp | undefined][] = [
    ['nothing asked: the approved scope', inDemo, {}, undefined],
    ['the same namespace', inDemo, { namespace: 'demo' }, undefined],
    ['empty namespace means none asked', inDemo, { namespace: '' }, undefined],
    ['the same role', inDemo, { role: 'edit' }, undefined],
    ['a shorter TTL', inDemo, { ttlSeconds: 600 }, undefined],
    ['the approved TTL', inDemo, { ttlSeconds: 1800 }, undefined],
    ['another namespace', inDemo, { namespace: 'prod' }, /^request r1 approved role edit for 30m \(namespace demo\), not namespace "prod"$/],
    ['another role', inDemo, { role: 'admin' }, /not role "admin"/],
    ['a longer TTL', inDemo, { ttlSeconds: 1801 }, /not 1801s/],
    ['a cluster-wide approval may be narrowed to a namespace', clusterWide, { namespace: 'demo' }, undefined],
    ['a cluster-wide approval does not lend another role', clusterWide, { role: 'admin', namespace: 'demo' }, /not role "admin"/],
  ];
  for (const [name, approved, ask, want] of cases) {
    const got = claimScopeProblem(approved, ask);
    if (want === undefined) assert.equal(got, undefined, name);
    else assert.match(got ?? '', want, name);
  }
});
