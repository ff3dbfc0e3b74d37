/** `hoopctl mcp [--print-config cursor|claude]`: the MCP server over stdio, or the configuration to register it. */
import { readFileSync } from 'node:fs';
import type { CreateSessionResponse } from '../gateway/api.js';
import { createGatewayClient } from '../platform/gateway-client.js';
import type { KubeAnswer, KubeCall } from '../mcp/kube-calls.js';
import type { McpBackend } from '../mcp/session-pool.js';
import type { CliContext } from './context.js';

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** One Kubernetes API call to the gateway's `/k8s/<connection>` with the session credential (the gateway applies policy, masking, audit). */
async function sendKube(session: CreateSessionResponse, call: KubeCall): Promise<KubeAnswer> {
  const url = new URL(`${session.server}${call.path}`);
  for (const [k, v] of Object.entries(call.query ?? {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method: call.method,
    headers: {
      authorization: `Bearer ${session.token}`, accept: 'application/json', 'user-agent': 'hoopctl-mcp',
      ...(call.contentType === undefined ? {} : { 'content-type': call.contentType }),
    },
    ...(call.body === undefined ? {} : { body: call.body }),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** Runs the MCP server until the client closes stdin; or prints client configuration. */
export async function runMcp(ctx: CliContext, opts: { printConfig?: string }): Promise<void> {
  if (opts.printConfig !== undefined) {
    const { mcpClientConfig } = await import('../mcp/print-config.js');
    ctx.out.stdout.write(mcpClientConfig(opts.printConfig));
    return;
  }
  const { sessionIdentity } = await import('./session-identity.js');
  // Fails here (exit 3, "run hoopctl login") before the client's handshake rather than on every tool call.
  const who = await sessionIdentity(ctx, {}, false);
  const client = createGatewayClient({ baseUrl: who.gateway.baseUrl });
  const backend: McpBackend = {
    listConnections: async () => client.listConnections(await who.getIdToken()),
    openSession: async (req) => who.approvalGateway.openSession(await who.getIdToken(), req),
    getRequest: async (id) => who.approvalGateway.getRequest(await who.getIdToken(), id),
    endSession: (s) => who.gateway.endSession(s.token, s.sessionId),
    kube: sendKube,
    now: () => Date.now(),
  };
  const { serveMcpOverStdio } = await import('../mcp/server.js');
  ctx.out.stderr.write(`hoopctl mcp: serving on stdio for ${who.gateway.baseUrl} (${who.via === 'ci' ? 'CI identity' : 'your login'})\n`);
  await serveMcpOverStdio(backend, version());
}
