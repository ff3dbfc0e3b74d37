// Plausible container log lines for the demo seed, chosen by the pod's `app` label, so
// `kubectl logs` in the quickstart looks like a small real cluster (it is a simulation).
import type { LogBook } from './log-book.js';
import type { ObjectStore } from './object-store.js';
import { findResource } from './registry.js';

const PATHS = ['/', '/healthz', '/api/orders', '/api/orders/42', '/static/app.js', '/login'];
const AGENTS = ['kube-probe/1.32', 'Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0'];

function pick<T>(list: readonly T[], i: number): T {
  return list[i % list.length]!;
}

function clf(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The i-th log line of a demo container of app `app`, written at `time`. */
export function demoLogLine(app: string, i: number, time: Date): string {
  switch (app) {
    case 'web':
      return `10.244.0.${(i % 200) + 1} - - [${clf(time)}] "GET ${pick(PATHS, i)} HTTP/1.1" ${i % 17 === 0 ? 404 : 200} ${512 + ((i * 37) % 4096)} "-" "${pick(AGENTS, i)}"`;
    case 'api':
      return JSON.stringify({
        level: i % 23 === 0 ? 'warn' : 'info',
        ts: time.toISOString(),
        msg: 'handled request',
        method: i % 5 === 0 ? 'POST' : 'GET',
        path: pick(['/v1/orders', '/v1/customers', '/v1/health'], i),
        status: i % 23 === 0 ? 503 : 200,
        duration_ms: 3 + ((i * 13) % 120),
        simulated: true,
      });
    case 'kube-dns':
      return `[INFO] 10.244.0.${(i % 200) + 1}:${40000 + (i % 20000)} - ${1000 + i} "A IN ${pick(['web.demo', 'api.prod', 'kubernetes.default'], i)}.svc.cluster.local. udp 44 false 512" NOERROR qr,aa,rd 98 0.000${100 + (i % 800)}s`;
    default:
      return `${time.toISOString()} [hoopctl demo] tick ${i}: all good (simulated workload)`;
  }
}

/** Appends a line to every followed container every `intervalMs`; returns the stop function. */
export function startDemoLogTicker(store: ObjectStore, logs: LogBook, intervalMs: number, now: () => Date): () => void {
  const pods = findResource('', 'v1', 'pods')!;
  let n = 1000;
  // Only followed containers get lines, so an idle demo cluster does not grow its logs forever.
  const timer = setInterval(() => {
    for (const ref of logs.followed()) {
      const app = store.get(pods, ref.namespace, ref.pod)?.metadata.labels?.['app'] ?? '';
      logs.append(ref, demoLogLine(app === 'coredns' ? 'kube-dns' : app, n++, now()));
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
