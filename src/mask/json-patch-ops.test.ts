import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusedJsonPatchOp } from './json-patch-ops.js';

test('refusedJsonPatchOp refuses copy, move and test outside the concurrency fields (attack finding F1)', () => {
  const refused: unknown[] = [
    [{ op: 'copy', from: '/data/pw', path: '/metadata/annotations/leak' }],
    [{ op: 'replace', path: '/data/a', value: 'x' }, { op: 'move', from: '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration', path: '/metadata/annotations/x' }],
    [{ op: 'COPY', from: '/spec/containers/0/env/0/value', path: '/metadata/annotations/leak' }],
    [{ op: 'test', path: '/data/pw', value: 'Z3Vlc3M=' }],
  ];
  for (const body of refused) assert.ok(refusedJsonPatchOp(body) !== undefined, JSON.stringify(body));
  const allowed: unknown[] = [
    [{ op: 'replace', path: '/metadata/managedFields', value: [] }, { op: 'replace', path: '/metadata/resourceVersion', value: '5' }],
    [{ op: 'test', path: '/metadata/resourceVersion', value: '5' }, { op: 'remove', path: '/data/a' }, { op: 'add', path: '/data/b', value: 'eA==' }],
    { data: { a: 'merge patch, not a JSON patch' } },
  ];
  for (const body of allowed) assert.equal(refusedJsonPatchOp(body), undefined, JSON.stringify(body));
});
