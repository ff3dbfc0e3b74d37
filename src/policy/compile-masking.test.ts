import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHoopError } from '../errors.js';
import { MASK_MARKER } from '../mask/marker.js';
import { DEFAULT_MASK_RULES } from '../mask/mask-rules.js';
import { compilePolicy } from './compile-policy.js';
import { maskExemptionFor } from './masking-exceptions.js';

const roles = [
  { name: 'view', rules: [{ verbs: ['get'], resources: ['secrets'] }] },
  { name: 'break-glass', rules: [{ verbs: ['get'], resources: ['secrets'] }] },
];
const bindings = [
  { groups: ['dev'], connections: ['*'], roles: ['view'] },
  { groups: ['sre'], connections: ['prod'], roles: ['break-glass'], approval: true, approvers: ['leads'] },
];
const withMasking = (masking: unknown): unknown => ({ roles, bindings, masking });
const compile = (raw: unknown) => compilePolicy(raw, { file: 'gw.yaml', basePath: 'policy' });

/** [label, masking section, the exact message after "gw.yaml: "] */
const errors: [string, unknown, string][] = [
  ['not a mapping', ['x'], 'policy.masking: must be a mapping, got a list'],
  [
    'typo',
    { valuePattern: ['x'] },
    'policy.masking.valuePattern: unknown key (expected one of: enabled, configMapKeyPatterns, envNamePatterns, valuePatterns, exceptions)',
  ],
  [
    'bad regex',
    { valuePatterns: ['ok', 'a('] },
    'policy.masking.valuePatterns[1]: not a valid regular expression: Invalid regular expression: /a(/g: Unterminated group',
  ],
  ['regex matching nothing', { valuePatterns: ['.*'] }, 'policy.masking.valuePatterns[0]: matches the empty string'],
  ['bad flags', { valuePatterns: ['/x/y'] }, 'policy.masking.valuePatterns[0]: flags "y": only i, m, s and u are allowed'],
  ['look-behind', { valuePatterns: ['ok', 'acme-[0-9]+', '(?<=password=)\\S+'] }, 'policy.masking.valuePatterns[2]: not linear-time (look-behind)'],
  ['look-ahead', { valuePatterns: ['/key(?=:)/i'] }, 'policy.masking.valuePatterns[0]: not linear-time (look-ahead)'],
  ['back-reference', { valuePatterns: ['(["\'])x\\1'] }, 'policy.masking.valuePatterns[0]: not linear-time (back-reference)'],
  [
    'nested repetition',
    { valuePatterns: ['(a+)+b'] },
    'policy.masking.valuePatterns[0]: not linear-time (a group repeated without bound (+): repeat one character class instead)',
  ],
  [
    'repetition that can start anywhere',
    { valuePatterns: ['[a-z]+-key'] },
    'policy.masking.valuePatterns[0]: not linear-time (a repetition (+) can start anywhere inside a long run of the characters it repeats; put a character it cannot match before it (a literal, or ^ or \\b) or bound it, like {1,64})',
  ],
  [
    'too many ways',
    { valuePatterns: ['(?:a|b){1,100}'] },
    'policy.masking.valuePatterns[0]: not linear-time (its bounded parts can be matched more than 10000 ways from one position (use fewer or narrower {m,n} ranges))',
  ],
  ['glob masking every key', { configMapKeyPatterns: ['*'] }, 'policy.masking.configMapKeyPatterns[0]: bad pattern: "*" would mask every key'],
  ['empty env glob', { envNamePatterns: [''] }, 'policy.masking.envNamePatterns[0]: bad pattern: is empty'],
  ['enabled not boolean', { enabled: 'no' }, 'policy.masking.enabled: must be true or false, got "no"'],
  [
    'exception for nobody',
    { exceptions: [{ resources: ['secrets'] }] },
    'policy.masking.exceptions[0]: needs roles, groups or users (who may read these objects in clear)',
  ],
  ['exception without resources', { exceptions: [{ roles: ['break-glass'] }] }, 'policy.masking.exceptions[0].resources: is required (e.g. [secrets])'],
  [
    'exception naming a missing role',
    { exceptions: [{ roles: ['brek-glass'], resources: ['secrets'] }] },
    'policy.masking.exceptions[0].roles[0]: role "brek-glass" is not defined (roles: view, break-glass)',
  ],
  [
    'exception typo',
    { exceptions: [{ roles: ['view'], resources: ['secrets'], name: ['x'] }] },
    'policy.masking.exceptions[0].name: unknown key (expected one of: description, roles, users, groups, connections, resources, namespaces, names)',
  ],
  [
    'exception bad pattern',
    { exceptions: [{ roles: ['view'], resources: ['secrets'], names: ['*-key'] }] },
    'policy.masking.exceptions[0].names[0]: bad pattern: "*-key": "*" may only stand alone or end a prefix (like "team-*")',
  ],
];

