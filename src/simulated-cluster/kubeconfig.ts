// A kubeconfig pointing straight at a simulated API server, for tests that run real kubectl.
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';

/** What a kubeconfig needs from a server. */
export interface KubeconfigTarget {
  url: string;
  token: string;
  caPem?: string;
}

/** Kubeconfig YAML with one cluster (certificate-authority-data when TLS), one token user, one current context. */
export function kubeconfigFor(server: KubeconfigTarget, options: { name?: string; namespace?: string } = {}): string {
  const name = options.name ?? 'hoopctl-sim';
  const cluster: Record<string, string> = { server: server.url };
  if (server.caPem) cluster['certificate-authority-data'] = Buffer.from(server.caPem, 'utf8').toString('base64');
  const context: Record<string, string> = { cluster: name, user: name };
  if (options.namespace) context['namespace'] = options.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: { token: server.token } }],
    contexts: [{ name, context }],
    'current-context': name,
    preferences: {},
  });
}

/** Writes `kubeconfigFor(server)` to `file` with mode 0600 (it holds a token). */
export async function writeKubeconfig(server: KubeconfigTarget, file: string, options: { name?: string; namespace?: string } = {}): Promise<void> {
  await writeFile(file, kubeconfigFor(server, options), { mode: 0o600 });
}
