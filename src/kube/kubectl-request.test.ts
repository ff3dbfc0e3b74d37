import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from '../errors.js';
import { kubectlToRequest } from './kubectl-request.js';

test('kubectlToRequest: kubectl words to the request that decides them', () => {
  const cases: [words: string, method: string, path: string][] = [
    ['get pods -n demo', 'GET', '/api/v1/namespaces/demo/pods'],
    ['get pods', 'GET', '/api/v1/namespaces/default/pods'],
    ['get pods -A', 'GET', '/api/v1/pods'],
    ['get po web --namespace=demo', 'GET', '/api/v1/namespaces/demo/pods/web'],
    ['get pod/web -n demo', 'GET', '/api/v1/namespaces/demo/pods/web'],
    ['get pods -n demo -w', 'GET', '/api/v1/namespaces/demo/pods?watch=true'],
    ['get pod web -n demo -w', 'GET', '/api/v1/namespaces/demo/pods?fieldSelector=metadata.name%3Dweb&watch=true'],
    ['get ns', 'GET', '/api/v1/namespaces'],
    ['get deploy -n demo -l app=web', 'GET', '/apis/apps/v1/namespaces/demo/deployments?labelSelector=app%3Dweb'],
    ['describe secret db -n demo', 'GET', '/api/v1/namespaces/demo/secrets/db'],
    ['delete namespace x', 'DELETE', '/api/v1/namespaces/x'],
    ['delete cm --all -n demo', 'DELETE', '/api/v1/namespaces/demo/configmaps'],
    ['create namespace x', 'POST', '/api/v1/namespaces'],
    ['create secret generic s -n demo --from-literal=a=b', 'POST', '/api/v1/namespaces/demo/secrets'],
    ['create deployment web --image=nginx -n demo', 'POST', '/apis/apps/v1/namespaces/demo/deployments'],
    ['scale deployment web --replicas 3 -n demo', 'PATCH', '/apis/apps/v1/namespaces/demo/deployments/web/scale'],
    ['label pod web a=b -n demo', 'PATCH', '/api/v1/namespaces/demo/pods/web'],
    ['replace clusterrole view', 'PUT', '/apis/rbac.authorization.k8s.io/v1/clusterroles/view'],
    ['get widgets.example.com -n demo', 'GET', '/apis/example.com/v1/namespaces/demo/widgets'],
    ['exec -n demo web -- sh', 'GET', '/api/v1/namespaces/demo/pods/web/exec?command=sh'],
    ['exec -it -n demo pod/web -c main -- ls -l', 'GET', '/api/v1/namespaces/demo/pods/web/exec?command=ls&command=-l'],
    ['attach web -n demo', 'GET', '/api/v1/namespaces/demo/pods/web/attach'],
    ['port-forward web 8080:80 -n demo', 'POST', '/api/v1/namespaces/demo/pods/web/portforward'],
    ['debug web -n demo --image=busybox', 'PATCH', '/api/v1/namespaces/demo/pods/web/ephemeralcontainers'],
    ['logs web', 'GET', '/api/v1/namespaces/default/pods/web/log'],
    ['logs -f web -n demo -c main', 'GET', '/api/v1/namespaces/demo/pods/web/log?follow=true&container=main'],
    ['auth whoami', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews'],
    ['version', 'GET', '/version'],
  ];
  for (const [words, method, path] of cases) {
    assert.deepEqual(kubectlToRequest(words.split(' ')), { method, path }, words);
  }
});

test('kubectlToRequest: what it cannot translate is a usage error', () => {
  for (const words of ['apply -f x.yaml', '', 'get', 'get pods,svc', 'get frobs', 'exec deploy/web -- sh', 'edit deploy', 'logs']) {
    assert.throws(
      () => kubectlToRequest(words === '' ? [] : words.split(' ')),
      (e: unknown) => isHoopError(e, 'usage'),
      words,
    );
  }
});