test('policy.masking: every error names the file, the exact path and the reason', () => {
  for (const [label, masking, message] of errors) {
    assert.throws(
      () => compile(withMasking(masking)),
      (e: unknown) => {
        assert.ok(isHoopError(e, 'config_invalid'), label);
        assert.equal(e.message, `gw.yaml: ${message}`, label);
        return true;
      },
      label,
    );
  }
});

test('policy.masking: absent means the built-in rules, enabled; additions change the rule set version', () => {
  const plain = compile({ roles, bindings }).masking;
  assert.deepEqual([plain.enabled, plain.rules.version, plain.exceptions], [true, DEFAULT_MASK_RULES.version, []]);
  const m = compile(withMasking({ configMapKeyPatterns: ['*dsn*'], envNamePatterns: ['*_DSN'], valuePatterns: ['/acme-[0-9]+/i'], enabled: false })).masking;
  assert.equal(m.enabled, false);
  assert.notEqual(m.rules.version, DEFAULT_MASK_RULES.version);
  assert.ok(m.rules.configMapKeys.matches('Main-DSN') && m.rules.configMapKeys.matches('password'), 'additions keep the built-ins');
  assert.ok(m.rules.envNames.matches('APP_DSN'));
  assert.equal(m.rules.values.mask('id ACME-42', { masked: 0 }), `id ${MASK_MARKER}`);
});

test('masking exceptions: by session role (or roles held without approval), group, connection, resource, namespace, name', () => {
  const p = compile(
    withMasking({
      exceptions: [
        { roles: ['break-glass'], connections: ['prod'], resources: ['secrets'], namespaces: ['payments'], names: ['stripe-*'] },
        { groups: ['auditors'], users: ['carol@example.com'], resources: ['configmaps'] },
      ],
    }),
  );
  const sre = { user: 'sam@example.com', groups: ['sre'] };
  const glass = maskExemptionFor(p, { subject: sre, connection: 'prod', role: 'break-glass', resource: 'secrets' })!;
  assert.equal(glass('payments', 'stripe-api'), 'policy.masking.exceptions[0]');
  assert.equal(glass('payments', 'db-creds'), undefined);
  assert.equal(glass('default', 'stripe-api'), undefined);
  assert.equal(
    maskExemptionFor(p, { subject: sre, connection: 'prod', resource: 'secrets' }),
    undefined,
    'break-glass needs approval, so it is not active without --role',
  );
  assert.equal(maskExemptionFor(p, { subject: sre, connection: 'staging', role: 'break-glass', resource: 'secrets' }), undefined);
  assert.equal(maskExemptionFor(p, { subject: sre, connection: 'prod', role: 'break-glass', resource: 'configmaps' }), undefined);
  const carol = { user: 'carol@example.com', groups: ['auditors'] };
  assert.equal(maskExemptionFor(p, { subject: carol, connection: 'x', resource: 'configmaps' })?.('a', 'b'), 'policy.masking.exceptions[1]');
  assert.equal(
    maskExemptionFor(p, { subject: { ...carol, user: 'dan@example.com' }, connection: 'x', resource: 'configmaps' }),
    undefined,
    'every condition must hold',
  );
});
