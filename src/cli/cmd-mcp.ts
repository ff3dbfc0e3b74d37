/** `hoopctl mcp [--print-config cursor|claude]`: the MCP server over stdio, or the configuration to register it. */
import { readFileSync } from 'node:fs';
import type { CreateSessionResponse } from '../api/wire.js';
import { createGatewayClient } from '../platform/gateway-client.js';
import type { KubeAnswer, KubeCall } from '../mcp/kube-calls.js';
import type { McpBackend } from '../mcp/session-pool.js';
import type { CliContext } from './context.js';
import type { SessionIdentity } from './session-identity.js';

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
      authorization: `Bearer ${session.token}`,
      accept: 'application/json',
      'user-agent': 'hoopctl-mcp',
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
  // The server starts without a login, so an agent launched by an editor sees its tools; each call
  // looks the login up again (a failure is not kept), so `hoopctl login` in a terminal takes effect at once.
  let identity: Promise<SessionIdentity> | undefined;
  const who = (): Promise<SessionIdentity> => {
    identity ??= sessionIdentity(ctx, {}, false).catch((e: unknown) => {
      identity = undefined;
      throw e;
    });
    return identity;
  };
  const backend: McpBackend = {
    listConnections: async () => {
      const w = await who();
      return createGatewayClient({ baseUrl: w.gateway.baseUrl }).listConnections(await w.getIdToken());
    },
    openSession: async (req) => {
      const w = await who();
      return w.approvalGateway.openSession(await w.getIdToken(), req);
    },
    getRequest: async (id) => {
      const w = await who();
      return w.approvalGateway.getRequest(await w.getIdToken(), id);
    },
    endSession: async (s) => (await who()).gateway.endSession(s.token, s.sessionId),
    kube: sendKube,
    now: () => Date.now(),
  };
  const { serveMcpOverStdio } = await import('../mcp/server.js');
  // Not awaited before serving: a slow IdP refresh must not delay the client's handshake.
  void who()
    .then(
      (w) => `for ${w.gateway.baseUrl} (${w.via === 'ci' ? 'CI identity' : 'your login'})`,
      (e: unknown) => `without a usable login (${e instanceof Error ? e.message : String(e)}); tools answer "not logged in — run hoopctl login" until then`,
    )
    .then((how) => ctx.out.stderr.write(`hoopctl mcp: serving on stdio ${how}\n`));
  await serveMcpOverStdio(backend, version());
}
