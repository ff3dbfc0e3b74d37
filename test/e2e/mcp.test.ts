// `hoopctl mcp` end to end: the MCP SDK's own client drives the built CLI as a child process over
// stdio; every Kubernetes call goes through the real gateway process (policy, audit) to the
// Kubernetes API test server. Includes a refused call and an approval requested, approved by
// another person with `hoopctl approve`, then used.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { POLICY, startChain, type Chain } from './chain-harness.js';
import type { KubeObject } from '../../src/simulated-cluster/object-store.js';
import { hoopctlBin, runCli, type TempHome } from '../support/cli-runner.js';

const policy = {
  ...POLICY,
  roles: [...POLICY.roles, { name: 'scaler', rules: [{ verbs: ['get', 'patch'], apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'] }] }],
  bindings: [...POLICY.bindings, { groups: ['engineers'], connections: ['demo'], roles: ['scaler'], approval: true, approvers: ['sre'] }],
};

let chain: Chain;
let alice: TempHome;
let sam: TempHome;
let client: Client;
// Drained so the server never blocks on a full pipe; read it in a debugger when a call hangs.
let _stderr = '';

type ToolAnswer = { content: { type: string; text: string }[]; isError?: boolean };
async function call(name: string, args: Record<string, unknown> = {}): Promise<{ text: string; isError: boolean }> {
  const r = (await client.callTool({ name, arguments: args })) as ToolAnswer;
  return { text: r.content.map((c) => c.text).join('\n'), isError: r.isError === true };
}

before(async () => {
  chain = await startChain({ policy });
  [alice, sam] = await Promise.all([chain.loginAs('alice'), chain.loginAs('sam')]);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [hoopctlBin, 'mcp'],
    env: alice.env as Record<string, string>,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => {
    _stderr += d.toString();
  });
  client = new Client({ name: 'hoopctl-e2e', version: '1.0.0' });
  await client.connect(transport);
});

after(async () => {
  await client?.close();
  await chain?.close();
});

describe('hoopctl mcp over stdio', () => {
  test('lists its tools', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    for (const n of [
      'check_request',
      'kube_apply',
      'kube_delete',
      'kube_describe',
      'kube_get',
      'kube_list',
      'kube_logs',
      'kube_scale',
      'list_connections',
      'request_access',
    ]) {
      assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    }
  });

  test('list_connections shows the roles, the one needing approval marked', async () => {
    const r = await call('list_connections');
    assert.equal(r.isError, false, r.text);
    assert.match(r.text, /^demo: roles view, edit, scaler \(needs approval\)/m);
  });

  test('reads go through the gateway: list, get, describe, logs', async () => {
    const pods = await call('kube_list', { connection: 'demo', resource: 'pods', namespace: 'demo' });
    assert.equal(pods.isError, false, pods.text);
    const pod = /^demo\/(web-\S+)/m.exec(pods.text)?.[1];
    assert.ok(pod, pods.text);
    const dep = await call('kube_get', { connection: 'demo', resource: 'deploy', name: 'web', namespace: 'demo' });
    assert.equal(dep.isError, false, dep.text);
    assert.equal((JSON.parse(dep.text) as { kind: string }).kind, 'Deployment');
    const desc = await call('kube_describe', { connection: 'demo', resource: 'pods', name: pod, namespace: 'demo' });
    assert.equal(desc.isError, false, desc.text);
    assert.match(desc.text, /Events:/);
    const logs = await call('kube_logs', { connection: 'demo', pod, namespace: 'demo', tailLines: 5 });
    assert.equal(logs.isError, false, logs.text);
    assert.ok(logs.text.trim().length > 0);
    const seen = chain.kube.requests.filter((q) => q.url.startsWith('/api/v1/namespaces/demo/pods'));
    assert.ok(seen.length > 0 && seen.every((q) => q.headers['impersonate-user'] === 'oidc:alice@example.com'));
  });

  test('apply and delete change the upstream', async () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-agent\n  namespace: demo\ndata:\n  answer: "42"\n';
    const applied = await call('kube_apply', { connection: 'demo', manifest });
    assert.equal(applied.isError, false, applied.text);
    assert.match(applied.text, /configmaps\/from-agent in demo: applied/);
    assert.equal((chain.kube.get({ kind: 'configmaps', namespace: 'demo', name: 'from-agent' }) as { data?: { answer?: string } })?.data?.answer, '42');
    const del = await call('kube_delete', { connection: 'demo', resource: 'configmaps', name: 'from-agent', namespace: 'demo' });
    assert.equal(del.isError, false, del.text);
    assert.equal(chain.kube.get({ kind: 'configmaps', namespace: 'demo', name: 'from-agent' }), undefined);
  });

  test('a refused call is a clear tool result naming the rule, not a crash', async () => {
    const r = await call('kube_delete', { connection: 'demo', resource: 'namespaces', name: 'demo' });
    assert.equal(r.isError, true);
    assert.match(r.text, /refused by the hoopctl gateway: .*no-namespace-deletion/);
    assert.ok(chain.kube.get({ kind: 'namespaces', name: 'demo' }));
    const bad = await call('kube_get', { connection: 'demo', resource: 'no-such-thing', name: 'x' });
    assert.equal(bad.isError, true);
    assert.match(bad.text, /unknown resource/);
    // The server is still up.
    assert.equal((await call('list_connections')).isError, false);
  });

  test('scaling needs the scaler role: refused, requested (pending at once), approved by sre, then done', async () => {
    const before = await call('kube_scale', { connection: 'demo', name: 'web', namespace: 'demo', replicas: 3 });
    assert.equal(before.isError, true, before.text);
    assert.match(before.text, /refused/);
    // Agent-shaped: the tool that asks for the role, not the CLI command a person would type.
    assert.match(before.text, /call request_access with role scaler, connection demo and a reason/, before.text);
    assert.doesNotMatch(before.text, /hoopctl connect/);
    const asked = await call('request_access', { connection: 'demo', role: 'scaler', reason: 'INC-7: more web replicas', ttl: '10m' });
    assert.equal(asked.isError, false, asked.text);
    const id = /access request ([0-9a-f]{12})/.exec(asked.text)?.[1];
    assert.ok(id, asked.text);
    assert.match(asked.text, /approval needed/);
    assert.match((await call('check_request', { id })).text, /pending/);
    const approve = await runCli(['approve', id], sam.env);
    assert.equal(approve.code, 0, approve.stderr);
    const checked = await call('check_request', { id });
    assert.equal(checked.isError, false, checked.text);
    assert.match(checked.text, /approved; session \S+ on demo as role scaler/);
    const scaled = await call('kube_scale', { connection: 'demo', name: 'web', namespace: 'demo', replicas: 3 });
    assert.equal(scaled.isError, false, scaled.text);
    assert.equal((chain.kube.get({ kind: 'deployments', namespace: 'demo', name: 'web' }) as KubeObject & { spec: { replicas: number } }).spec.replicas, 3);
  });

  test("the audit trail names the agent's calls", async () => {
    const r = await runCli(['audit', '-o', 'json', '--limit', '1000'], alice.env);
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(
      events.some((e) => e.verb === 'patch' && e.resource === 'deployments' && e.subresource === 'scale' && e.decision === 'allow'),
      'scale allowed event',
    );
    assert.ok(
      events.some((e) => e.verb === 'delete' && e.resource === 'namespaces' && e.decision === 'deny'),
      'delete refused event',
    );
    assert.ok(
      events.some((e) => e.userAgent === 'hoopctl-mcp'),
      'user agent of the MCP server',
    );
  });
});
