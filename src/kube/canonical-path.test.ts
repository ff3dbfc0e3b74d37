import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCanonicalPath } from './canonical-path.js';

test('parseCanonicalPath: the decoded path is what Go puts in url.URL.Path, trailing slash kept', () => {
  const cases: [target: string, path: string, decodedPath: string, segments: string[], trailingSlash: boolean][] = [
    ['/', '/', '/', [], false],
    ['/version', '/version', '/version', ['version'], false],
    ['/version/', '/version/', '/version/', ['version'], true],
    [
      '/api/v1/namespaces/demo/pods/?watch=True',
      '/api/v1/namespaces/demo/pods/',
      '/api/v1/namespaces/demo/pods/',
      ['api', 'v1', 'namespaces', 'demo', 'pods'],
      true,
    ],
    ['/%64ebug/pprof', '/%64ebug/pprof', '/debug/pprof', ['debug', 'pprof'], false],
    ['/api/v1/namespaces/d%65mo/', '/api/v1/namespaces/d%65mo/', '/api/v1/namespaces/demo/', ['api', 'v1', 'namespaces', 'demo'], true],
  ];
  for (const [target, path, decodedPath, segments, trailingSlash] of cases) {
    const got = parseCanonicalPath(target);
    assert.ok(!('refused' in got), `${target}: ${'refused' in got ? got.reason : ''}`);
    assert.deepEqual(
      { path: got.path, decodedPath: got.decodedPath, segments: got.segments, trailingSlash: got.trailingSlash },
      { path, decodedPath, segments, trailingSlash },
      target,
    );
  }
});

test('parseCanonicalPath: what kube-apiserver could read differently from the gateway is refused', () => {
  // kube trims every leading and trailing "/" (splitPath), Go's mux may clean "..": only one trailing "/" is harmless.
  for (const target of ['//version', '/version//', '/api/v1//pods/', '/api/v1/pods/../secrets/', '/api/v1/pods/%2F', '/api/v1/pods/%2e/', '/a%25/', '/./']) {
    assert.ok('refused' in parseCanonicalPath(target), `${target} was accepted`);
  }
});

test('parseCanonicalPath: query values decode like Go url.ParseQuery', () => {
  const got = parseCanonicalPath('/api/v1/pods?watch=True&labelSelector=a%3Db+c&empty');
  assert.ok(!('refused' in got));
  assert.deepEqual(
    [...got.query],
    [
      ['watch', ['True']],
      ['labelSelector', ['a=b c']],
      ['empty', ['']],
    ],
  );
});
