/**
 * The upstream the bench measures against: the Kubernetes API test server in its own process
 * (default), or a real cluster from `--upstream-kubeconfig FILE [--context C]`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { kubeconfigFor } from '../../src/simulated-cluster/index.js';
import { parseKubeconfig, resolveKubeconfigContext } from '../../src/kube/kubeconfig.js';
import type { UpstreamInfo, UpstreamOp } from './upstream-protocol.js';

/** TLS and credential for talking to the upstream directly (the "direct" baseline). */
export interface DirectAccess {
  url: string;
  headers: Record<string, string>;
  tls: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean; servername?: string };
}

/** A running upstream. */
export interface Upstream {
  simulated: boolean;
  direct: DirectAccess;
  /** Kubeconfig file (and context) the gateway holds and `kubectl proxy` uses. */
  kubeconfig: string;
  context?: string;
  /** Pid of the simulated server's process. */
  pid?: number;
  /** Drives the simulated server; throws on a real cluster. */
  call<T = unknown>(op: UpstreamOp): Promise<T>;
  close(): Promise<void>;
}

/** Forks bench/lib/upstream-worker.ts under tsx and starts the test server in it. */
export async function startSimulatedUpstream(dir: string): Promise<Upstream> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'upstream-worker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  child.on('message', (raw) => {
    const m = raw as { id: number; result?: unknown; error?: string };
    const p = pending.get(m.id);
    if (p === undefined) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(`upstream worker: ${m.error}`));
    else p.resolve(m.result);
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`upstream worker exited (${code})`));
    pending.clear();
  });
  const call = <T>(msg: UpstreamOp): Promise<T> =>
    new Promise<T>((res, rej) => {
      const id = next++;
      pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
      child.send({ id, msg });
    });
  const info = await call<UpstreamInfo>({ op: 'start' });
  const kubeconfig = join(dir, 'upstream.kubeconfig');
  await writeFile(kubeconfig, kubeconfigFor(info), { mode: 0o600 });
  return {
    simulated: true,
    direct: {
      url: info.url,
      headers: { authorization: `Bearer ${info.token}` },
      tls: { ...(info.caPem === undefined ? {} : { ca: info.caPem }), rejectUnauthorized: true },
    },
    kubeconfig,
    ...(child.pid === undefined ? {} : { pid: child.pid }),
    call,
    close: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) {
          res();
          return;
        }
        child.once('exit', () => res());
        child.disconnect();
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** A real cluster: reads server, CA and credential of the context (token, token file or client certificate). */
export async function useRealUpstream(file: string, context: string | undefined): Promise<Upstream> {
  const abs = resolve(file);
  const ctx = resolveKubeconfigContext(parseKubeconfig(await readFile(abs, 'utf8'), abs), context);
  const near = (p: string): Promise<string> => readFile(resolve(dirname(abs), p), 'utf8');
  const ca = ctx.caPem ?? (ctx.caFile === undefined ? undefined : await near(ctx.caFile));
  const token = ctx.token ?? (ctx.tokenFile === undefined ? undefined : (await near(ctx.tokenFile)).trim());
  const cert = ctx.clientCertPem ?? (ctx.clientCertFile === undefined ? undefined : await near(ctx.clientCertFile));
  const key = ctx.clientKeyPem ?? (ctx.clientKeyFile === undefined ? undefined : await near(ctx.clientKeyFile));
  return {
    simulated: false,
    direct: {
      url: ctx.server.replace(/\/+$/, ''),
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      tls: {
        ...(ca === undefined ? {} : { ca }),
        ...(cert === undefined ? {} : { cert }),
        ...(key === undefined ? {} : { key }),
        rejectUnauthorized: !ctx.insecureSkipTlsVerify,
        ...(ctx.tlsServerName === undefined ? {} : { servername: ctx.tlsServerName }),
      },
    },
    kubeconfig: abs,
    ...(context === undefined ? {} : { context }),
    call: () => Promise.reject(new Error('a real cluster cannot be driven by the bench')),
    close: async () => undefined,
  };
}
