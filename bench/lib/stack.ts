/**
 * Starts everything a bench run measures: upstream (own process), embedded IdP (this process; only
 * used to log in), the gateway (built CLI, own process), `kubectl proxy`, a CLI login and a
 * background `hoopctl connect` whose daemon serves the local proxy (own process).
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CreateSessionResponse } from '../../src/api/wire.js';
import { createEmbeddedIdp, type EmbeddedIdp } from '../../src/quickstart/embedded-idp.js';
import { createTempHome, type TempHome } from '../../test/support/cli-runner.js';
import type { BenchOptions } from './args.js';
import { connectInBackground, disconnectAll, type ChainSession } from './chain-session.js';
import { BENCH_USER, MAIN_CONNECTION, buildGatewayConfig, mergeConfig } from './gateway-config.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { createSession, deviceLoginIdToken, loginCli } from './identity.js';
import { startKubectlProxy, type KubectlProxy } from './kubectl-proxy.js';
import { originAndPrefix, poolFor, type Target, type TargetName } from './targets.js';
import { startSimulatedUpstream, useRealUpstream, type Upstream } from './upstream.js';

/** A running bench stack. */
export interface Stack {
  dir: string;
  upstream: Upstream;
  idp: EmbeddedIdp;
  gateway: GatewayProcess;
  /** Alice's ID token (for POST/DELETE /v1/sessions). */
  idToken: string;
  /** HOME where the CLI is logged in. */
  home: TempHome;
  /** Node options of `hoopctl connect` and so of its session daemon (`--cpu-prof …` when profiling). */
  connectNodeArgs: string[];
  kubectlProxy: KubectlProxy;
  chain: ChainSession;
  gatewaySession: CreateSessionResponse;
  targets: Record<TargetName, Target>;
  /** Whether the main gateway masks Secret values (undefined on a real cluster: not probed). */
  masking?: boolean;
  profileDir?: string;
  /** Remembers a session daemon this run started, so close() ends it even if `disconnect` did not. */
  trackDaemon(pid: number): void;
  /** The config of a gateway named `name` on this stack's upstream and IdP (SQLite store `<name>.db` in `dir`). */
  gatewayConfig(name: string): Record<string, unknown>;
  /** The environment gateway processes run with. */
  gatewayEnv: NodeJS.ProcessEnv;
  /** Starts another gateway on the same upstream and store settings with `extra` merged into its config (e.g. masking on). */
  startVariantGateway(name: string, extra: Record<string, unknown>): Promise<{ gateway: GatewayProcess; target: Target }>;
  close(): Promise<void>;
}

/** True when a Secret read through the gateway differs from the same Secret read directly. */
async function probeMasking(upstream: Upstream, targets: Record<TargetName, Target>): Promise<boolean> {
  await upstream.call({ op: 'seedSecrets', namespace: 'bench-probe', count: 1, valueBytes: 16 });
  const read = async (t: Target): Promise<string> => {
    const pool = poolFor(t, 1);
    try {
      const r = await pool.request({
        path: `${originAndPrefix(t).prefix}/api/v1/namespaces/bench-probe/secrets/app-secret-00000`,
        method: 'GET',
        headers: t.headers,
      });
      return JSON.stringify(((await r.body.json()) as { data?: unknown }).data);
    } finally {
      await pool.close();
    }
  };
  return (await read(targets.gateway)) !== (await read(targets.direct));
}

