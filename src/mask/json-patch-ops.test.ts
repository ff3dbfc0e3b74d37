import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusedJsonPatchOp } from './json-patch-ops.js';

test('refusedJsonPatchOp refuses copy, move and test outside the concurrency fields (attack finding F1)', () => {
  const refused: unknown[] = [
    [{ op: 'copy', from: '/data/pw', path: '/metadata/annotations/leak' }],
    [
      { op: 'replace', path: '/data/a', value: 'x' },
      { op: 'move', from: '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration', path: '/metadata/annotations/x' },
    ],
    [{ op: 'COPY', from: '/spec/containers/0/env/0/value', path: '/metadata/annotations/leak' }],
    [{ op: 'test', path: '/data/pw', value: 'Z3Vlc3M=' }],
  ];
  for (const body of refused) assert.ok(refusedJsonPatchOp(body) !== undefined, JSON.stringify(body));
  const allowed: unknown[] = [
    [
      { op: 'replace', path: '/metadata/managedFields', value: [] },
      { op: 'replace', path: '/metadata/resourceVersion', value: '5' },
    ],
    [
      { op: 'test', path: '/metadata/resourceVersion', value: '5' },
      { op: 'remove', path: '/data/a' },
      { op: 'add', path: '/data/b', value: 'eA==' },
    ],
    { data: { a: 'merge patch, not a JSON patch' } },
  ];
  for (const body of allowed) assert.equal(refusedJsonPatchOp(body), undefined, JSON.stringify(body));
});

test('refusedJsonPatchOp refuses renaming an env entry or changing the kind, which masking decisions rest on (attack finding 1)', () => {
  const env = '/spec/template/spec/containers/0/env/0';
  const refused: unknown[] = [
    [{ op: 'replace', path: `${env}/name`, value: 'PLAIN' }],
    [{ op: 'add', path: `${env}/name`, value: 'PLAIN' }],
    [{ op: 'remove', path: `${env}/name` }],
    [{ op: 'Replace', path: '/spec/initContainers/1/ENV/00/Name', value: 'PLAIN' }],
    [
      { op: 'add', path: '/metadata/labels/a', value: 'b' },
      { op: 'replace', path: '/spec/containers/0/env/3/name', value: 'X' },
    ],
    [{ op: 'replace', path: '/kind', value: 'ConfigMap' }],
    [{ op: 'remove', path: '/apiVersion' }],
  ];
  for (const body of refused) {
    const why = refusedJsonPatchOp(body);
    assert.ok(why !== undefined, JSON.stringify(body));
  }
  assert.match(refusedJsonPatchOp(refused[0])!, /replace the whole entry with its value/);
  const allowed: unknown[] = [
    [{ op: 'replace', path: `${env}/value`, value: 'new' }],
    [{ op: 'replace', path: env, value: { name: 'PLAIN', value: 'new' } }],
    [{ op: 'remove', path: env }],
    [{ op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'A', value: 'b' } }],
    [{ op: 'replace', path: '/spec/template/spec/containers/0/name', value: 'web2' }],
    [
      { op: 'replace', path: '/metadata/name', value: 'x' },
      { op: 'replace', path: '/spec/kind', value: 'y' },
    ],
  ];
  for (const body of allowed) assert.equal(refusedJsonPatchOp(body), undefined, JSON.stringify(body));
});
