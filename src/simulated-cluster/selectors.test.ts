// Label and field selectors, table-driven.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from './object-store.js';
import { findResource } from './registry.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiError } from './status.js';
import { humanDuration } from './table-printers.js';

const obj = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'demo', labels },
  ...extra,
});
const objects = [
  obj('a', { app: 'web', tier: 'front' }, { status: { phase: 'Running' } }),
  obj('b', { app: 'web', tier: 'back' }, { status: { phase: 'Pending' } }),
  obj('c', { app: 'db' }),
];
const pods = findResource('', 'v1', 'pods')!;

test('label selectors select what kube-apiserver selects', () => {
  const cases: [string, string[]][] = [
    ['', ['a', 'b', 'c']],
    ['app=web', ['a', 'b']],
    ['app==web,tier!=back', ['a']],
    ['tier', ['a', 'b']],
    ['!tier', ['c']],
    ['tier in (front, back),app notin (db)', ['a', 'b']],
    ['tier notin (front)', ['b', 'c']],
  ];
  for (const [selector, want] of cases) {
    const s = parseLabelSelector(selector);
    assert.deepEqual(
      objects.filter(s).map((o) => o.metadata.name),
      want,
      selector,
    );
  }
  assert.throws(
    () => parseLabelSelector('app in web'),
    (e) => e instanceof ApiError && e.code === 400,
  );
});

test('field selectors: metadata fields everywhere, resource fields where kube supports them', () => {
  assert.deepEqual(
    objects.filter(parseFieldSelector(pods, 'metadata.name=b')).map((o) => o.metadata.name),
    ['b'],
  );
  assert.deepEqual(
    objects.filter(parseFieldSelector(pods, 'metadata.namespace=demo,status.phase!=Running')).map((o) => o.metadata.name),
    ['b', 'c'],
  );
  assert.throws(
    () => parseFieldSelector(findResource('', 'v1', 'configmaps')!, 'status.phase=Running'),
    (e) => e instanceof ApiError && e.status.message === 'field label not supported: status.phase',
  );
});

test('ages print like Go duration.HumanDuration', () => {
  const s = 1000;
  const cases: [number, string][] = [
    [-5 * s, '<invalid>'],
    [0, '0s'],
    [119 * s, '119s'],
    [150 * s, '2m30s'],
    [600 * s, '10m'],
    [3 * 3600 * s + 60 * s, '3h1m'],
    [9 * 3600 * s, '9h'],
    [50 * 3600 * s, '2d2h'],
    [72 * 3600 * s, '3d'],
    [400 * 86400 * s, '400d'],
    [3 * 365 * 86400 * s + 86400 * s, '3y1d'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});
