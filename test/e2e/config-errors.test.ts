// The built CLI on a gateway config with three mistakes in three sections: `policy check` and `gateway serve`
// both print all three, each as `<file>: <path>: <reason>`, and exit 1 (serve before it opens a store or listens).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempHome, runCli, type TempHome } from '../support/cli-runner.js';

const CONFIG = `
listen: 127.0.0.1:0
store: { sqlite: ./gw.db }
oidc:
  issuers:
    - { issuer: 'http://127.0.0.1:9000', clientId: hoopctl, cli: yes-please }
connections:
  - name: prod
    server: https://10.0.0.1:6443
    credential: { tokenFile: ./prod.token }
    maxTtl: 1 hour
policy:
  roles:
    - name: view
      rules: [{ verbs: [get, frob], resources: [pods] }]
  bindings:
    - { groups: [dev], connections: [prod], roles: [view] }
`;

describe('a config with several mistakes', () => {
  let dir: string;
  let home: TempHome;
  let file: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hoop-config-errors-'));
    home = await createTempHome();
    file = join(dir, 'gateway.yaml');
    await writeFile(file, CONFIG);
    await writeFile(join(dir, 'prod.token'), 'held-token\n');
  });
  after(async () => {
    await home?.cleanup();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const expected = (): string[] => [
    `error: ${file}: oidc.issuers[0].cli: must be true or false, got "yes-please"`,
    `${file}: connections[0].maxTtl: invalid duration "1 hour": expected numbers followed by h, m or s`,
    `${file}: policy.roles[0].rules[0].verbs[1]: unknown verb "frob" (verbs: get, list, watch, create, update, patch, delete, deletecollection, or "*")`,
  ];

  test('hoopctl policy check prints every mistake and exits 1', async () => {
    const r = await runCli(['policy', 'check', file], home.env);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.deepEqual(r.stderr.split('\n').slice(0, 3), expected());
  });

  test('hoopctl gateway serve stops with the same locations before it opens the store', async () => {
    const r = await runCli(['gateway', 'serve', '-c', file], home.env);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.stderr.split('\n').slice(0, 3), expected());
    await assert.rejects(access(join(dir, 'gw.db')), 'no store was created');
  });
});
