import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { isHoopError } from '../errors.js';
import { buildKubeconfig, parseKubeconfig, resolveKubeconfigContext } from './kubeconfig.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('buildKubeconfig writes one cluster, user and context, current, with the CA inline and no TLS skip', () => {
  const text = buildKubeconfig({
    name: 'hoopctl-prod',
    server: 'https://127.0.0.1:41234',
    certificateAuthorityPem: PEM,
    token: 'tok',
    namespace: 'demo',
    user: 'alice@prod',
  });
  assert.deepEqual(parse(text), {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'hoopctl-prod', cluster: { server: 'https://127.0.0.1:41234', 'certificate-authority-data': b64(PEM) } }],
    users: [{ name: 'alice@prod', user: { token: 'tok' } }],
    contexts: [{ name: 'hoopctl-prod', context: { cluster: 'hoopctl-prod', user: 'alice@prod', namespace: 'demo' } }],
    'current-context': 'hoopctl-prod',
    preferences: {},
  });
  assert.ok(!text.includes('insecure'));
  const noNs = parse(buildKubeconfig({ name: 'c', server: 'https://127.0.0.1:1', certificateAuthorityPem: PEM, token: 't', user: 'u' })) as {
    contexts: { context: object }[];
  };
  assert.deepEqual(noNs.contexts[0]?.context, { cluster: 'c', user: 'u' });
});

test('buildKubeconfig round-trips through resolveKubeconfigContext', () => {
  const text = buildKubeconfig({ name: 'c', server: 'https://127.0.0.1:9', certificateAuthorityPem: PEM, token: 'secret', namespace: 'ns', user: 'u' });
  assert.deepEqual(resolveKubeconfigContext(parseKubeconfig(text)), {
    context: 'c',
    server: 'https://127.0.0.1:9',
    caPem: PEM,
    insecureSkipTlsVerify: false,
    token: 'secret',
    namespace: 'ns',
  });
});

test('buildKubeconfig refuses a non-PEM CA and a non-URL server', () => {
  assert.throws(() => buildKubeconfig({ name: 'c', server: 'https://x', certificateAuthorityPem: 'nope', token: 't', user: 'u' }));
  assert.throws(() => buildKubeconfig({ name: 'c', server: '127.0.0.1:1', certificateAuthorityPem: PEM, token: 't', user: 'u' }));
});

const admin = `
apiVersion: v1
kind: Config
current-context: admin
clusters:
  - name: prod
    cluster: { server: 'https://prod:6443', certificate-authority-data: ${b64(PEM)}, tls-server-name: api.prod }
  - name: files
    cluster: { server: 'https://files:6443', certificate-authority: ca.crt, insecure-skip-tls-verify: true }
users:
  - name: admin
    user: { client-certificate-data: ${b64('CERT')}, client-key-data: ${b64('KEY')} }
  - name: sa
    user: { tokenFile: /var/run/token }
  - name: filecert
    user: { client-certificate: a.crt, client-key: a.key }
  - name: plugin
    user: { exec: { command: aws } }
  - name: pluginv1
    user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: aws } }
  - name: pluginalways
    user: { exec: { apiVersion: client.authentication.k8s.io/v1, command: aws, interactiveMode: Always } }
  - name: eks
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: aws
        args: [eks, get-token, --cluster-name, prod]
        env: [{ name: AWS_PROFILE, value: ops }]
        provideClusterInfo: true
        installHint: install the AWS CLI
  - name: halfcert
    user: { client-certificate-data: ${b64('CERT')} }
  - name: nothing
    user: {}
contexts:
  - { name: admin, context: { cluster: prod, user: admin, namespace: kube-system } }
  - { name: sa, context: { cluster: files, user: sa } }
  - { name: filecert, context: { cluster: files, user: filecert } }
  - { name: plugin, context: { cluster: prod, user: plugin } }
  - { name: pluginv1, context: { cluster: prod, user: pluginv1 } }
  - { name: pluginalways, context: { cluster: prod, user: pluginalways } }
  - { name: eks, context: { cluster: prod, user: eks } }
  - { name: halfcert, context: { cluster: prod, user: halfcert } }
  - { name: nothing, context: { cluster: prod, user: nothing } }
  - { name: dangling, context: { cluster: gone, user: admin } }
`;

test('resolveKubeconfigContext decodes data fields and returns file fields as paths', () => {
  const config = parseKubeconfig(admin, 'admin.kubeconfig');
  assert.deepEqual(resolveKubeconfigContext(config), {
    context: 'admin',
    server: 'https://prod:6443',
    caPem: PEM,
    insecureSkipTlsVerify: false,
    tlsServerName: 'api.prod',
    clientCertPem: 'CERT',
    clientKeyPem: 'KEY',
    namespace: 'kube-system',
  });
  assert.deepEqual(resolveKubeconfigContext(config, 'sa'), {
    context: 'sa',
    server: 'https://files:6443',
    caFile: 'ca.crt',
    insecureSkipTlsVerify: true,
    tokenFile: '/var/run/token',
  });
  assert.deepEqual(resolveKubeconfigContext(config, 'filecert'), {
    context: 'filecert',
    server: 'https://files:6443',
    caFile: 'ca.crt',
    insecureSkipTlsVerify: true,
    clientCertFile: 'a.crt',
    clientKeyFile: 'a.key',
  });
});

test('resolveKubeconfigContext reads an exec credential plugin (client.authentication.k8s.io)', () => {
  const config = parseKubeconfig(admin, 'admin.kubeconfig');
  assert.deepEqual(resolveKubeconfigContext(config, 'eks').exec, {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: 'aws',
    args: ['eks', 'get-token', '--cluster-name', 'prod'],
    env: [{ name: 'AWS_PROFILE', value: 'ops' }],
    provideClusterInfo: true,
    installHint: 'install the AWS CLI',
  });
});

test('resolveKubeconfigContext errors are config_invalid and name the context', () => {
  const config = parseKubeconfig(admin, 'admin.kubeconfig');
  const cases: [context: string, part: string][] = [
    ['missing', 'no such context (contexts: admin, sa'],
    ['plugin', 'exec.apiVersion must be one of'],
    ['pluginv1', 'exec.interactiveMode is required'],
    ['pluginalways', 'no terminal to prompt on'],
    ['halfcert', 'without its key'],
    ['nothing', 'no token, token file, client certificate or exec plugin'],
    ['dangling', 'cluster "gone" is not defined'],
  ];
  for (const [context, part] of cases) {
    assert.throws(
      () => resolveKubeconfigContext(config, context),
      (e: unknown) => isHoopError(e, 'config_invalid') && e.message.startsWith(`admin.kubeconfig: context "${context}": `) && e.message.includes(part),
      context,
    );
  }
  assert.throws(
    () => resolveKubeconfigContext(parseKubeconfig('clusters: []')),
    (e: unknown) => isHoopError(e, 'config_invalid') && e.message.includes('no current-context'),
  );
});

test('parseKubeconfig rejects what is not a kubeconfig', () => {
  for (const text of ['{', '- a', 'clusters: x', 'users: [{ name: a }]', 'contexts: [{name: a, context: {}}, {name: a, context: {}}]']) {
    assert.throws(
      () => parseKubeconfig(text, 'k'),
      (e: unknown) => isHoopError(e, 'config_invalid') && e.message.startsWith('k: '),
      text,
    );
  }
});
