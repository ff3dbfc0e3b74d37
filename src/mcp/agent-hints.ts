/**
 * Refusals and hints worded for an agent. The gateway and the CLI name the next *command*
 * (`hoopctl connect prod --role edit --reason "…"`); an agent behind `hoopctl mcp` cannot run it, so
 * the same remedy is named as the tool that does it (request_access, check_request, list_connections).
 * Commands meant for another person (`hoopctl approve ID`, `hoopctl login`) stay as they are.
 */

const FLAG = String.raw` --(role|namespace|reason|request|ttl) ("[^"]*"|\S+)`;
const CONNECT = new RegExp(
  String.raw`(?:run )?hoopctl connect (\S+)((?: --(?:role|namespace|reason|request|ttl) (?:"[^"]*"|\S+))*)( \(without --namespace\))?`,
  'g',
);
const WAIT = /(?:run )?hoopctl wait ([0-9A-Za-z_-]+)/g;
const CONNECTIONS = /(?:run )?hoopctl connections\b/g;

function requestAccessCall(connection: string, flags: string, withoutNamespace: boolean): string {
  const values = new Map<string, string>();
  for (const m of flags.matchAll(new RegExp(FLAG, 'g'))) values.set(m[1]!, m[2]!);
  const request = values.get('request');
  if (request !== undefined) return `call check_request with id ${request}`;
  const parts: string[] = [];
  const role = values.get('role');
  if (role !== undefined && role !== '') parts.push(`role ${role}`);
  parts.push(connection.startsWith('<') ? 'the connection' : `connection ${connection}`);
  const ns = values.get('namespace');
  if (ns !== undefined) parts.push(`namespace ${ns}`);
  if (withoutNamespace) parts.push('no namespace');
  return `call request_access with ${parts.join(', ')} and a reason${values.has('reason') ? ' (a person must approve it; then call check_request)' : ''}`;
}

/** `text` with every CLI remedy the agent itself would run replaced by the MCP tool call that does the same. */
export function agentHint(text: string): string {
  return text
    .replace(CONNECT, (_m, conn: string, flags: string, without: string | undefined) => requestAccessCall(conn, flags ?? '', without !== undefined))
    .replace(WAIT, (_m, id: string) => `call check_request with id ${id}`)
    .replace(CONNECTIONS, 'call list_connections');
}
