// The editor property of the adversary suite: read an object through the chain (masked), write it
// back — replace, merge / strategic / JSON patch, server-side apply, YAML — with the masked value
// spelled as JSON escapes, split base64, YAML escapes, or with a new clear value beside it; then
// check what the upstream stores: a sentinel may only give way to the new clear value the request
// carried, never to the marker.
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { MASK_MARKER, MASKED_BASE64 } from '../../src/mask/marker.js';
import type { AdversaryStack } from './adversary-stack.js';
import { trackedValues, type TrackedValue } from './adversary-stack.js';
import { describeRequest, renderRequest, type Credentials, type GenRequest } from './adversary-requests.js';
import { judgeExchange } from './adversary-oracles.js';
import { exchangeRaw, parseHttpAnswers, type RawTarget } from './raw-http.js';

/** How the write is made. */
export type WriteVia = 'put-json' | 'put-yaml' | 'merge' | 'strategic' | 'json-patch' | 'apply-yaml';
/** How the masked value is spelled in the body. */
export type Spelling = 'as-read' | 'json-unicode' | 'base64-newline' | 'yaml-escape' | 'marker-in-stringdata';

/** One generated write case. */
export interface WriteCase {
  target: 'proxy' | 'gateway';
  object: number;
  via: WriteVia;
  spelling: Spelling;
  contentTypeCase: 'exact' | 'charset' | 'upper';
  /** Also sets another key to a new clear value (so the write has a reason to happen). */
  newClear: boolean;
  upgrade: 'none' | 'foo' | 'h2c';
}

const CONTENT_TYPE: Record<WriteVia, string> = {
  'put-json': 'application/json',
  'put-yaml': 'application/yaml',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  'json-patch': 'application/json-patch+json',
  'apply-yaml': 'application/apply-patch+yaml',
};
const NEW_CLEAR = 'NewClearValue-1';

/** Write cases over every tracked object, way, spelling and header shape. */
export function arbWrite(): fc.Arbitrary<WriteCase> {
  return fc.record({
    target: fc.constantFrom<'proxy' | 'gateway'>('proxy', 'gateway'),
    object: fc.nat(trackedValues().length - 1),
    via: fc.constantFrom<WriteVia>('put-json', 'put-yaml', 'merge', 'strategic', 'json-patch', 'apply-yaml'),
    spelling: fc.constantFrom<Spelling>('as-read', 'as-read', 'json-unicode', 'base64-newline', 'yaml-escape', 'marker-in-stringdata'),
    contentTypeCase: fc.constantFrom<'exact' | 'charset' | 'upper'>('exact', 'exact', 'charset', 'upper'),
    newClear: fc.boolean(),
    upgrade: fc.constantFrom<'none' | 'foo' | 'h2c'>('none', 'none', 'foo', 'h2c'),
  });
}

const pathOf = (t: TrackedValue): string => {
  const { kind, namespace, name } = t.ref;
  return kind === 'deployments' ? `/apis/apps/v1/namespaces/${namespace}/deployments/${name}` : `/api/v1/namespaces/${namespace}/${kind}/${name}`;
};

const unicode = (s: string): string => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

/** Where the tracked value sits in the object, and its key among its neighbours. */
function fieldOf(t: TrackedValue): { kind: 'secret' | 'configmap' | 'env'; key: string } {
  if (t.ref.kind === 'secrets') return { kind: 'secret', key: t.value.includes('STRINGDATA') ? 'username' : 'password' };
  if (t.ref.kind === 'configmaps') return { kind: 'configmap', key: 'db_password' };
  return { kind: 'env', key: 'DB_PASSWORD' };
}

type Obj = Record<string, any>;

/** The body of a write, built from the masked object as read; undefined when the case makes no sense. */
export function buildBody(w: WriteCase, t: TrackedValue, masked: Obj): { text: string; carriesNew: boolean } {
  const f = fieldOf(t);
  const o = structuredClone(masked);
  delete o.metadata?.managedFields;
  o.metadata = { ...o.metadata, labels: { ...(o.metadata?.labels ?? {}), fuzzed: 'yes' } };
  let carriesNew = false;
  if (w.newClear) {
    carriesNew = true;
    if (f.kind === 'secret') o.data = { ...(o.data ?? {}), extra: Buffer.from(NEW_CLEAR).toString('base64') };
    if (f.kind === 'configmap') o.data = { ...(o.data ?? {}), extra: NEW_CLEAR };
    if (f.kind === 'env') o.spec.template.spec.containers[0].env.push({ name: 'EXTRA', value: NEW_CLEAR });
  }
  if (w.spelling === 'marker-in-stringdata' && f.kind === 'secret') o.stringData = { [f.key]: MASK_MARKER };
  const maskedValue =
    f.kind === 'secret'
      ? o.data?.[f.key]
      : f.kind === 'configmap'
        ? o.data?.[f.key]
        : o.spec?.template?.spec?.containers?.[0]?.env?.find((e: Obj) => e.name === f.key)?.value;
  let patch: unknown;
  switch (w.via) {
    case 'put-json':
    case 'put-yaml':
    case 'apply-yaml':
      patch = o;
      break;
    case 'merge':
    case 'strategic':
      patch =
        f.kind === 'env'
          ? {
              metadata: { labels: { fuzzed: 'yes' } },
              spec: { template: { spec: { containers: [{ name: 'web', env: o.spec.template.spec.containers[0].env }] } } },
            }
          : { metadata: { labels: { fuzzed: 'yes' } }, data: o.data, ...(o.stringData === undefined ? {} : { stringData: o.stringData }) };
      break;
    case 'json-patch': {
      const ptr = f.kind === 'env' ? '/spec/template/spec/containers/0/env' : '/data';
      patch = [
        { op: 'add', path: '/metadata/labels/fuzzed', value: 'yes' },
        { op: 'replace', path: ptr, value: f.kind === 'env' ? o.spec.template.spec.containers[0].env : o.data },
      ];
      break;
    }
  }
  const yaml = w.via === 'put-yaml' || w.via === 'apply-yaml';
  let text = yaml ? toYaml(patch) : JSON.stringify(patch);
  const spelled = typeof maskedValue === 'string' ? maskedValue : MASKED_BASE64;
  if (w.spelling === 'json-unicode' && !yaml) text = text.split(spelled).join(unicode(spelled));
  if (w.spelling === 'yaml-escape' && yaml)
    text = text.split(spelled).join(`"${[...spelled].map((c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')}"`);
  if (w.spelling === 'base64-newline' && spelled === MASKED_BASE64)
    text = text
      .split(MASKED_BASE64)
      .join(yaml ? `"${MASKED_BASE64.slice(0, 8)}\\n${MASKED_BASE64.slice(8)}"` : `${MASKED_BASE64.slice(0, 8)}\\n${MASKED_BASE64.slice(8)}`);
  return { text, carriesNew };
}

