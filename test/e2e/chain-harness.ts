// The end-to-end stack: real IdP (oidc-provider, device flow), the Kubernetes API test server,
// the built gateway as a process, and a logged-in CLI home. Shared by the e2e test files.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createEmbeddedIdp } from '../../src/quickstart/embedded-idp.js';
import { approveDeviceCode } from '../../src/quickstart/device-approver.js';
import { createKubeApiServer, writeKubeconfig, type KubeApiServer } from '../../src/simulated-cluster/index.js';
import { createTempHome, runCli, startCli, type RunningCli, type TempHome } from '../support/cli-runner.js';

/** Test users of the IdP. */
export const USERS = {
  alice: { username: 'alice', password: 'alice-pw', email: 'alice@example.com', groups: ['engineers'] },
  eve: { username: 'eve', password: 'eve-pw', email: 'eve@example.com', groups: ['contractors'] },
  /** May read and write Secrets (the leak corpus). */
  sam: { username: 'sam', password: 'sam-pw', email: 'sam@example.com', groups: ['sre'] },
  /** An approver (approvals e2e). */
  bob: { username: 'bob', password: 'bob-pw', email: 'bob@example.com', groups: ['approvers'] },
};

/** The e2e policy: engineers view + edit on every connection, a guardrail against namespace deletion. */
export const POLICY = {
  roles: [
    {
      name: 'view',
      rules: [
        {
          verbs: ['get', 'list', 'watch'],
          apiGroups: ['', 'apps'],
          resources: ['pods', 'pods/log', 'configmaps', 'deployments', 'namespaces', 'services', 'events'],
        },
      ],
    },
    {
      name: 'edit',
      rules: [
        { verbs: ['create', 'update', 'patch', 'delete'], apiGroups: ['', 'apps'], resources: ['configmaps', 'deployments'] },
        // Exec-class subresources match as `create` whatever the HTTP method (WebSocket exec is a GET).
        { verbs: ['create'], apiGroups: [''], resources: ['pods/exec', 'pods/attach', 'pods/portforward'] },
      ],
    },
    {
      name: 'secret-admin',
      rules: [{ verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], apiGroups: ['', 'apps'], resources: ['*'] }],
    },
  ],
  bindings: [
    { groups: ['engineers'], connections: ['*'], roles: ['view', 'edit'] },
    { groups: ['sre'], connections: ['*'], roles: ['secret-admin'] },
  ],
  guardrails: [
    {
      name: 'no-namespace-deletion',
      connections: ['*'],
      match: { verbs: ['delete', 'deletecollection'], resources: ['namespaces'] },
      effect: 'deny',
      message: 'namespaces are never deleted through hoopctl',
    },
  ],
};

/** A running stack. */
export interface Chain {
  kube: KubeApiServer;
  gatewayUrl: string;
  gateway: RunningCli;
  dir: string;
  /** grant_type of every token request the IdP answered (e.g. count the refreshes). */
  idpTokenRequests: string[];
  /** Logs a user in through the real device flow in a fresh temporary HOME. */
  loginAs(user: keyof typeof USERS): Promise<TempHome>;
  close(): Promise<void>;
}

/** Options of startChain: another policy, or IdP token lifetimes (seconds). */
export interface ChainOptions {
  policy?: unknown;
  idTokenTtlSeconds?: number;
  /** More top-level gateway config keys (e.g. `admins`, `recordings`). */
  extraConfig?: Record<string, unknown>;
}

/** Starts IdP, upstream and the gateway process. */
export async function startChain(options: ChainOptions = {}): Promise<Chain> {
  const dir = await mkdtemp(join(tmpdir(), 'hoopctl-chain-'));
  // No demo log ticker: tests append log lines themselves, so `--tail` windows are exact.
  const kube = await createKubeApiServer({ tls: true, seed: 'demo', logFollowIntervalMs: 0 });
  const idpTokenRequests: string[] = [];
  const idp = await createEmbeddedIdp({
    users: Object.values(USERS),
    clientId: 'hoopctl',
    devicePollIntervalSeconds: 0.2,
    onTokenRequest: (g) => idpTokenRequests.push(g),
    ...(options.idTokenTtlSeconds === undefined ? {} : { idTokenTtlSeconds: options.idTokenTtlSeconds }),
  });
  const upstreamKubeconfig = join(dir, 'upstream.kubeconfig');
  await writeKubeconfig(kube, upstreamKubeconfig);
  const config = {
    listen: '127.0.0.1:0',
    store: { sqlite: join(dir, 'gateway.db') },
    oidc: { issuers: [{ issuer: idp.issuer, clientId: idp.clientId, usernameClaim: 'email', groupsClaim: 'groups', cli: true }] },
    impersonation: { userPrefix: 'oidc:', groupPrefix: 'oidc:' },
    sessions: { defaultTtl: '10m', maxTtl: '1h' },
    connections: [
      { name: 'demo', credential: { kubeconfig: upstreamKubeconfig }, impersonate: true },
      { name: 'short', credential: { kubeconfig: upstreamKubeconfig }, impersonate: true, defaultTtl: '6s', maxTtl: '6s' },
    ],
    policy: options.policy ?? POLICY,
    ...options.extraConfig,
  };
  const configFile = join(dir, 'gateway.yaml');
  await writeFile(configFile, stringify(config), { mode: 0o600 });
  const gwHome = await createTempHome();
  const gateway = startCli(['gateway', 'serve', '--config', configFile], gwHome.env);
  const m = await gateway.waitFor(/gateway listening on (http\S+)/, 30_000);
  const gatewayUrl = m[1]!;
  const homes: TempHome[] = [gwHome];

  return {
    kube,
    gatewayUrl,
    gateway,
    dir,
    idpTokenRequests,
    async loginAs(name) {
      const user = USERS[name];
      const home = await createTempHome();
      homes.push(home);
      const login = startCli(['login', '--gateway', gatewayUrl], home.env);
      const url = await login.waitFor(/visit the following URL in your browser: (\S+)/);
      const code = await login.waitFor(/enter the code: (\S+)/);
      await approveDeviceCode({ verificationUri: url[1]!, userCode: code[1]!, username: user.username, password: user.password });
      const r = await login.done;
      if (r.code !== 0) throw new Error(`login failed (${r.code}): ${r.stderr}`);
      return home;
    },
    async close() {
      gateway.child.kill('SIGTERM');
      await gateway.done;
      await idp.close();
      await kube.close();
      for (const h of homes) await h.cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `hoopctl exec <connection> -- <argv…>` as a process. */
export function hoopExec(home: TempHome, connection: string, argv: string[], extra: string[] = []) {
  return runCli(['exec', connection, ...extra, '--', ...argv], home.env);
}

/**
 * Bindings and guardrails of the approval tests: engineers view, and get edit only with an approver's yes (30m at
 * most); approvers view; deleting a ConfigMap needs a single-command review by an approver.
 */
export const APPROVAL_FLOW = {
  bindings: [
    { groups: ['engineers'], connections: ['*'], roles: ['view'] },
    { groups: ['engineers'], connections: ['*'], roles: ['edit'], approval: true, approvers: ['approvers'], maxTtl: '30m' },
    { groups: ['approvers'], connections: ['*'], roles: ['view'] },
  ],
  guardrails: [
    {
      name: 'configmap-deletes-reviewed',
      connections: ['*'],
      match: { verbs: ['delete'], resources: ['configmaps'] },
      effect: 'approval',
      approvers: ['approvers'],
      message: 'someone else looks first',
    },
  ],
};
