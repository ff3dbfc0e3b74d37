import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { loadGatewayConfig } from './config.js';
import { isHoopError } from '../errors.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KUBECONFIG = stringify({
  apiVersion: 'v1',
  kind: 'Config',
  'current-context': 'admin@prod',
  clusters: [{ name: 'prod', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': Buffer.from(CA).toString('base64') } }],
  users: [{ name: 'admin', user: { token: 'held-token' } }],
  contexts: [{ name: 'admin@prod', context: { cluster: 'prod', user: 'admin' } }],
});
const POLICY = {
  roles: [{ name: 'view', rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], namespaces: ['*'] }] }],
  bindings: [{ groups: ['dev'], connections: ['prod'], roles: ['view'] }],
};

function base(): Record<string, unknown> {
  return {
    oidc: { issuers: [{ issuer: 'http://127.0.0.1:9000', clientId: 'hoopctl' }] },
    connections: [{ name: 'prod', credential: { kubeconfig: './admin.kubeconfig', context: 'admin@prod' } }],
    policy: POLICY,
  };
}

function load(doc: unknown, extraFiles: Record<string, string> = {}, env: Record<string, string> = {}) {
  const files: Record<string, string> = {
    '/etc/hoop/gw.yaml': typeof doc === 'string' ? doc : stringify(doc),
    '/etc/hoop/admin.kubeconfig': KUBECONFIG,
    '/etc/hoop/ca.pem': CA,
    '/etc/hoop/token': 'tok\n',
    ...extraFiles,
  };
  return loadGatewayConfig('/etc/hoop/gw.yaml', {
    env,
    readFile: async (p) => {
      const v = files[p];
      if (v === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
      return v;
    },
  });
}

test('a minimal config gets its defaults and resolves the kubeconfig credential', async () => {
  const cfg = await load(base());
  assert.deepEqual(cfg.listen, { host: '127.0.0.1', port: 8080 });
  assert.equal(cfg.publicUrl, 'http://127.0.0.1:8080');
  assert.equal(cfg.store.sqlite, '/etc/hoop/hoopctl-gateway.db');
  assert.deepEqual(cfg.impersonation, { userPrefix: 'oidc:', groupPrefix: 'oidc:' });
  assert.deepEqual(cfg.sessions, { defaultTtlSeconds: 900, maxTtlSeconds: 3600 });
  const issuer = cfg.oidc.issuers[0]!;
  assert.equal(issuer.cli, true);
  assert.equal(issuer.groupsClaim, 'groups');
  assert.equal(issuer.usernameClaim, undefined);
  const prod = cfg.connections[0]!;
  assert.equal(prod.server, 'https://10.0.0.1:6443');
  assert.equal(prod.caPem, CA);
  assert.deepEqual(prod.credential, { kind: 'token', token: 'held-token' });
  assert.equal(prod.impersonate, true);
  assert.equal(prod.maxTtlSeconds, 3600);
});

test('tokenFile, explicit server/CA, connection TTLs and inCluster', async () => {
  const doc = base();
  doc.connections = [
    {
      name: 'a',
      server: 'https://a.example:6443',
      certificateAuthority: 'ca.pem',
      credential: { tokenFile: 'token' },
      defaultTtl: '5m',
      maxTtl: '30m',
      impersonate: false,
    },
    { name: 'b', credential: { inCluster: true } },
  ];
  const cfg = await load(
    doc,
    {
      '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt': CA,
      '/var/run/secrets/kubernetes.io/serviceaccount/token': 'sa',
    },
    { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' },
  );
  assert.deepEqual(cfg.connections[0]!.credential, { kind: 'tokenFile', path: '/etc/hoop/token' });
  assert.equal(cfg.connections[0]!.defaultTtlSeconds, 300);
  assert.equal(cfg.connections[0]!.impersonate, false);
  assert.equal(cfg.connections[1]!.server, 'https://10.96.0.1');
  assert.deepEqual(cfg.connections[1]!.credential, { kind: 'tokenFile', path: '/var/run/secrets/kubernetes.io/serviceaccount/token' });
});

const BAD: [string, (d: Record<string, any>) => unknown, RegExp][] = [
  ['unknown top-level key', (d) => ({ ...d, conections: [] }), /gw\.yaml: conections: unknown key/],
  ['non-loopback listen', (d) => ({ ...d, listen: '0.0.0.0:8080' }), /gw\.yaml: listen: 0\.0\.0\.0 is not a loopback address/],
  ['bad listen', (d) => ({ ...d, listen: 'localhost' }), /gw\.yaml: listen: must be host:port/],
  [
    'http issuer off loopback',
    (d) => ({ ...d, oidc: { issuers: [{ issuer: 'http://idp.example', clientId: 'x' }] } }),
    /oidc\.issuers\[0\]\.issuer: must be https/,
  ],
  [
    'two cli issuers',
    (d) => ({
      ...d,
      oidc: {
        issuers: [
          { issuer: 'https://a', clientId: 'x', cli: true },
          { issuer: 'https://b', clientId: 'y', cli: true },
        ],
      },
    }),
    /oidc\.issuers: exactly one issuer must have cli: true \(found 2\)/,
  ],
  ['missing clientId', (d) => ({ ...d, oidc: { issuers: [{ issuer: 'https://a' }] } }), /oidc\.issuers\[0\]\.clientId: is required/],
  ['system: prefix', (d) => ({ ...d, impersonation: { userPrefix: 'system:' } }), /impersonation\.userPrefix: must not start with "system:"/],
  ['bad duration', (d) => ({ ...d, sessions: { maxTtl: '1 hour' } }), /sessions\.maxTtl: invalid duration/],
  ['missing credential', (d) => ({ ...d, connections: [{ name: 'prod' }] }), /connections\[0\]\.credential: is required/],
  [
    'unknown context in second connection',
    (d) => ({ ...d, connections: [d.connections[0], { name: 'dev', credential: { kubeconfig: 'admin.kubeconfig', context: 'nope' } }] }),
    /gw\.yaml: connections\[1\]\.credential\.context: .*context "nope": no such context/,
  ],
  [
    'missing kubeconfig file',
    (d) => ({ ...d, connections: [{ name: 'prod', credential: { kubeconfig: 'missing.kubeconfig' } }] }),
    /connections\[0\]\.credential\.kubeconfig: cannot read \/etc\/hoop\/missing\.kubeconfig: ENOENT/,
  ],
  [
    'two credential kinds',
    (d) => ({ ...d, connections: [{ name: 'prod', credential: { kubeconfig: 'admin.kubeconfig', tokenFile: 'token' } }] }),
    /connections\[0\]\.credential: needs exactly one of kubeconfig, inCluster, tokenFile \(got kubeconfig, tokenFile\)/,
  ],
  [
    'duplicate connection',
    (d) => ({ ...d, connections: [d.connections[0], d.connections[0]] }),
    /connections\[1\]\.name: "prod" is used by an earlier connection/,
  ],
  ['bad connection name', (d) => ({ ...d, connections: [{ ...d.connections[0], name: 'Prod_1' }] }), /connections\[0\]\.name: "Prod_1" must be lower-case/],
  [
    'http server off loopback',
    (d) => ({ ...d, connections: [{ name: 'x', server: 'http://10.0.0.1', credential: { tokenFile: 'token' } }] }),
    /connections\[0\]\.server: must be https/,
  ],
  ['default over max', (d) => ({ ...d, connections: [{ ...d.connections[0], defaultTtl: '2h' }] }), /connections\[0\]\.defaultTtl: is longer than maxTtl/],
  [
    'inCluster outside a pod',
    (d) => ({ ...d, connections: [{ name: 'x', credential: { inCluster: true } }] }),
    /connections\[0\]\.credential\.inCluster: KUBERNETES_SERVICE_HOST/,
  ],
  [
    'bad policy rule',
    (d) => ({ ...d, policy: { ...POLICY, bindings: [{ groups: ['dev'], connections: ['prod'], roles: ['nope'] }] } }),
    /gw\.yaml: policy\.bindings\[0\]\.roles/,
  ],
  ['no policy', (d) => ({ ...d, policy: undefined }), /gw\.yaml: policy: is required/],
  ['not YAML', () => 'listen: [', /gw\.yaml: line 1, column 10: not valid YAML: Flow sequence/],
];

for (const [name, mutate, expected] of BAD) {
  test(`config error names file and path: ${name}`, async () => {
    await assert.rejects(load(mutate(base())), (e: unknown) => {
      assert.ok(isHoopError(e, 'config_invalid'), `expected config_invalid, got ${String(e)}`);
      assert.match(e.message, /^\/etc\/hoop\/gw\.yaml: /);
      assert.match(e.message, expected);
      return true;
    });
  });
}

test('allowNonLoopback opens other hosts; a missing config file is config_invalid', async () => {
  const cfg = await load({ ...base(), listen: '0.0.0.0:9443', allowNonLoopback: true, publicUrl: 'https://hoop.example.com/' });
  assert.equal(cfg.listen.host, '0.0.0.0');
  assert.equal(cfg.publicUrl, 'https://hoop.example.com');
  await assert.rejects(
    loadGatewayConfig('/nope.yaml', {
      env: {},
      readFile: async () => {
        throw Object.assign(new Error('x'), { code: 'ENOENT' });
      },
    }),
    (e: unknown) => isHoopError(e, 'config_invalid') && /\/nope\.yaml: ENOENT/.test(e.message),
  );
});

test('store.postgres: url or urlEnv, validated by path, the password never in a message', async () => {
  const pg = (postgres: unknown, env: Record<string, string> = {}) => load({ ...base(), store: { postgres } }, {}, env);
  assert.deepEqual((await pg({ url: 'postgres://gw:s3cret@db:5432/hoop' })).store.postgres, { url: 'postgres://gw:s3cret@db:5432/hoop', maxConnections: 10 });
  assert.deepEqual((await pg({ urlEnv: 'DB_URL', maxConnections: 4 }, { DB_URL: 'postgresql://db/hoop' })).store.postgres, {
    url: 'postgresql://db/hoop',
    maxConnections: 4,
  });
  assert.equal((await load(base())).store.postgres, undefined, 'SQLite stays the default');
  const bad: [unknown, RegExp, Record<string, string>?][] = [
    [{}, /store\.postgres: set exactly one of url or urlEnv/],
    [{ url: 'postgres://db/x', urlEnv: 'DB_URL' }, /store\.postgres: set exactly one of url or urlEnv/],
    [{ urlEnv: 'DB_URL' }, /store\.postgres\.urlEnv: environment variable DB_URL is not set/],
    [{ url: 'mysql://gw:s3cret@db/x' }, /store\.postgres\.url: must be a postgres:\/\/ URL, got mysql:\/\/…$/],
    [{ urlEnv: 'DB_URL' }, /store\.postgres\.urlEnv: is not a URL/, { DB_URL: 's3cret nonsense' }],
    [{ url: 'postgres://db/x', maxConnections: 0 }, /store\.postgres\.maxConnections: must be an integer from 1 to 1000/],
    [{ url: 'postgres://db/x', pool: 3 }, /store\.postgres\.pool: unknown key/],
  ];
  for (const [value, expected, env] of bad) {
    await assert.rejects(
      pg(value, env),
      (e: unknown) => isHoopError(e, 'config_invalid') && expected.test(e.message) && !e.message.includes('s3cret'),
      `${JSON.stringify(value)} → ${expected}`,
    );
  }
  await assert.rejects(
    load({ ...base(), store: { sqlite: 'gw.db', postgres: { url: 'postgres://db/x' } } }),
    (e: unknown) => isHoopError(e, 'config_invalid') && /gw\.yaml: store: set sqlite or postgres, not both/.test(e.message),
  );
});

test('approvals and notifications: defaults, URLs from the environment, and mistakes named by path', async () => {
  const cfg = await load(base());
  assert.deepEqual(cfg.approvals, { requestTtlSeconds: 900, approvedWindowSeconds: 600, reviewLimit: { max: 10, windowSeconds: 600 } });
  assert.deepEqual(cfg.notifications, []);
  const set = await load(
    {
      ...base(),
      approvals: { requestTtl: '5m', approvedWindow: '2m', reviewsPerSession: { max: 3, per: '1m' } },
      notifications: [
        { type: 'webhook', url: 'https://hooks.example/x' },
        { type: 'slack', urlEnv: 'SLACK_URL' },
      ],
    },
    {},
    { SLACK_URL: 'https://hooks.slack.com/services/T/B/secret' },
  );
  assert.deepEqual(set.approvals, { requestTtlSeconds: 300, approvedWindowSeconds: 120, reviewLimit: { max: 3, windowSeconds: 60 } });
  await assert.rejects(
    load({ ...base(), approvals: { reviewsPerSession: { max: 0 } } }),
    (e: unknown) => isHoopError(e, 'config_invalid') && /approvals\.reviewsPerSession\.max: must be an integer from 1 to 10000/.test(e.message),
  );
  assert.deepEqual(
    set.notifications.map((n) => n.type),
    ['webhook', 'slack'],
  );
  assert.equal(set.notifications[1]!.url, 'https://hooks.slack.com/services/T/B/secret');
  const bad: [unknown, string][] = [
    [[{ type: 'email', url: 'https://x' }], 'notifications[0].type: "email" is not one of: webhook, slack'],
    [[{ type: 'slack' }], 'notifications[0]: give exactly one of url or urlEnv'],
    [[{ type: 'slack', urlEnv: 'NOPE' }], 'notifications[0].urlEnv: environment variable NOPE is not set'],
    [[{ type: 'webhook', url: 'ftp://x/y' }], 'notifications[0].url: must be an http(s) URL'],
  ];
  for (const [notifications, message] of bad) {
    await assert.rejects(
      load({ ...base(), notifications }),
      (e: unknown) => isHoopError(e, 'config_invalid') && e.message === `/etc/hoop/gw.yaml: ${message}`,
      message,
    );
  }
  await assert.rejects(
    load({ ...base(), approvals: { requestTtl: 'soon' } }),
    (e: unknown) => isHoopError(e, 'config_invalid') && e.message.startsWith('/etc/hoop/gw.yaml: approvals.requestTtl: '),
  );
});