function requestFor(w: WriteCase, t: TrackedValue, body: string): GenRequest {
  const ct = CONTENT_TYPE[w.via];
  const contentType = w.contentTypeCase === 'charset' ? `${ct}; charset=utf-8` : w.contentTypeCase === 'upper' ? ct.toUpperCase() : ct;
  const upgrade: [string, string][] =
    w.upgrade === 'foo'
      ? [
          ['Connection', 'Upgrade'],
          ['Upgrade', 'foo'],
        ]
      : w.upgrade === 'h2c'
        ? [
            ['Connection', 'Upgrade, HTTP2-Settings'],
            ['Upgrade', 'h2c'],
            ['HTTP2-Settings', 'AAMAAABkAARAAAAAAAIAAAAA'],
          ]
        : [];
  const method = w.via.startsWith('put') ? 'PUT' : 'PATCH';
  const query = w.via === 'apply-yaml' ? '?fieldManager=fuzz&force=true' : '';
  return {
    target: w.target,
    method,
    path: pathOf(t) + query,
    auth: 'bearer',
    headers: [['Content-Type', contentType], ['Accept', 'application/json'], ...upgrade],
    body: { text: body, framing: 'length', gzip: false },
  };
}

const lastBodies = new WeakMap<WriteCase, GenRequest>();

/** Reseeds, reads the object through the chain, writes it back as the case says, and returns what went wrong. */
export async function runWrite(s: AdversaryStack, w: WriteCase, raw: RawTarget, creds: Credentials, roots: readonly string[]): Promise<string[]> {
  await s.reseed();
  const t = trackedValues()[w.object]!;
  const read: GenRequest = { target: w.target, method: 'GET', path: pathOf(t), auth: 'bearer', headers: [['Accept', 'application/json']] };
  const readCapture = await exchangeRaw(raw, renderRequest(read, creds));
  const v = judgeExchange(readCapture, { method: 'GET', path: read.path, reachedUpstream: true, mayUpgrade: false }, roots).violations.map(
    (x) => `masked read: ${x}`,
  );
  const answer = parseHttpAnswers(readCapture.bytes).answers.at(-1);
  if (answer?.status !== 200) return [...v, `the masked read answered ${answer?.statusLine ?? 'nothing'}`];
  const masked = JSON.parse((answer.decoded ?? answer.body).toString('utf8')) as Obj;
  const { text, carriesNew } = buildBody(w, t, masked);
  const write = requestFor(w, t, text);
  lastBodies.set(w, write);
  const capture = await exchangeRaw(raw, renderRequest(write, creds));
  const judged = judgeExchange(capture, { method: write.method, path: write.path, reachedUpstream: true, mayUpgrade: false }, roots);
  v.push(...judged.violations.map((x) => `write: ${x}`));
  await s.harness.kube.settled();
  for (const tracked of trackedValues()) {
    const stored = s.harness.kube.get(tracked.ref);
    const now = stored === undefined ? undefined : tracked.read(stored);
    if (now === undefined || now === tracked.value) continue;
    if (carriesNew && now === NEW_CLEAR) continue;
    v.push(
      `stored ${tracked.ref.kind}/${tracked.ref.name} value changed from its sentinel to ${JSON.stringify(now)}${now.includes(MASK_MARKER) || now.includes(MASKED_BASE64) ? ' (the masked marker was written back)' : ''}; the write answered ${judged.status ?? 'nothing'}`,
    );
  }
  return v.map((x) => `[${w.via}, ${w.spelling}] ${x}`);
}

/** The write as a ready-to-paste raw request (after a fresh masked read of the same object). */
export function describeWrite(w: WriteCase, creds: Credentials & { port: number; tls: boolean }): string {
  const req = lastBodies.get(w);
  const head = `write case ${JSON.stringify(w)}\n`;
  return req === undefined ? `${head}(the masked read failed before a write was built)` : head + describeRequest(req, creds);
}
