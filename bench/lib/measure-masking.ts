/**
 * Section "masking": throughput of the maskers in this process (no stack needed), in MiB/s of input,
 * on ordinary inputs and on adversarial ones side by side: each next to the same input masked by the
 * code before masking was made linear-time (original-masking.ts), measured in the same run.
 */
import { maskRequestUriBounded } from '../../src/mask/bounded-uri.js';
import { createBufferedJsonMasker } from '../../src/mask/json-document.js';
import { createLineMasker, maskRequestUri } from '../../src/mask/line-masker.js';
import { createMaskContext } from '../../src/mask/mask-object.js';
import { DEFAULT_MASK_RULES, type MaskRules } from '../../src/mask/mask-rules.js';
import { ORIGINAL_MASK_RULES } from './original-masking.js';
import { row, type Row } from './report.js';
import type { BenchOptions } from './args.js';

const MiB = 1 << 20;
const LIMITS = { maxValueChars: 64 << 20 };
const CHUNK = 64 << 10;

interface Workload {
  figure: string;
  id: string;
  bytes: number;
  run(rules: MaskRules, original: boolean): void;
}

// As the gateway masks an answer (mask-response.ts): buffered up to 1 MiB, streamed past it, fed in 64 KiB reads.
function maskAnswer(text: string, rules: MaskRules): void {
  const m = createBufferedJsonMasker(createMaskContext(rules, { kindHint: 'Secret' }), LIMITS, MiB);
  for (let i = 0; i < text.length; i += CHUNK) m.push(text.slice(i, i + CHUNK));
  m.end();
}

function secretList(n: number): string {
  const items = Array.from({ length: n }, (_, i) => ({
    metadata: {
      name: `app-secret-${i}`,
      namespace: 'demo',
      uid: `6f1c${String(i).padStart(8, '0')}-30d8-402a-a455-089339e8b646`,
      resourceVersion: String(1000 + i),
      creationTimestamp: '2026-11-26T21:13:00Z',
      labels: { app: `app-${i % 50}`, tier: 'backend' },
      annotations: { owner: 'team-payments' },
    },
    type: 'Opaque',
    data: {
      username: 'YWRtaW4=',
      password: Buffer.from(`pw-${i}-S3NT1NEL`).toString('base64'),
      'config.yaml': Buffer.from('log_level: info\nport: 8080\n').toString('base64'),
    },
  }));
  return JSON.stringify({ kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: '99' }, items });
}

function configMapList(n: number): string {
  const conf = [
    'server {',
    '  listen 8080;',
    '  server_name api.example.com;',
    '  location / { proxy_pass http://backend:8080; }',
    '}',
    'log_level=info',
    'database_url=postgres://app@db:5432/app',
    'feature_flags=a,b,c',
    'timeout: 30s',
  ].join('\n');
  const items = Array.from({ length: n }, (_, i) => ({
    metadata: { name: `cm-${i}`, namespace: 'demo' },
    data: { 'nginx.conf': conf, 'app.properties': `instance=${i}\n${conf}` },
  }));
  return JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items });
}

const configMap = (value: string): string =>
  JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'planted', namespace: 'demo' }, data: { conf: value } });

