// /version, /healthz, /livez and /readyz with the bodies of fixture 80. /version is
// kube-apiserver 1.32's, except gitCommit, which says this is the hoopctl simulation.
import type { ServerResponse } from 'node:http';
import { apiHeaders, writePageNotFound, writeText } from './http-io.js';

/** The `/version` document of the simulation. */
export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.6',
  gitCommit: 'hoopctl-simulated-kube-apiserver',
  gitTreeState: 'clean',
  buildDate: '2025-06-17T18:34:12Z',
  goVersion: 'go1.23.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const CHECKS = [
  'ping',
  'log',
  'etcd',
  'informer-sync',
  'poststarthook/start-apiserver-admission-initializer',
  'poststarthook/generic-apiserver-start-informers',
  'poststarthook/priority-and-fairness-config-consumer',
  'poststarthook/priority-and-fairness-filter',
  'poststarthook/storage-object-count-tracker-hook',
  'poststarthook/start-apiextensions-informers',
  'poststarthook/start-apiextensions-controllers',
  'poststarthook/crd-informer-synced',
  'poststarthook/start-system-namespaces-controller',
  'poststarthook/bootstrap-controller',
  'poststarthook/rbac/bootstrap-roles',
  'shutdown',
];

/** Writes /version: pretty-printed and without a trailing newline, like the real handler. */
export function writeVersion(res: ServerResponse): void {
  const data = Buffer.from(JSON.stringify(VERSION_INFO, null, 2), 'utf8');
  res.writeHead(200, apiHeaders({ 'Content-Type': 'application/json', 'Content-Length': String(data.length) }));
  res.end(data);
}

/** Answers /healthz, /livez, /readyz and their per-check paths; false when the path is not one of them. */
export function handleHealth(res: ServerResponse, pathname: string, url: URL): boolean {
  const m = /^\/(healthz|livez|readyz)(?:\/(.+))?$/.exec(pathname);
  if (!m) return false;
  const [, endpoint, check] = m;
  if (check !== undefined) {
    if (CHECKS.includes(check)) writeText(res, 200, 'ok');
    else writePageNotFound(res);
    return true;
  }
  if (url.searchParams.has('verbose') && endpoint !== 'healthz') {
    const checks = endpoint === 'livez' ? CHECKS.filter((c) => c !== 'informer-sync' && c !== 'shutdown') : CHECKS;
    writeText(res, 200, `${checks.map((c) => `[+]${c} ok`).join('\n')}\n${endpoint} check passed\n`);
  } else {
    writeText(res, 200, 'ok');
  }
  return true;
}
