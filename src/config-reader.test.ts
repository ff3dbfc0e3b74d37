// The one config reader through both of its users: the gateway config (loadGatewayConfig) and a bare policy file
// (policy check). Each kind of mistake, with the exact line it prints; several mistakes in one file all at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from './errors.js';
import { loadGatewayConfig } from './gateway/config.js';
import { checkPolicyFile } from './usecases/policy-check.js';
import { formatPath } from './config-reader.js';

const GATEWAY = '/etc/hoop/gw.yaml';
const POLICY = '/etc/hoop/policy.yaml';

// A valid config; each gateway row appends top-level sections it does not have.
const BASE = `oidc:
  issuers: [{ issuer: 'http://127.0.0.1:9000', clientId: hoopctl }]
connections:
  - { name: prod, server: 'https://10.0.0.1:6443', credential: { tokenFile: ./token } }
policy:
  roles: [{ name: view, rules: [{ verbs: [get], resources: [pods] }] }]
  bindings: [{ groups: [dev], connections: [prod], roles: [view] }]
`;

const VIEW = `roles:
  - name: view
    rules: [{ verbs: [get], resources: [pods] }]
`;

async function gatewayLines(extra: string): Promise<string[]> {
  const files: Record<string, string> = { [GATEWAY]: BASE + extra, '/etc/hoop/token': 'held\n' };
  try {
    await loadGatewayConfig(GATEWAY, {
      env: {},
      readFile: async (p) => files[p] ?? Promise.reject(Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' })),
    });
  } catch (e) {
    assert.ok(isHoopError(e, 'config_invalid'), String(e));
    assert.equal(e.hint, `fix ${GATEWAY} and start the gateway again`);
    return e.message.split('\n');
  }
  return [];
}

async function policyLines(yaml: string): Promise<string[]> {
  try {
    await checkPolicyFile({ readFile: async () => yaml }, POLICY);
  } catch (e) {
    assert.ok(isHoopError(e, 'config_invalid'), String(e));
    return e.message.split('\n');
  }
  return [];
}

test('the base config and policy of the table are valid (so each row fails for its own mistake)', async () => {
  assert.deepEqual(await gatewayLines(''), []);
  assert.deepEqual(await policyLines(VIEW), []);
  assert.deepEqual(await gatewayLines('tls:\nadmins: { groups: [sre], users: }\n'), [], 'a key with nothing after it is absent');
});

/** [kind of mistake, gateway or policy, what the file has, every line printed after "<file>: "] */
const TABLE: [string, 'gateway' | 'policy', string, string[]][] = [
  ['unknown key', 'gateway', 'tls: { certFile: a.pem, keyFile: a.key, caFile: ca.pem }\n', ['tls.caFile: unknown key (expected one of: certFile, keyFile)']],
  ['unknown key', 'policy', `${VIEW}defaults: { discover: true }\n`, ['defaults.discover: unknown key (expected one of: discovery)']],
  [
    'a key named __proto__ is a key like any other',
    'policy',
    `${VIEW}__proto__: { roles: [] }\n`,
    ['__proto__: unknown key (expected one of: roles, bindings, guardrails, defaults, masking)'],
  ],
  [
    'two unknown keys in one mapping',
    'gateway',
    'sessions: { ttl: 1h, max: 2h }\n',
    ['sessions.ttl: unknown key (expected one of: defaultTtl, maxTtl)', 'sessions.max: unknown key (expected one of: defaultTtl, maxTtl)'],
  ],
  ['wrong type', 'gateway', 'allowNonLoopback: "yes"\n', ['allowNonLoopback: must be true or false, got "yes"']],
  ['wrong type', 'policy', 'roles: { name: view }\n', ['roles: must be a list, got a mapping']],
  ['wrong type in a list', 'gateway', 'admins: { groups: [sre, 42] }\n', ['admins.groups[1]: must be a string, got number 42']],
  [
    'wrong type for an integer',
    'gateway',
    'approvals: { reviewsPerSession: { max: 2.5 } }\n',
    ['approvals.reviewsPerSession.max: must be an integer from 1 to 10000'],
  ],
  ['empty string', 'gateway', 'console: { clientId: "" }\n', ['console.clientId: must be a non-empty string, got ""']],
  ['blank string', 'gateway', 'store: { sqlite: "   " }\n', ['store.sqlite: must be a non-empty string, got "   "']],
  [
    'empty string',
    'policy',
    `${VIEW}guardrails: [{ name: g, match: { resources: [namespaces] }, effect: deny, message: '' }]\n`,
    ['guardrails[0].message: must be a non-empty string, got ""'],
  ],
  ['empty list', 'policy', `${VIEW}bindings: [{ groups: [], connections: ['*'], roles: [view] }]\n`, ['bindings[0].groups: must not be empty']],
  ['missing required key', 'gateway', 'tls: { certFile: a.pem }\n', ['tls.keyFile: is required']],
  [
    'bad enum',
    'gateway',
    'notifications: [{ type: email, url: "https://hooks.example/x" }]\n',
    ['notifications[0].type: "email" is not one of: webhook, slack'],
  ],
  [
    'bad enum',
    'policy',
    `${VIEW}guardrails: [{ name: g, match: { resources: [namespaces] }, effect: block }]\n`,
    ['guardrails[0].effect: "block" is not one of: deny, approval'],
  ],
  [
    'nested array index path',
    'policy',
    `${VIEW}  - name: ns\n    rules:\n      - { verbs: [get], resources: [pods], namespaces: [a, b, '*-prod'] }\n`,
    ['roles[1].rules[0].namespaces[2]: bad pattern: "*-prod": "*" may only stand alone or end a prefix (like "team-*")'],
  ],
  [
    'nested array index path',
    'gateway',
    'notifications:\n  - { type: webhook, url: "https://a.example/x" }\n  - { type: slack, urlEnv: NOPE }\n',
    ['notifications[1].urlEnv: environment variable NOPE is not set'],
  ],
  [
    'several mistakes at once, in file order',
    'gateway',
    [
      'listen: localhost',
      'allowNonLoopback: maybe',
      'admins: { groups: [sre, ""] }',
      'sessions: { maxTtl: 1 hour }',
      'tls: { certFile: missing.pem, keyFile: missing.key }',
      '',
    ].join('\n'),
    [
      'listen: must be host:port (e.g. 127.0.0.1:8080), got "localhost"',
      'allowNonLoopback: must be true or false, got "maybe"',
      'admins.groups[1]: must be a non-empty string, got ""',
      'sessions.maxTtl: invalid duration "1 hour": expected numbers followed by h, m or s',
      'tls.certFile: cannot read /etc/hoop/missing.pem: ENOENT',
    ],
  ],
  [
    'several mistakes at once, in file order',
    'policy',
    [
      'roles:',
      '  - name: view',
      '    rules: [{ verbs: [get, frob], resources: [pods] }]',
      '  - name: View',
      '    rules: []',
      'bindings:',
      '  - { groups: [dev], connections: [prod], roles: [veiw], approval: yes }',
      '',
    ].join('\n'),
    [
      'roles[0].rules[0].verbs[1]: unknown verb "frob" (verbs: get, list, watch, create, update, patch, delete, deletecollection, or "*")',
      "roles[1].name: \"View\" must be lower-case letters, digits, '-', '.' or '_'",
      'roles[1].rules: must not be empty',
      'bindings[0].roles[0]: role "veiw" is not defined (roles: view, View)',
      'bindings[0].approval: must be true or false, got "yes"',
    ],
  ],
  [
    'YAML syntax error with its line',
    'policy',
    'roles:\n  - name: view\n    rules: [{ verbs: [get]\n',
    [
      'line 4, column 1: not valid YAML: Flow map in block collection must be sufficiently indented and end with a }',
      'line 4, column 1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  ],
  [
    'YAML syntax error with its line',
    'gateway',
    'listen: 127.0.0.1:8080\nlisten: 127.0.0.1:9090\n',
    ['line 9, column 1: not valid YAML: Map keys must be unique'],
  ],
];

for (const [kind, reader, yaml, expected] of TABLE) {
  test(`${reader} file, ${kind}: ${expected[0]!}`, async () => {
    const file = reader === 'gateway' ? GATEWAY : POLICY;
    const lines = reader === 'gateway' ? await gatewayLines(yaml) : await policyLines(yaml);
    assert.deepEqual(
      lines,
      expected.map((l) => `${file}: ${l}`),
    );
  });
}

test('paths: keys joined by dots, list indexes in brackets, the empty path named', () => {
  assert.equal(formatPath(['policy', 'roles', 1, 'rules', 0, 'verbs', 2]), 'policy.roles[1].rules[0].verbs[2]');
  assert.equal(formatPath([0, 'a']), '[0].a');
  assert.equal(formatPath([]), '(top level)');
});
