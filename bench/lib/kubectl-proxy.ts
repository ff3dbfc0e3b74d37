/** `kubectl proxy` (the real binary) in front of the upstream: the peer the chain is compared with. */
import { startCli } from '../../test/support/cli-runner.js';
import type { Target } from './targets.js';

/** A running kubectl proxy. */
export interface KubectlProxy {
  target: Target;
  pid: number;
  version: string;
  close(): Promise<void>;
}

/** Starts `kubectl proxy --port=0` with the upstream kubeconfig and parses the port it prints. */
export async function startKubectlProxy(kubectl: string, kubeconfig: string, context: string | undefined, env: NodeJS.ProcessEnv): Promise<KubectlProxy> {
  const args = ['proxy', '--port=0', '--address=127.0.0.1', `--kubeconfig=${kubeconfig}`, ...(context === undefined ? [] : [`--context=${context}`])];
  const run = startCli(args, env, { command: kubectl });
  const m = await run.waitFor(/Starting to serve on (\S+)/, 20_000);
  const version = await new Promise<string>((resolve) => {
    const v = startCli(['version', '--client'], env, { command: kubectl });
    void v.done.then((r) => resolve(/Client Version: (\S+)/.exec(r.stdout)?.[1] ?? 'unknown'));
  });
  return {
    target: { name: 'kubectl-proxy', label: `kubectl proxy ${version}`, base: `http://${m[1]}`, headers: {} },
    pid: run.child.pid!,
    version,
    async close() {
      if (run.child.exitCode !== null) return;
      run.child.kill('SIGTERM');
      await run.done;
    },
  };
}
