/** Command-line options of `npm run bench -- …`. */
import { parseArgs } from 'node:util';

/** Sections that can be run, in run order. */
export const SECTIONS = ['small', 'large-list', 'watch', 'exec', 'startup', 'teardown', 'sessions', 'masking', 'syscalls', 'replicas'] as const;
/** One section name. */
export type Section = (typeof SECTIONS)[number];
/** What runs without --only: everything but the strace pass (needs strace, slows what it watches) and replicas (needs PostgreSQL). */
export const DEFAULT_SECTIONS: Section[] = ['small', 'large-list', 'watch', 'exec', 'startup', 'teardown', 'sessions', 'masking'];
/** Sections measured inside the bench process: with only these, no stack is started. */
export const IN_PROCESS_SECTIONS: readonly Section[] = ['masking'];

/** Parsed options. */
export interface BenchOptions {
  /** Real cluster instead of the simulated upstream. */
  upstreamKubeconfig?: string;
  context?: string;
  /** Namespace whose pods the real-cluster run lists (the simulated run seeds its own). */
  namespace: string;
  /** YAML fragment that turns masking off for the "masking off" gateway (default: policy.masking.enabled false). */
  unmaskedConfig?: string;
  only: Section[];
  concurrency: number;
  durationMs: number;
  /** Start the gateway and local proxy under `node --cpu-prof` and summarise the profiles. */
  profile: boolean;
  /** Where latest.json (and profiles) go. */
  resultsDir: string;
  quick: boolean;
}

const USAGE = `usage: npm run bench -- [--only small,large-list,watch,exec,startup,teardown,sessions,masking,syscalls,replicas] [--concurrency 16]
       [--duration 4s] [--quick] [--profile] [--unmasked-config FILE]
       [--upstream-kubeconfig FILE [--context C] [--namespace NS]]`;

function seconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (!m) throw new Error(`--duration ${text}: expected e.g. 4s or 1500ms\n${USAGE}`);
  return m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000;
}

/** Parses argv (without node and script). */
export function parseBenchArgs(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'upstream-kubeconfig': { type: 'string' },
      context: { type: 'string' },
      namespace: { type: 'string' },
      'unmasked-config': { type: 'string' },
      only: { type: 'string' },
      concurrency: { type: 'string' },
      duration: { type: 'string' },
      profile: { type: 'boolean' },
      quick: { type: 'boolean' },
      'results-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const only = (values.only ?? DEFAULT_SECTIONS.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const s of only) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section "${s}"\n${USAGE}`);
  if (values.context !== undefined && values['upstream-kubeconfig'] === undefined) throw new Error(`--context needs --upstream-kubeconfig\n${USAGE}`);
  const quick = values.quick === true;
  return {
    ...(values['upstream-kubeconfig'] === undefined ? {} : { upstreamKubeconfig: values['upstream-kubeconfig'] }),
    ...(values.context === undefined ? {} : { context: values.context }),
    namespace: values.namespace ?? 'kube-system',
    ...(values['unmasked-config'] === undefined ? {} : { unmaskedConfig: values['unmasked-config'] }),
    // Run order is fixed (small first: its figures want the quietest processes), whatever order --only gave.
    only: SECTIONS.filter((x) => only.includes(x)),
    concurrency: Number(values.concurrency ?? 16),
    durationMs: values.duration === undefined ? (quick ? 1500 : 4000) : seconds(values.duration),
    profile: values.profile === true,
    resultsDir: values['results-dir'] ?? 'bench/results',
    quick,
  };
}
