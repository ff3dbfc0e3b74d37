/**
 * `hoopctl mcp`: a Model Context Protocol server (https://modelcontextprotocol.io/specification)
 * over stdio, built with the official TypeScript SDK. stdout carries the protocol only; anything
 * for people goes to stderr. The server lives until its client closes stdin.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createSessionPool, type McpBackend } from './session-pool.js';
import { registerTools } from './tools.js';

/** Builds the server with every tool over `backend`; `close` ends the sessions it opened. */
export function createHoopMcpServer(backend: McpBackend, version: string): { server: McpServer; close(): Promise<void> } {
  const server = new McpServer(
    { name: 'hoopctl', version },
    {
      instructions:
        'Kubernetes access through the hoopctl gateway: every call is checked by policy, masked and audited. ' +
        'Start with list_connections. Roles marked "needs approval" need request_access with a reason; a person approves, ' +
        'then check_request opens the session. Refusals name the rule: tell the user rather than working around them.',
    },
  );
  const pool = createSessionPool(backend);
  registerTools(server, pool, backend);
  return {
    server,
    async close() {
      await pool.closeAll();
      await server.close().catch(() => undefined);
    },
  };
}

/** Serves on this process's stdin/stdout until the client hangs up; then ends every session. */
export async function serveMcpOverStdio(backend: McpBackend, version: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<void> {
  const { server, close } = createHoopMcpServer(backend, version);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    // The SDK's transport does not watch for the end of stdin: a client that exits would leave us running.
    stdin.once('end', resolve);
    stdin.once('close', resolve);
    transport.onclose = () => resolve();
  });
  await server.connect(transport);
  await closed;
  await close();
}
