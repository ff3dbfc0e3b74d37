/**
 * Reads the protobuf request bodies kubectl >= 1.32 sends for `auth whoami` and `auth can-i`
 * (fixtures 110–112, bodies/auth/kubectl-auth-protobuf-decoded.txt): the `k8s\0` magic, a
 * runtime.Unknown envelope {1 typeMeta{1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding, 4 contentType},
 * and in `raw` one of the three self reviews. Only the fields a review's answer depends on are read;
 * the generated Go messages are in k8s.io/api/authorization/v1/generated.proto and authentication/v1.
 */

/** `k8s\0`, the prefix of every Kubernetes protobuf body (k8s.io/apimachinery/pkg/runtime/serializer/protobuf). */
export const KUBE_PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** A protobuf body that cannot be read as a review (the gateway answers 400 with this message). */
export class ReviewDecodeError extends Error {}

interface WireField {
  no: number;
  wire: number;
  int: number;
  bytes: Buffer;
}

function* wireFields(buf: Buffer): Generator<WireField> {
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ReviewDecodeError('protobuf: truncated varint');
      const b = buf[pos++]!;
      value += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return value;
      mul *= 128;
    }
    throw new ReviewDecodeError('protobuf: varint longer than 10 bytes');
  };
  while (pos < buf.length) {
    const tag = varint();
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    if (no === 0) throw new ReviewDecodeError('protobuf: field number 0');
    if (wire === 0) yield { no, wire, int: varint(), bytes: Buffer.alloc(0) };
    else if (wire === 2) {
      const len = varint();
      if (len > buf.length - pos) throw new ReviewDecodeError('protobuf: field longer than the message');
      yield { no, wire, int: 0, bytes: buf.subarray(pos, pos + len) };
      pos += len;
    } else if (wire === 1 || wire === 5) {
      const skip = wire === 1 ? 8 : 4;
      if (skip > buf.length - pos) throw new ReviewDecodeError('protobuf: truncated fixed-size field');
      pos += skip;
    } else throw new ReviewDecodeError(`protobuf: unsupported wire type ${wire}`);
  }
}

/** The string fields of a message by field number (last one wins, as in proto2); empty strings are left out like Go's JSON omitempty. */
function strings(buf: Buffer, names: Record<number, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of wireFields(buf)) {
    const name = names[f.no];
    if (name === undefined) continue;
    if (f.wire !== 2) throw new ReviewDecodeError(`protobuf: field ${name} is not a string`);
    const s = f.bytes.toString('utf8');
    if (s === '') delete out[name];
    else out[name] = s;
  }
  return out;
}

function firstMessage(buf: Buffer, no: number): Buffer | undefined {
  let found: Buffer | undefined;
  for (const f of wireFields(buf)) if (f.no === no && f.wire === 2) found = f.bytes;
  return found;
}

// authorization/v1 ResourceAttributes 1..7; 8/9 (field and label selectors, 1.31+) do not change hoopctl's answer.
const RESOURCE_ATTRIBUTES = { 1: 'namespace', 2: 'verb', 3: 'group', 4: 'version', 5: 'resource', 6: 'subresource', 7: 'name' };
const NON_RESOURCE_ATTRIBUTES = { 1: 'path', 2: 'verb' };

/** A review request in the JSON form kube-apiserver decodes it to (only the fields that matter). */
export interface DecodedReview {
  apiVersion: string;
  kind: string;
  spec?: {
    resourceAttributes?: Record<string, string>;
    nonResourceAttributes?: Record<string, string>;
    namespace?: string;
  };
}

/** True when the body starts with the `k8s\0` magic. */
export function isKubeProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(KUBE_PROTOBUF_MAGIC);
}

/** Decodes a protobuf SelfSubjectReview, SelfSubjectAccessReview or SelfSubjectRulesReview body; throws ReviewDecodeError. */
export function decodeReviewProtobuf(body: Buffer): DecodedReview {
  if (!isKubeProtobuf(body)) throw new ReviewDecodeError('the body does not start with the Kubernetes protobuf magic "k8s\\0"');
  const envelope = body.subarray(4);
  const typeMeta = firstMessage(envelope, 1);
  const { apiVersion = '', kind = '' } = typeMeta === undefined ? {} : strings(typeMeta, { 1: 'apiVersion', 2: 'kind' });
  const { contentEncoding } = strings(envelope, { 3: 'contentEncoding' });
  if (contentEncoding !== undefined) throw new ReviewDecodeError(`protobuf: content encoding ${JSON.stringify(contentEncoding)} is not supported`);
  const raw = firstMessage(envelope, 2) ?? Buffer.alloc(0);
  const out: DecodedReview = { apiVersion, kind };
  const spec = kind === 'SelfSubjectReview' ? undefined : firstMessage(raw, 2);
  if (spec === undefined) return out;
  if (kind === 'SelfSubjectAccessReview') {
    const ra = firstMessage(spec, 1);
    const nra = firstMessage(spec, 2);
    out.spec = {
      ...(ra === undefined ? {} : { resourceAttributes: strings(ra, RESOURCE_ATTRIBUTES) }),
      ...(nra === undefined ? {} : { nonResourceAttributes: strings(nra, NON_RESOURCE_ATTRIBUTES) }),
    };
  } else if (kind === 'SelfSubjectRulesReview') {
    out.spec = strings(spec, { 1: 'namespace' });
  }
  return out;
}
