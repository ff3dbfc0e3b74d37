// Access to the recorded kube-apiserver 1.32 exchanges (../shared/fixtures/kube-apiserver-1.32,
// or $KUBE_FIXTURES_DIR) for the conformance tests. The server itself never reads them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A recorded body: text (utf8) or base64 (binary, with a hex head). */
export interface RecordedBody {
  length: number;
  encoding?: string;
  text?: string;
  base64?: string;
}

/** One recorded HTTP exchange. */
export interface Exchange {
  seq: number;
  request: { method: string; url: string; headers: [string, string][]; body: RecordedBody };
  response: {
    status: number;
    headers: [string, string][];
    body?: RecordedBody;
    chunks?: { tMs: number; text?: string }[];
  };
}

/** One scenario file. */
export interface Scenario {
  scenario: string;
  commands: { kubectlVersion: string; argv: string[]; exitCode: number; stdout: string; stderr: string }[];
  exchanges: Exchange[];
}

function locate(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  // The repository sits next to `shared/` (a worktree one level further down).
  const candidates = [
    process.env['KUBE_FIXTURES_DIR'],
    // Vendored copy (the recordings are data, not code), so a clean clone tests without ../shared.
    resolve(here, '../fixtures/kube-apiserver-1.32'),
    resolve(here, '../../../shared/fixtures/kube-apiserver-1.32'),
    resolve(here, '../../../../shared/fixtures/kube-apiserver-1.32'),
  ];
  return candidates.find((c): c is string => !!c && existsSync(join(c, 'README.md')));
}

/** The fixtures directory, or undefined when it is not on this machine (the tests then skip). */
export const FIXTURES_DIR = locate();

function dir(): string {
  if (!FIXTURES_DIR) throw new Error('kube-apiserver fixtures not found; set KUBE_FIXTURES_DIR');
  return FIXTURES_DIR;
}

/** Loads `scenarios/<prefix>*.json` (e.g. `58`). */
export function loadScenario(prefix: string): Scenario {
  const file = readdirSync(join(dir(), 'scenarios'))
    .sort()
    .find((f) => f.startsWith(`${prefix}-`));
  if (!file) throw new Error(`no fixture scenario ${prefix}`);
  return JSON.parse(readFileSync(join(dir(), 'scenarios', file), 'utf8')) as Scenario;
}

/** `body` of a `bodies/<path>` JSON file (the recorded document without `_recorded`). */
export function loadBody<T = any>(path: string): T {
  const doc = JSON.parse(readFileSync(join(dir(), 'bodies', path), 'utf8')) as { body?: T };
  return (doc.body ?? doc) as T;
}

/** The `_recorded` header of a `bodies/<path>` JSON file. */
export function loadRecorded(path: string): { request: string; accept: string | null; status: number; contentType: string } {
  return (JSON.parse(readFileSync(join(dir(), 'bodies', path), 'utf8')) as { _recorded: any })._recorded;
}

/** A header of a recorded request or response (first match, any case). */
export function header(list: [string, string][], name: string): string | undefined {
  return list.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

/** The raw bytes of a recorded request body. */
export function requestBody(e: Exchange): Buffer {
  const b = e.request.body;
  if (b.base64 !== undefined) return Buffer.from(b.base64, 'base64');
  return b.text ? Buffer.from(b.text, 'utf8') : Buffer.alloc(0);
}

/** Request headers to replay against another server: Host, Authorization and Content-Length left out. */
export function replayHeaders(e: Exchange): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of e.request.headers) {
    if (['host', 'authorization', 'content-length', 'accept-encoding'].includes(k.toLowerCase())) continue;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
