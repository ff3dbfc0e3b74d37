/** The real kubectl binaries on this machine: /usr/bin/kubectl (1.32) and the Google Cloud SDK's kubectl.1.27 … 1.33. */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** One kubectl binary and its minor version label. */
export interface KubectlBinary {
  label: string;
  path: string;
}

function sdkBinDir(): string | undefined {
  for (const candidate of ['/usr/bin/kubectl', '/usr/lib/google-cloud-sdk/bin/kubectl']) {
    try {
      if (existsSync(candidate)) return dirname(realpathSync(candidate));
    } catch {
      /* try the next */
    }
  }
  return undefined;
}

/** kubectl binaries to test with: the default one plus the given versions that exist here. */
export function kubectlBinaries(versions: string[] = ['1.27', '1.33']): KubectlBinary[] {
  const out: KubectlBinary[] = [];
  if (existsSync('/usr/bin/kubectl')) out.push({ label: 'default (1.32)', path: '/usr/bin/kubectl' });
  const dir = sdkBinDir();
  for (const v of versions) {
    const p = dir === undefined ? undefined : join(dir, `kubectl.${v}`);
    if (p !== undefined && existsSync(p)) out.push({ label: v, path: p });
  }
  return out;
}