/** Starts the stack; `log` narrates progress on stderr. */
export async function startStack(o: BenchOptions, log: (line: string) => void): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'hoopctl-bench-'));
  const closers: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const profileDir = o.profile ? resolve(o.resultsDir, 'profiles') : undefined;
    if (profileDir !== undefined) {
      await rm(profileDir, { recursive: true, force: true });
      await mkdir(profileDir, { recursive: true });
    }
    const upstream = o.upstreamKubeconfig === undefined ? await startSimulatedUpstream(dir) : await useRealUpstream(o.upstreamKubeconfig, o.context);
    closers.push(() => upstream.close());
    log(`upstream: ${upstream.simulated ? 'Kubernetes API test server (simulated, own process)' : `REAL cluster ${upstream.direct.url}`}`);

    const idp = await createEmbeddedIdp({ users: [BENCH_USER], clientId: 'hoopctl', devicePollIntervalSeconds: 0.2 });
    closers.push(() => idp.close());
    const gwHome = await createTempHome();
    closers.push(() => gwHome.cleanup());
    const baseConfig = (name: string): Record<string, unknown> =>
      buildGatewayConfig({ issuer: idp.issuer, clientId: idp.clientId, sqlite: join(dir, `${name}.db`), upstream });
    const gateway = await startGatewayProcess({
      dir,
      name: 'gateway',
      config: baseConfig('gateway'),
      env: gwHome.env,
      ...(profileDir === undefined ? {} : { cpuProfDir: profileDir }),
    });
    closers.push(() => gateway.close());
    log(`gateway: ${gateway.url} (pid ${gateway.pid})`);

    const home = await loginCli(gateway.url);
    closers.push(() => home.cleanup());
    const idToken = await deviceLoginIdToken(gateway.url);
    const connectNodeArgs = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
    const daemons = new Set<number>();
    const chain = await connectInBackground(home, MAIN_CONNECTION, connectNodeArgs);
    daemons.add(chain.pid);
    closers.push(async () => {
      await disconnectAll(home);
      // Only a daemon of this run's HOME: a pid may have been reused since the daemon exited.
      const ours = async (pid: number): Promise<boolean> =>
        (await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).split('\0').includes(`HOME=${home.dir}`);
      for (const pid of daemons) {
        // A daemon under --cpu-prof writes its profile on the way out: give it time before insisting.
        for (let i = 0; i < 30 && (await ours(pid)); i++) await new Promise((r) => setTimeout(r, 100));
        if (await ours(pid)) process.kill(pid, 'SIGTERM');
      }
    });
    log(`local proxy: ${chain.target.base} (session daemon pid ${chain.pid})`);
    const gatewaySession = await createSession(gateway.url, idToken, MAIN_CONNECTION);

    const kubectlProxy = await startKubectlProxy('/usr/bin/kubectl', upstream.kubeconfig, upstream.context, home.env);
    closers.push(() => kubectlProxy.close());
    log(`kubectl proxy: ${kubectlProxy.target.base} (${kubectlProxy.version})`);

    const targets: Record<TargetName, Target> = {
      direct: { name: 'direct', label: 'direct to the upstream', base: upstream.direct.url, headers: upstream.direct.headers, tls: upstream.direct.tls },
      'kubectl-proxy': kubectlProxy.target,
      gateway: {
        name: 'gateway',
        label: 'gateway alone (session JWT)',
        base: gatewaySession.server,
        headers: { authorization: `Bearer ${gatewaySession.token}` },
      },
      chain: chain.target,
    };
    const masking = upstream.simulated ? await probeMasking(upstream, targets) : undefined;
    log(`masking at the gateway: ${masking === undefined ? 'not probed' : masking ? 'on' : 'off (not in this build?)'}`);
    return {
      dir,
      upstream,
      idp,
      gateway,
      idToken,
      home,
      connectNodeArgs,
      kubectlProxy,
      chain,
      gatewaySession,
      targets,
      ...(masking === undefined ? {} : { masking }),
      ...(profileDir === undefined ? {} : { profileDir }),
      trackDaemon: (pid) => {
        if (pid > 0) daemons.add(pid);
      },
      gatewayConfig: baseConfig,
      gatewayEnv: gwHome.env,
      async startVariantGateway(name, extra) {
        const gw = await startGatewayProcess({ dir, name, config: mergeConfig(baseConfig(name), extra), env: gwHome.env });
        closers.push(() => gw.close());
        const session = await createSession(gw.url, await deviceLoginIdToken(gw.url), MAIN_CONNECTION);
        return {
          gateway: gw,
          target: { name: 'gateway', label: `gateway (${name})`, base: session.server, headers: { authorization: `Bearer ${session.token}` } },
        };
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
