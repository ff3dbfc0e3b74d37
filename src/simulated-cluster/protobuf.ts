// Decoding of the protobuf request bodies kubectl >= 1.32 sends (`kubectl create …`, `auth
// whoami`, `auth can-i`): the `k8s\0` magic, the runtime.Unknown envelope, then the generated
// message of the kind (protobuf-schemas.ts). Kinds without a schema are refused with a 415.
import { KINDS } from './protobuf-schemas.js';
import { message, str, sub } from './protobuf-reader.js';
import { unsupportedMediaType, badRequest } from './status.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** A decoded object in its JSON form (apiVersion, kind, metadata, …). */
export type DecodedObject = Record<string, unknown> & { apiVersion: string; kind: string };

/** True when the body starts with the `k8s\0` magic of Kubernetes protobuf. */
export function isKubeProtobuf(body: Buffer): boolean {
  return body.length >= 4 && body.subarray(0, 4).equals(MAGIC);
}

/** Decodes a Kubernetes protobuf body into the JSON object kube-apiserver would have decoded. */
export function decodeKubeProtobuf(body: Buffer): DecodedObject {
  if (!isKubeProtobuf(body)) throw badRequest('protobuf body without the k8s magic prefix');
  const envelope = message(body.subarray(4), {
    1: sub('typeMeta', { 1: str('apiVersion'), 2: str('kind') }),
    2: (acc, f) => {
      acc['raw'] = f.bytes;
    },
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
