/** `hoopctl mcp --print-config cursor|claude`: ready-to-paste client configuration. */
import { HoopError } from '../errors.js';

/** Clients whose configuration can be printed. */
export const MCP_CLIENTS = ['cursor', 'claude'] as const;

/** The configuration text for `client`, running `command` (normally `hoopctl`). */
export function mcpClientConfig(client: string, command = 'hoopctl'): string {
  if (client === 'cursor') {
    // https://docs.cursor.com/context/model-context-protocol: `.cursor/mcp.json` in the project, or ~/.cursor/mcp.json.
    return `${JSON.stringify({ mcpServers: { hoopctl: { command, args: ['mcp'] } } }, null, 2)}\n`;
  }
  if (client === 'claude') {
    // Claude Code: `claude mcp add <name> -- <command> [args…]` registers a stdio server.
    return `claude mcp add hoopctl -- ${command} mcp\n`;
  }
  throw new HoopError('usage', `no MCP config for ${JSON.stringify(client)} (use ${MCP_CLIENTS.join(' or ')})`, { hint: 'hoopctl mcp --print-config cursor' });
}
