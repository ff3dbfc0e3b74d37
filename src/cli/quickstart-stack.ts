/**
 * The quickstart's local stack: embedded IdP (two demo users), the gateway on SQLite with the
 * example policy, and an upstream — the simulated demo cluster, or a real context the user named.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { stringify, parse } from 'yaml';
import { HoopError } from '../errors.js';
import { writePrivateFile, ensurePrivateDir } from '../platform/secure-file.js';

/** The demo people of the embedded IdP. Their passwords only exist inside this process's IdP. */
export const DEMO_USERS = [
  { username: 'alice', password: 'alice-demo', email: 'alice@example.com', name: 'Alice Engineer', groups: ['engineers'] },
  { username: 'bob', password: 'bob-demo', email: 'bob@example.com', name: 'Bob Approver', groups: ['sre'] },
] as const;

/** A running quickstart stack. */
export interface QuickstartStack {
  gatewayUrl: string;
  issuer: string;
  connection: string;
  /** True when the upstream is the built-in simulation. */
  simulated: boolean;
  upstreamUrl: string;
  close(): Promise<void>;
}

/** Options of startQuickstartStack. */
export interface QuickstartStackOptions {
  dir: string;
  entry: string;
  env: NodeJS.ProcessEnv;
  upstreamContext?: string;
  log: (line: string) => void;
}

/** Starts the simulated demo cluster (src/simulated-cluster, also the tests' Kubernetes API double); imported only when the quickstart needs it. */
async function startSimulatedCluster(): Promise<{ cluster: { url: string; close(): Promise<void> }; kubeconfig: string }> {
  const { createKubeApiServer, kubeconfigFor } = await import('../simulated-cluster/index.js');
  const cluster = await createKubeApiServer({ tls: true, seed: 'demo' });
  return { cluster, kubeconfig: kubeconfigFor(cluster) };
}

/** The example policy plus a quickstart-only `exec` role (pods/exec, for engineers behind bob's approval), so exec recording and replay can be tried. */
function withExecRole(policy: Record<string, unknown[]>): Record<string, unknown[]> {
  const read = { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log', 'namespaces', 'events'], namespaces: ['*'] };
  // kubectl exec opens pods/exec with GET (WebSocket, 1.30+) or POST (SPDY): both verbs.
  const exec = { verbs: ['get', 'create'], apiGroups: [''], resources: ['pods/exec', 'pods/attach'], namespaces: ['*'] };
  return {
    ...policy,
    roles: [...(policy.roles ?? []), { name: 'exec', rules: [read, exec] }],
    bindings: [
      ...(policy.bindings ?? []),
      { groups: ['engineers'], connections: ['*'], roles: ['exec'], approval: true, approvers: ['sre'], maxTtl: '1h' },
      { groups: ['sre'], connections: ['*'], roles: ['exec'] },
    ],
  };
}

/** Starts IdP, upstream and gateway; everything binds to 127.0.0.1 on random ports and lives in `dir`. */
export async function startQuickstartStack(o: QuickstartStackOptions): Promise<QuickstartStack> {
  await ensurePrivateDir(o.dir);
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const { createEmbeddedIdp } = await import('../quickstart/embedded-idp.js');
    const idp = await createEmbeddedIdp({
      users: DEMO_USERS.map((u) => ({ ...u, groups: [...u.groups] })),
      clientId: 'hoopctl',
      devicePollIntervalSeconds: 1,
    });
    closers.push(() => idp.close());
    o.log(`identity provider  ${idp.issuer}  (embedded; demo users alice = engineers, bob = sre)`);

    let connection: Record<string, unknown>;
    let upstreamUrl: string;
    let simulated: boolean;
    const upstreamKubeconfig = join(o.dir, 'upstream.kubeconfig');
    if (o.upstreamContext !== undefined) {
      const source = (o.env.KUBECONFIG ?? join(o.env.HOME ?? homedir(), '.kube', 'config')).split(':')[0] ?? '';
      const cfg = parse(await readFile(source, 'utf8')) as {
        contexts?: { name: string; context: { cluster: string } }[];
        clusters?: { name: string; cluster: { server: string } }[];
      };
      const ctxEntry = cfg.contexts?.find((c) => c.name === o.upstreamContext);
      if (ctxEntry === undefined) throw new HoopError('usage', `context "${o.upstreamContext}" is not in ${source}`, { hint: 'kubectl config get-contexts' });
      upstreamUrl = cfg.clusters?.find((c) => c.name === ctxEntry.context.cluster)?.cluster.server ?? '(unknown)';
      connection = {
        name: 'real',
        description: `context ${o.upstreamContext} of ${source}`,
        credential: { kubeconfig: source, context: o.upstreamContext },
        impersonate: true,
      };
      simulated = false;
      o.log(`upstream           ${upstreamUrl}  (REAL cluster: context ${o.upstreamContext})`);
    } else {
      const { cluster, kubeconfig } = await startSimulatedCluster();
      closers.push(() => cluster.close());
      await writePrivateFile(upstreamKubeconfig, kubeconfig);
      upstreamUrl = cluster.url;
      connection = {
        name: 'demo',
        description: 'SIMULATED demo cluster (hoopctl test double, not a real Kubernetes)',
        credential: { kubeconfig: upstreamKubeconfig },
        impersonate: true,
      };
      simulated = true;
      o.log(`upstream           ${upstreamUrl}  (SIMULATED demo cluster — not a real Kubernetes)`);
    }

    const policyText = await readFile(resolve(dirname(o.entry), '../../../templates/policy.example.yaml'), 'utf8').catch(() =>
      readFile(resolve(dirname(o.entry), '../../templates/policy.example.yaml'), 'utf8'),
    );
    const gatewayConfig = {
      listen: '127.0.0.1:0',
      store: { sqlite: join(o.dir, 'gateway.db') },
      oidc: { issuers: [{ issuer: idp.issuer, clientId: idp.clientId, usernameClaim: 'email', groupsClaim: 'groups', cli: true }] },
      impersonation: { userPrefix: 'oidc:', groupPrefix: 'oidc:' },
      admins: { groups: ['sre'] },
      sessions: { defaultTtl: '30m', maxTtl: '1h' },
      connections: [connection],
      policy: withExecRole(parse(policyText) as Record<string, unknown[]>),
      // The web console at <gateway>/ui/ signs in at the same IdP with its own client.
      console: { clientId: idp.consoleClientId },
    };
    const configFile = join(o.dir, 'gateway.yaml');
    await writePrivateFile(configFile, stringify(gatewayConfig));
    const { startGatewayFromConfigFile } = await import('../gateway/serve.js');
    const gateway = await startGatewayFromConfigFile(configFile, { env: o.env, log: () => undefined });
    closers.push(() => gateway.close());
    o.log(`gateway            ${gateway.url}  (config ${configFile})`);
    o.log(`web console        ${gateway.url}/ui/  (sign in as bob / bob-demo to approve)`);
    return { gatewayUrl: gateway.url, issuer: idp.issuer, connection: String(connection.name), simulated, upstreamUrl, close };
  } catch (e) {
    await close();
    throw e;
  }
}
