import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyRequest } from '../kube/request-info.js';
import { namespaceScopeRefusal } from './namespace-scope.js';

test("namespaceScopeRefusal: the session's namespaces bound every resource request", () => {
  const cases: [string, readonly string[] | undefined, string, string, RegExp | undefined][] = [
    ['no scope', undefined, 'GET', '/api/v1/namespaces/other/pods', undefined],
    ['empty scope is no scope', [], 'GET', '/api/v1/pods', undefined],
    ['inside', ['demo'], 'GET', '/api/v1/namespaces/demo/pods', undefined],
    ['inside, a subresource', ['demo'], 'POST', '/api/v1/namespaces/demo/pods/web/exec', undefined],
    ['a Namespace object is inside itself', ['demo'], 'GET', '/api/v1/namespaces/demo', undefined],
    ['its status too', ['demo'], 'PUT', '/api/v1/namespaces/demo/status', undefined],
    ['another namespace', ['demo'], 'GET', '/api/v1/namespaces/prod/secrets', /limited to namespace "demo", not namespace "prod"/],
    ['another Namespace object', ['demo'], 'DELETE', '/api/v1/namespaces/prod', /not namespace "prod"/],
    ['all namespaces', ['demo'], 'GET', '/api/v1/secrets', /across all namespaces/],
    ['watch across namespaces', ['demo'], 'GET', '/api/v1/pods?watch=1', /across all namespaces/],
    ['listing namespaces', ['demo'], 'GET', '/api/v1/namespaces', /across all namespaces/],
    ['cluster-scoped get', ['demo'], 'GET', '/api/v1/nodes/n1', /a request on cluster-scoped resources is outside it/],
    ['creating a namespace', ['demo'], 'POST', '/api/v1/namespaces', /cluster-scoped/],
    ['RBAC cluster-wide', ['demo'], 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', /cluster-scoped/],
    ['several namespaces', ['a', 'b'], 'GET', '/api/v1/namespaces/c/pods', /limited to namespaces "a", "b", not namespace "c"/],
    ['several, inside', ['a', 'b'], 'GET', '/api/v1/namespaces/b/pods', undefined],
    ['discovery is not namespaced', ['demo'], 'GET', '/apis/apps/v1', undefined],
    ['kubectl auth whoami asks about oneself', ['demo'], 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', undefined],
    ['kubectl auth can-i asks about oneself', ['demo'], 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', undefined],
    ['kubectl auth can-i --list', ['demo'], 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', undefined],
    ['asking about someone else is not a self review', ['demo'], 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', /cluster-scoped/],
    ['a self review in another group is not one', ['demo'], 'POST', '/apis/evil.example.com/v1/selfsubjectreviews', /cluster-scoped/],
    ['version', ['demo'], 'GET', '/version', undefined],
  ];
  for (const [name, scope, method, path, want] of cases) {
    const info = classifyRequest(method, path);
    if ('refused' in info) throw new Error(`${name}: ${info.reason}`);
    const got = namespaceScopeRefusal(scope, info);
    if (want === undefined) assert.equal(got, undefined, name);
    else assert.match(got ?? '', want, name);
  }
});
