// /openapi/v2 for kubectl 1.27, which downloads it (in protobuf, gnostic's openapi_v2.Document,
// github.com/google/gnostic openapiv2/OpenAPIv2.proto) before any apply or create -f and fails
// without it. Like the v3 documents, it lists each kind's PATCH operation (consumes, the
// fieldValidation parameter, x-kubernetes-group-version-kind) and no definitions, so kubectl
// validates server-side and computes patches from its compiled-in types.
import { RESOURCES, type ResourceSpec } from './registry.js';

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation', 'force'];

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/** A length-delimited field (strings and messages). */
function field(no: number, payload: Buffer | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from([...varint(no * 8 + 2), ...varint(bytes.length)]), bytes]);
}
function boolField(no: number): Buffer {
  return Buffer.from([...varint(no * 8), 1]);
}
const msg = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

function namedAny(name: string, yaml: string): Buffer {
  return msg(field(1, name), field(2, msg(field(2, yaml))));
}

function queryParameter(name: string): Buffer {
  // ParametersItem.parameter → Parameter.non_body_parameter → NonBodyParameter.query_parameter_sub_schema
  const sub = msg(field(2, 'query'), field(4, name), field(6, name === 'force' ? 'boolean' : 'string'), boolField(20));
  return field(8, field(1, field(2, field(3, sub))));
}

function patchOperation(spec: ResourceSpec, suffix: string): Buffer {
  const gvk = `group: "${spec.group}"\nkind: ${spec.kind}\nversion: ${spec.version}\n`;
  return msg(
    field(5, `patch${spec.group.split('.')[0] ?? ''}${spec.version}${spec.kind}${suffix}`),
    ...PATCH_TYPES.map((t) => field(7, t)),
    ...QUERY_PARAMS.map(queryParameter),
    field(9, field(1, msg(field(1, '200'), field(2, field(1, field(1, 'OK')))))),
    field(13, namedAny('x-kubernetes-action', 'patch\n')),
    field(13, namedAny('x-kubernetes-group-version-kind', gvk)),
  );
}

function pathItems(spec: ResourceSpec): Buffer[] {
  if (!spec.stored) return [];
  const root = spec.group === '' ? `/api/${spec.version}` : `/apis/${spec.group}/${spec.version}`;
  const item = spec.namespaced ? `${root}/namespaces/{namespace}/${spec.resource}/{name}` : `${root}/${spec.resource}/{name}`;
  const named = (path: string, op: Buffer) => field(2, msg(field(1, path), field(2, field(8, op))));
  const out = [named(item, patchOperation(spec, ''))];
  if (spec.subresources.some((s) => s.name === 'status')) out.push(named(`${item}/status`, patchOperation(spec, 'Status')));
  return out;
}

/** The v2 document in protobuf (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`). */
export const OPENAPI_V2_PROTOBUF: Buffer = msg(
  field(1, '2.0'),
  field(2, msg(field(1, 'Kubernetes'), field(2, 'v1.32.6'))),
  field(8, msg(...RESOURCES.flatMap(pathItems))),
);

/** The same document as JSON, for clients that do not ask for protobuf. */
export const OPENAPI_V2_JSON: Record<string, unknown> = {
  swagger: '2.0',
  info: { title: 'Kubernetes', version: 'v1.32.6' },
  paths: Object.fromEntries(
    RESOURCES.filter((r) => r.stored).map((spec) => {
      const root = spec.group === '' ? `/api/${spec.version}` : `/apis/${spec.group}/${spec.version}`;
      const item = spec.namespaced ? `${root}/namespaces/{namespace}/${spec.resource}/{name}` : `${root}/${spec.resource}/{name}`;
      return [
        item,
        {
          patch: {
            operationId: `patch${spec.group.split('.')[0] ?? ''}${spec.version}${spec.kind}`,
            consumes: PATCH_TYPES,
            parameters: QUERY_PARAMS.map((name) => ({ uniqueItems: true, type: name === 'force' ? 'boolean' : 'string', name, in: 'query' })),
            responses: { '200': { description: 'OK' } },
            'x-kubernetes-action': 'patch',
            'x-kubernetes-group-version-kind': { group: spec.group, kind: spec.kind, version: spec.version },
          },
        },
      ];
    }),
  ),
  definitions: {},
};
