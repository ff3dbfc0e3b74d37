/**
 * What an ended session leaves behind: its kubeconfig path, now holding a credential-free "tombstone"
 * kubeconfig whose user is an exec credential plugin (client.authentication.k8s.io/v1) that prints why the
 * session ended and the command that opens a new one, then fails. A shell that still exports the old
 * KUBECONFIG (`connect --print-env`) so reads "hoopctl session for prod ended (revoked by bob); run: hoopctl
 * connect prod" instead of kubectl's "connection to the server localhost:8080 was refused".
 * The directory then holds only that kubeconfig and `ended.json` (no token, no key, no transcript), both
 * 0600 in the 0700 session dir. Sweeps remove it TOMBSTONE_GRACE_MS after the end.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { removePath, writePrivateFile } from '../platform/secure-file.js';

/** How long a tombstone stays: a working day, so a shell left open over lunch or a meeting still says what happened. */
export const TOMBSTONE_GRACE_MS = 24 * 60 * 60 * 1000;

/** Contents of `ended.json`. */
export interface EndedRecord {
  sessionId: string;
  connection: string;
  /** Why, in words (`expired`, `revoked by bob@example.com`, `disconnected` …). */
  why: string;
  /** The line the plugin prints. */
  message: string;
  endedAt: string;
}

/** What a tombstone kubeconfig needs: names and server of the old one, the message, and a node binary to print it. */
export interface TombstoneInput {
  /** Cluster and context name of the session kubeconfig (e.g. `hoopctl-prod`). */
  name: string;
  /** The old proxy URL: kubectl's discovery cache is keyed by it, so a warm cache spares the repeated discovery errors. */
  server: string;
  user: string;
  namespace?: string;
  message: string;
  /** Absolute path of the node binary that runs the plugin (the CLI's own `process.execPath`). */
  nodePath: string;
}

const ENDED_FILE = 'ended.json';
const KUBECONFIG_FILE = 'kubeconfig';
// The plugin is a one-line script, not a hoopctl command: it costs no CLI start-up per kubectl request and
// still works after hoopctl moved (an `npx` cache cleared, an upgrade). The message is its only argument.
const PLUGIN_SCRIPT = 'process.stderr.write(process.argv[1] + "\\n"); process.exitCode = 1;';

/** The credential-free kubeconfig YAML whose exec plugin prints `message` and fails. */
export function buildTombstoneKubeconfig(input: TombstoneInput): string {
  const context: Record<string, string> = { cluster: input.name, user: input.user };
  if (input.namespace !== undefined && input.namespace !== '') context.namespace = input.namespace;
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: input.name, cluster: { server: input.server } }],
      users: [
        {
          name: input.user,
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: input.nodePath,
              args: ['-e', PLUGIN_SCRIPT, input.message],
              interactiveMode: 'Never',
              provideClusterInfo: false,
            },
          },
        },
      ],
      contexts: [{ name: input.name, context }],
      'current-context': input.name,
      preferences: {},
    },
    { lineWidth: 0 },
  );
}

/** Replaces the session's kubeconfig by the tombstone (atomically) and writes `ended.json`. */
export async function writeTombstone(dir: string, kubeconfigYaml: string, ended: EndedRecord): Promise<void> {
  await writePrivateFile(join(dir, KUBECONFIG_FILE), kubeconfigYaml);
  await writePrivateFile(join(dir, ENDED_FILE), `${JSON.stringify(ended, null, 2)}\n`);
}

/** Removes everything but the tombstone from a session dir (session.json, the transcript, temp files). */
export async function pruneToTombstone(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name !== KUBECONFIG_FILE && name !== ENDED_FILE) await removePath(join(dir, name));
  }
}

/** The `ended.json` of a dir, or undefined when it has none (a live or half-written session). */
export async function readEndedRecord(dir: string): Promise<EndedRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(join(dir, ENDED_FILE), 'utf8')) as Partial<EndedRecord>;
    return typeof r.sessionId === 'string' &&
      typeof r.connection === 'string' &&
      typeof r.endedAt === 'string' &&
      typeof r.why === 'string' &&
      typeof r.message === 'string'
      ? (r as EndedRecord)
      : undefined;
  } catch {
    return undefined;
  }
}
