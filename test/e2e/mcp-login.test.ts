// `hoopctl mcp` before (and after) a login: the built CLI as a child process of the MCP SDK's own
// client, as Cursor or Claude Code would launch it. The server must answer `tools/list` with no
// login, turn a call without a usable login (none, or expired) into a tool result naming
// `hoopctl login`, and pick the login up as soon as one exists, without a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startChain, type Chain } from './chain-harness.js';
import { createTempHome, hoopctlBin, type TempHome } from '../support/cli-runner.js';

let chain: Chain;
let alice: TempHome;
const clients: Client[] = [];

type ToolAnswer = { content: { type: string; text: string }[]; isError?: boolean };

async function connect(home: TempHome): Promise<{ client: Client; stderr: () => string }> {
  let stderr = '';
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [hoopctlBin, 'mcp'],
    env: home.env as Record<string, string>,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const client = new Client({ name: 'hoopctl-e2e', version: '1.0.0' });
  await client.connect(transport);
  clients.push(client);
  return { client, stderr: () => stderr };
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<{ text: string; isError: boolean }> {
  const r = (await client.callTool({ name, arguments: args })) as ToolAnswer;
  return { text: r.content.map((c) => c.text).join('\n'), isError: r.isError === true };
}

const configDir = (h: TempHome): string => join(h.env.XDG_CONFIG_HOME!, 'hoopctl');

before(async () => {
  chain = await startChain();
  alice = await chain.loginAs('alice');
});

after(async () => {
  for (const c of clients) await c.close();
  await chain?.close();
});

describe('hoopctl mcp without a usable login', () => {
  test('no login: tools/list is answered, a tool says run hoopctl login, and a later login is used without a restart', async () => {
    const home = await createTempHome();
    try {
      const { client, stderr } = await connect(home);
      const { tools } = await client.listTools();
      assert.ok(
        tools.some((t) => t.name === 'list_connections'),
        tools.map((t) => t.name).join(', '),
      );
      assert.ok(tools.some((t) => t.name === 'request_access'));
      for (const [name, args] of [
        ['list_connections', {}],
        ['kube_list', { connection: 'demo', resource: 'pods' }],
      ] as const) {
        const r = await call(client, name, args);
        assert.equal(r.isError, true, r.text);
        assert.match(r.text, /^not logged in — run `hoopctl login`/, r.text);
      }
      assert.match(stderr(), /serving on stdio without a usable login/);
      // The person logs in from a terminal (here: the login of another home is copied in).
      await cp(configDir(alice), configDir(home), { recursive: true });
      const after = await call(client, 'list_connections');
      assert.equal(after.isError, false, after.text);
      assert.match(after.text, /^demo: roles view, edit/m);
    } finally {
      await home.cleanup();
    }
  });

  test('an expired login the IdP no longer refreshes: the same tool result, naming the expiry', async () => {
    const home = await createTempHome();
    try {
      await cp(configDir(alice), configDir(home), { recursive: true });
      const file = join(configDir(home), 'tokens.json');
      const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      await writeFile(file, JSON.stringify({ ...stored, expiresAt: new Date(Date.now() - 60_000).toISOString(), refreshToken: 'revoked-refresh-token' }), {
        mode: 0o600,
      });
      const { client } = await connect(home);
      assert.ok((await client.listTools()).tools.length > 0);
      const r = await call(client, 'kube_get', { connection: 'demo', resource: 'pods', name: 'x', namespace: 'demo' });
      assert.equal(r.isError, true, r.text);
      assert.match(r.text, /^not logged in — run `hoopctl login`.*login expired/, r.text);
      // Still serving.
      assert.equal((await call(client, 'list_connections')).isError, true);
      assert.ok((await client.listTools()).tools.length > 0);
    } finally {
      await home.cleanup();
    }
  });
});
