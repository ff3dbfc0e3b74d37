// A small reader for the protobuf request bodies kubectl >= 1.32 sends (`kubectl create
// namespace|secret|configmap|serviceaccount|role…`, `auth whoami`, `auth can-i`): the `k8s\0`
// magic, the runtime.Unknown envelope, then the generated message of the kind. Field numbers are
// those of k8s.io/api/*/generated.proto. Kinds not listed here are refused with a 415 naming them.
import { unsupportedMediaType, badRequest } from './status.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** A decoded object in its JSON form (apiVersion, kind, metadata, …). */
export type DecodedObject = Record<string, unknown> & { apiVersion: string; kind: string };

interface Field {
  no: number;
  wire: number;
  /** Varint value (wire 0). */
  int: number;
  /** Length-delimited payload (wire 2). */
  bytes: Buffer;
}

function* fields(buf: Buffer): Generator<Field> {
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (pos >= buf.length) throw badRequest('protobuf: truncated varint');
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const no = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) yield { no, wire, int: varint(), bytes: Buffer.alloc(0) };
    else if (wire === 2) {
      const len = varint();
      if (pos + len > buf.length) throw badRequest('protobuf: truncated field');
      yield { no, wire, int: 0, bytes: buf.subarray(pos, pos + len) };
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw badRequest(`protobuf: unsupported wire type ${wire}`);
  }
}

type Schema = Record<number, (acc: Record<string, unknown>, f: Field) => void>;

function message(buf: Buffer, schema: Schema): Record<string, unknown> {
  const acc: Record<string, unknown> = {};
  for (const f of fields(buf)) schema[f.no]?.(acc, f);
  return acc;
}

// proto2 optional strings arrive even when empty; Go's JSON omits the empty ones, so do we.
const str = (name: string) => (acc: Record<string, unknown>, f: Field) => {
  if (f.bytes.length > 0) acc[name] = f.bytes.toString('utf8');
};
const bool = (name: string) => (acc: Record<string, unknown>, f: Field) => { acc[name] = f.int !== 0; };
const strList = (name: string) => (acc: Record<string, unknown>, f: Field) => {
  ((acc[name] ??= []) as string[]).push(f.bytes.toString('utf8'));
};
const sub = (name: string, schema: Schema) => (acc: Record<string, unknown>, f: Field) => { acc[name] = message(f.bytes, schema); };
const subList = (name: string, schema: Schema) => (acc: Record<string, unknown>, f: Field) => {
  ((acc[name] ??= []) as unknown[]).push(message(f.bytes, schema));
};
/** map<string,string> entries (or map<string,bytes> rendered base64, as JSON carries []byte). */
const map = (name: string, asBase64 = false) => (acc: Record<string, unknown>, f: Field) => {
  let key = '';
  let value: Buffer = Buffer.alloc(0);
  for (const e of fields(f.bytes)) {
    if (e.no === 1) key = e.bytes.toString('utf8');
    else if (e.no === 2) value = e.bytes;
  }
  const m = (acc[name] ??= {}) as Record<string, string>;
  m[key] = asBase64 ? value.toString('base64') : value.toString('utf8');
};

const OBJECT_META: Schema = {
  1: str('name'), 2: str('generateName'), 3: str('namespace'), 11: map('labels'), 12: map('annotations'), 14: strList('finalizers'),
};
const meta = sub('metadata', OBJECT_META);
const LOCAL_REF: Schema = { 1: str('name') };
const POLICY_RULE: Schema = { 1: strList('verbs'), 2: strList('apiGroups'), 3: strList('resources'), 4: strList('resourceNames'), 5: strList('nonResourceURLs') };
const SUBJECT: Schema = { 1: str('kind'), 2: str('apiGroup'), 3: str('name'), 4: str('namespace') };
const ROLE_REF: Schema = { 1: str('apiGroup'), 2: str('kind'), 3: str('name') };
const BINDING: Schema = { 1: meta, 2: subList('subjects', SUBJECT), 3: sub('roleRef', ROLE_REF) };
const RESOURCE_ATTRIBUTES: Schema = {
  1: str('namespace'), 2: str('verb'), 3: str('group'), 4: str('version'), 5: str('resource'), 6: str('subresource'), 7: str('name'),
};

const KINDS: Record<string, Schema> = {
  'v1/Namespace': { 1: meta, 2: sub('spec', { 1: strList('finalizers') }) },
  'v1/Secret': { 1: meta, 2: map('data', true), 3: str('type'), 4: map('stringData'), 5: bool('immutable') },
  'v1/ConfigMap': { 1: meta, 2: map('data'), 3: map('binaryData', true), 4: bool('immutable') },
  'v1/ServiceAccount': { 1: meta, 2: subList('secrets', LOCAL_REF), 3: subList('imagePullSecrets', LOCAL_REF), 4: bool('automountServiceAccountToken') },
  'authentication.k8s.io/v1/SelfSubjectReview': { 1: meta },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': {
    1: meta,
    2: sub('spec', { 1: sub('resourceAttributes', RESOURCE_ATTRIBUTES), 2: sub('nonResourceAttributes', { 1: str('path'), 2: str('verb') }) }),
  },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: meta, 2: sub('spec', { 1: str('namespace') }) },
  'rbac.authorization.k8s.io/v1/Role': { 1: meta, 2: subList('rules', POLICY_RULE) },
  'rbac.authorization.k8s.io/v1/ClusterRole': { 1: meta, 2: subList('rules', POLICY_RULE) },
  'rbac.authorization.k8s.io/v1/RoleBinding': BINDING,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': BINDING,
};

/** True when the body starts with the `k8s\0` magic of Kubernetes protobuf. */
export function isKubeProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

/** Decodes a Kubernetes protobuf body into the JSON object kube-apiserver would have decoded. */
export function decodeKubeProtobuf(body: Buffer): DecodedObject {
  if (!isKubeProtobuf(body)) throw badRequest('protobuf body without the k8s magic prefix');
  const envelope = message(body.subarray(4), {
    1: sub('typeMeta', { 1: str('apiVersion'), 2: str('kind') }),
    2: (acc, f) => { acc['raw'] = f.bytes; },
  });
  const typeMeta = (envelope['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  const schema = KINDS[`${apiVersion}/${kind}`];
  if (!schema) throw unsupportedMediaType(`the hoopctl test server cannot decode protobuf ${apiVersion} ${kind}; send JSON`);
  const raw = (envelope['raw'] as Buffer | undefined) ?? Buffer.alloc(0);
  const decoded = message(raw, schema);
  return { apiVersion, kind, metadata: {}, ...decoded };
}
