// The renaming property of the adversary suite: a masking decision that rests on a field beside the value (a
// container env value is masked because its `name` matches a pattern; everything in an object is masked because its
// `kind` is Secret) must not be undone by a write that changes that field and keeps the value: a JSON patch
// `replace` / `add` / `remove` of the name or kind, a merge, strategic merge or apply patch that renames the entry —
// with and without `?dryRun=All`. Oracle: no sentinel in the write's answer, nor in a masked read of the object
// right after it.
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import type { AdversaryStack } from './adversary-stack.js';
import { describeRequest, renderRequest, type Credentials, type GenRequest } from './adversary-requests.js';
import { judgeExchange } from './adversary-oracles.js';
import { exchangeRaw } from './raw-http.js';
import type { RawTarget } from './raw-http.js';

/** How the field is changed. */
export type RenameVia = 'json-replace' | 'json-add' | 'json-remove' | 'merge' | 'strategic' | 'strategic-retain' | 'apply-yaml';

/** One generated rename case. */
export interface RenameCase {
  target: 'proxy' | 'gateway';
  /** The env entry's name in a Deployment, or a Secret's / ConfigMap's kind. */
  field: 'env-name' | 'secret-kind' | 'configmap-kind';
  via: RenameVia;
  dryRun: boolean;
  /** The new name or kind. */
  to: 'PLAIN' | 'LOG_LEVEL' | 'ConfigMap' | 'Pod' | '';
}

const CONTENT_TYPE: Record<RenameVia, string> = {
  'json-replace': 'application/json-patch+json',
  'json-add': 'application/json-patch+json',
  'json-remove': 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  'strategic-retain': 'application/strategic-merge-patch+json',
  'apply-yaml': 'application/apply-patch+yaml',
};

/** Rename cases over every field, patch type and dry-run flag. */
export function arbRename(): fc.Arbitrary<RenameCase> {
  return fc.record({
    target: fc.constantFrom<'proxy' | 'gateway'>('proxy', 'gateway'),
    field: fc.constantFrom<RenameCase['field']>('env-name', 'env-name', 'secret-kind', 'configmap-kind'),
    via: fc.constantFrom<RenameVia>('json-replace', 'json-add', 'json-remove', 'merge', 'strategic', 'strategic-retain', 'apply-yaml'),
    dryRun: fc.boolean(),
    to: fc.constantFrom<RenameCase['to']>('PLAIN', 'LOG_LEVEL', 'ConfigMap', 'Pod', ''),
  });
}

const PATHS: Record<RenameCase['field'], string> = {
  'env-name': '/apis/apps/v1/namespaces/demo/deployments/web',
  'secret-kind': '/api/v1/namespaces/demo/secrets/db-creds',
  'configmap-kind': '/api/v1/namespaces/demo/configmaps/app-config',
};

/** The patch body of a case (JSON text, or YAML for apply). */
export function renameBody(r: RenameCase): string {
  const to = r.to;
  let patch: unknown;
  if (r.field === 'env-name') {
    const ptr = '/spec/template/spec/containers/0/env/0/name';
    // With its image: a merge patch replaces the container list whole, and a container without one is invalid.
    const container = (env: unknown[], extra: Record<string, unknown> = {}): unknown => ({
      spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27', ...extra, env }] } } },
    });
    switch (r.via) {
      case 'json-replace':
      case 'json-add':
        patch = [{ op: r.via.slice(5), path: ptr, value: to }];
        break;
      case 'json-remove':
        patch = [{ op: 'remove', path: ptr }];
        break;
      // A list is replaced whole by a merge patch; strategic merge and apply merge env by name.
      case 'merge':
      case 'strategic':
      case 'apply-yaml':
        patch = container([{ name: to }]);
        break;
      case 'strategic-retain':
        patch = container([{ name: 'DB_PASSWORD', $retainKeys: ['value'] }, { name: to }], { '$setElementOrder/env': [{ name: to }, { name: 'DB_PASSWORD' }] });
        break;
    }
    if (r.via === 'apply-yaml') patch = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'demo' }, ...(patch as object) };
  } else {
    const base =
      r.field === 'secret-kind'
        ? { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-creds', namespace: 'demo' } }
        : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'demo' } };
    switch (r.via) {
      case 'json-replace':
      case 'json-add':
        patch = [{ op: r.via.slice(5), path: '/kind', value: to }];
        break;
      case 'json-remove':
        patch = [{ op: 'remove', path: '/kind' }];
        break;
      case 'merge':
      case 'strategic':
      case 'strategic-retain':
        patch = { kind: to };
        break;
      case 'apply-yaml':
        patch = { ...base, kind: to };
        break;
    }
  }
  return r.via === 'apply-yaml' ? toYaml(patch) : JSON.stringify(patch);
}

function requestFor(r: RenameCase): GenRequest {
  const query = [...(r.dryRun ? ['dryRun=All'] : []), ...(r.via === 'apply-yaml' ? ['fieldManager=fuzz', 'force=true'] : [])];
  const path = `${PATHS[r.field]}${query.length === 0 ? '' : `?${query.join('&')}`}`;
  return {
    target: r.target,
    method: 'PATCH',
    path,
    auth: 'bearer',
    headers: [
      ['Content-Type', CONTENT_TYPE[r.via]],
      ['Accept', 'application/json'],
    ],
    body: { text: renameBody(r), framing: 'length', gzip: false },
  };
}

/** Reseeds, sends the rename, reads the object back through the chain, and returns what went wrong. */
export async function runRename(s: AdversaryStack, r: RenameCase, raw: RawTarget, creds: Credentials, roots: readonly string[]): Promise<string[]> {
  await s.reseed();
  const write = requestFor(r);
  const capture = await exchangeRaw(raw, renderRequest(write, creds));
  const judged = judgeExchange(capture, { method: 'PATCH', path: write.path, reachedUpstream: true, mayUpgrade: false }, roots);
  const v = judged.violations.map((x) => `rename answer ${judged.status ?? 'none'}: ${x}`);
  await s.harness.kube.settled();
  const read: GenRequest = { target: r.target, method: 'GET', path: PATHS[r.field], auth: 'bearer', headers: [['Accept', 'application/json']] };
  const after = judgeExchange(
    await exchangeRaw(raw, renderRequest(read, creds)),
    { method: 'GET', path: read.path, reachedUpstream: true, mayUpgrade: false },
    roots,
  );
  v.push(...after.violations.map((x) => `masked read after the rename (answered ${judged.status ?? 'none'}): ${x}`));
  return v.map((x) => `[${r.field} via ${r.via}${r.dryRun ? ', dryRun=All' : ''}] ${x}`);
}

/** The rename as a ready-to-paste raw request. */
export function describeRename(r: RenameCase, creds: Credentials & { port: number; tls: boolean }): string {
  return `rename case ${JSON.stringify(r)}\n${describeRequest(requestFor(r), creds)}`;
}
