// PATCH semantics: RFC 7386 and RFC 6902 cases, and the strategic merge patch behaviours kubectl
// relies on (list merge keys and directives).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from './patch.js';
import { ApiError } from './status.js';

test('JSON merge patch (RFC 7386 appendix A)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, want] of cases) assert.deepEqual(applyMergePatch(target, patch), want, JSON.stringify(patch));
});

test('JSON patch (RFC 6902): add, remove, replace, move, copy, test', () => {
  const doc = { a: { b: [1, 2] }, c: 'x' };
  assert.deepEqual(
    applyJsonPatch(doc, [
      { op: 'add', path: '/a/b/1', value: 9 },
      { op: 'replace', path: '/c', value: 'y' },
      { op: 'copy', from: '/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e~1f' },
      { op: 'remove', path: '/a/b/0' },
      { op: 'test', path: '/c', value: 'y' },
    ]),
    { a: { b: [9, 2] }, c: 'y', 'e/f': 'y' },
  );
  assert.deepEqual(doc, { a: { b: [1, 2] }, c: 'x' }, 'the input is not modified');
  assert.throws(
    () => applyJsonPatch(doc, [{ op: 'test', path: '/c', value: 'z' }]),
    (e) => e instanceof ApiError && e.code === 422,
  );
  assert.throws(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }]), ApiError);
});

test('strategic merge patch merges containers and env by name (kubectl apply, fixture 14)', () => {
  const live = {
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
            },
            { name: 'side', image: 'busybox' },
          ],
        },
      },
    },
  };
  const patch = {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'side' }, { name: 'web' }],
          containers: [
            {
              name: 'web',
              image: 'nginx:1.28',
              env: [
                { name: 'B', $patch: 'delete' },
                { name: 'C', value: '3' },
              ],
            },
          ],
        },
      },
    },
  };
  assert.deepEqual(applyStrategicMergePatch(live, patch), {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'side', image: 'busybox' },
            {
              name: 'web',
              image: 'nginx:1.28',
              env: [
                { name: 'A', value: '1' },
                { name: 'C', value: '3' },
              ],
            },
          ],
        },
      },
    },
  });
});

test('strategic merge patch directives and list kinds', () => {
  assert.deepEqual(applyStrategicMergePatch({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } }), { m: { c: 3 } });
  assert.deepEqual(applyStrategicMergePatch({ m: { a: 1 }, n: 1 }, { m: { $patch: 'delete' } }), { n: 1 });
  assert.deepEqual(applyStrategicMergePatch({ s: { type: 'A', a: 1, b: 2 } }, { s: { $retainKeys: ['type', 'b'], type: 'B' } }), { s: { type: 'B', b: 2 } });
  assert.deepEqual(applyStrategicMergePatch({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { finalizers: ['c'] } }), {
    metadata: { finalizers: ['a', 'b', 'c'] },
  });
  assert.deepEqual(applyStrategicMergePatch({ metadata: { finalizers: ['a', 'b'] } }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }), {
    metadata: { finalizers: ['b'] },
  });
  assert.deepEqual(applyStrategicMergePatch({ args: ['a', 'b'] }, { args: ['c'] }), { args: ['c'] }, 'lists without a merge key are replaced');
  assert.deepEqual(
    applyStrategicMergePatch({ ports: [{ containerPort: 80, name: 'http' }] }, { ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }] }),
    { ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }] },
  );
  assert.deepEqual(applyStrategicMergePatch({ data: { a: '1' } }, { data: { a: null, b: '2' } }), { data: { b: '2' } });
});