function workloads(): { ordinary: Workload[]; adversarial: Workload[] } {
  const secrets = secretList(10_000);
  const configMaps = configMapList(1000);
  const log =
    Array.from(
      { length: 20_000 },
      (_, i) => `2026-11-26T21:13:${String(i % 60).padStart(2, '0')}Z INFO request ${i} GET /api/orders/${i} 200 12ms user=u${i % 97}`,
    ).join('\n') + '\n';
  const uris = Array.from({ length: 10_000 }, (_, i) => `/api/v1/namespaces/demo/pods?labelSelector=app%3Dweb-${i}&limit=500&resourceVersion=0`);
  const uriBytes = uris.reduce((s, u) => s + u.length, 0);
  const answer = (figure: string, id: string, text: string): Workload => ({ figure, id, bytes: text.length, run: (rules) => maskAnswer(text, rules) });
  const plusUri = `/api/v1/pods?labelSelector=password%3D${'+'.repeat(15_000)}x`;
  return {
    ordinary: [
      answer(`10,000-Secret list (${(secrets.length / MiB).toFixed(1)} MiB)`, 'secret-list', secrets),
      answer(`1,000 ConfigMaps of config files (${(configMaps.length / MiB).toFixed(1)} MiB)`, 'configmap-list', configMaps),
      {
        figure: `pod log, 20,000 lines (${(log.length / MiB).toFixed(1)} MiB)`,
        id: 'log',
        bytes: log.length,
        run: (rules) => {
          const m = createLineMasker(createMaskContext(rules), LIMITS);
          for (let i = 0; i < log.length; i += CHUNK) m.push(log.slice(i, i + CHUNK));
          m.end();
        },
      },
      {
        figure: '10,000 request URIs for the audit (kubectl-like)',
        id: 'uris',
        bytes: uriBytes,
        run: (rules, original) => {
          for (const u of uris) {
            if (original) maskRequestUri(u, createMaskContext(rules));
            else maskRequestUriBounded(u, createMaskContext(rules));
          }
        },
      },
    ],
    adversarial: [
      answer('ConfigMap value: "password" + 60 KB of spaces', 'password-spaces', configMap(`password${' '.repeat(60_000)}`)),
      answer('ConfigMap value: "password=" + 60 KB of spaces', 'password-eq-spaces', configMap(`password=${' '.repeat(60_000)}`)),
      answer('ConfigMap value: "Bearer" + 60 KB of spaces', 'bearer-spaces', configMap(`Bearer${' '.repeat(60_000)}`)),
      answer('ConfigMap value: "authorization: basic" + 60 KB of tabs', 'basic-tabs', configMap(`authorization: basic${'\t'.repeat(60_000)}`)),
      answer('ConfigMap value: 60 KB of "token=" repeated', 'token-repeated', configMap('token='.repeat(10_000))),
      // 20 a run: one alone is too short to time well.
      {
        figure: '20 request URIs for the audit (401s): "password%3D" + 15 KB of "+"',
        id: 'plus-uri',
        bytes: 20 * plusUri.length,
        run: (rules, original) => {
          for (let i = 0; i < 20; i++) {
            if (original) maskRequestUri(plusUri, createMaskContext(rules));
            else maskRequestUriBounded(plusUri, createMaskContext(rules));
          }
        },
      },
    ],
  };
}

// Median MiB/s of the new and the original code, run alternately (a busy machine's drift hits
// both) after two warm-up runs each, over at least five rounds and `budgetMs`. An original run
// slower than a second is measured once (the original code on adversarial input).
function mibPerSecond(w: Workload, budgetMs: number): { after: number; before: number } {
  const time = (rules: MaskRules, original: boolean): number => {
    const t0 = performance.now();
    w.run(rules, original);
    return performance.now() - t0;
  };
  const after: number[] = [];
  const before: number[] = [];
  const first = time(ORIGINAL_MASK_RULES, true);
  const slow = first > 1000;
  if (slow) before.push(first);
  else time(ORIGINAL_MASK_RULES, true);
  time(DEFAULT_MASK_RULES, false);
  time(DEFAULT_MASK_RULES, false);
  let total = 0;
  while ((total < budgetMs || after.length < 5) && after.length < 500) {
    const a = time(DEFAULT_MASK_RULES, false);
    after.push(a);
    total += a;
    if (!slow) {
      const b = time(ORIGINAL_MASK_RULES, true);
      before.push(b);
      total += b;
    }
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return { after: w.bytes / MiB / (median(after) / 1000), before: w.bytes / MiB / (median(before) / 1000) };
}

/** Masking throughput, new code against the original patterns. */
export async function measureMasking(o: BenchOptions, log: (l: string) => void): Promise<Row[]> {
  const budget = o.quick ? 300 : 1000;
  const { ordinary, adversarial } = workloads();
  const rows: Row[] = [];
  for (const [kind, list] of [
    ['ordinary', ordinary],
    ['adversarial', adversarial],
  ] as const) {
    for (const w of list) {
      log(`  ${kind}: ${w.figure}`);
      const { after, before } = mibPerSecond(w, budget);
      rows.push(
        row({
          id: `masking.${kind}.${w.id}`,
          section: 'masking',
          figure: `${kind}: ${w.figure}`,
          value: after,
          unit: 'MiB/s',
          baseline: { label: 'original patterns', value: before },
        }),
      );
    }
  }
  return rows;
}
