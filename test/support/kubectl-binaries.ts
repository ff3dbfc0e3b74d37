/** The real kubectl binaries on this machine: /usr/bin/kubectl (1.32) and the Google Cloud SDK's kubectl.1.27 … 1.33. */
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

// Suites loop over the binaries found, so without kubectl they would pass having run nothing. CI sets
// HOOPCTL_REQUIRE_KUBECTL=1 (at least the default kubectl must exist) or =all (every version asked for must).
const REQUIRED = process.env.HOOPCTL_REQUIRE_KUBECTL;
const INSTALL_HINT = 'install kubectl as /usr/bin/kubectl (and kubectl.1.27 … kubectl.1.33 from the Google Cloud SDK), or unset HOOPCTL_REQUIRE_KUBECTL';

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
  if ((REQUIRED === '1' || REQUIRED === 'all') && out.length === 0)
    throw new Error(`HOOPCTL_REQUIRE_KUBECTL=${REQUIRED} but no kubectl binary was found: ${INSTALL_HINT}`);
  const missing = versions.filter((v) => !out.some((b) => b.label === v));
  if (REQUIRED === 'all' && missing.length > 0) throw new Error(`HOOPCTL_REQUIRE_KUBECTL=all but kubectl ${missing.join(', ')} not found: ${INSTALL_HINT}`);
  return out;
}

/** The `skip` option for a test that needs the kubectl at `path`: a reason when it is missing; throws instead when CI requires kubectl. */
export function kubectlSkip(path: string | undefined): string | false {
  if (path !== undefined && existsSync(path)) return false;
  const reason = `${path ?? 'kubectl'} not found`;
  if (REQUIRED === 'all' || (REQUIRED === '1' && (path === undefined || path === '/usr/bin/kubectl' || !existsSync('/usr/bin/kubectl')))) {
    throw new Error(`HOOPCTL_REQUIRE_KUBECTL=${REQUIRED} but ${reason}: ${INSTALL_HINT}`);
  }
  return reason;
}

/** What one kubectl run printed and how it ended. */
export interface KubectlRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs kubectl to its end: `stdin` is written and closed (without it stdin is not connected); killed after `timeoutMs`. */
export function runKubectl(bin: string, args: string[], o: { env: NodeJS.ProcessEnv; stdin?: string; timeoutMs: number }): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: o.env, stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    if (o.stdin !== undefined) child.stdin?.end(o.stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
