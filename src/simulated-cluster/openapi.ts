// OpenAPI v3 (/openapi/v3 and /openapi/v3/<group-version>) with just what kubectl reads: the
// PATCH operation of each kind, tagged x-kubernetes-group-version-kind and listing the
// `fieldValidation` query parameter, so kubectl's QueryParamVerifierV3 chooses server-side
// validation (without /openapi kubectl refuses apply and create -f: "failed to download
// openapi"). No component schemas are published: kubectl then computes client-side apply patches
// from its compiled-in Go types, which are the real schemas of these built-in kinds.
// /openapi/v2 (kubectl 1.27) is in openapi-v2.ts.
import { createHash } from 'node:crypto';
import type { RequestContext } from './handler-context.js';
import { apiHeaders, writeObject, writePageNotFound } from './http-io.js';
import { OPENAPI_V2_JSON, OPENAPI_V2_PROTOBUF } from './openapi-v2.js';
import { RESOURCES, type ResourceSpec } from './registry.js';

type Doc = Record<string, unknown>;

const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const query = (name: string, type = 'string') => ({ name, in: 'query', schema: { type, uniqueItems: true } });
const WRITE_PARAMS = [query('dryRun'), query('fieldManager'), query('fieldValidation')];

function operation(spec: ResourceSpec, action: string, id: string, extra: Doc = {}): Doc {
  return {
    operationId: id,
    ...extra,
    responses: { '200': { description: 'OK' }, '401': { description: 'Unauthorized' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: spec.group, version: spec.version, kind: spec.kind },
  };
}

function pathsOf(spec: ResourceSpec): Record<string, Doc> {
  const root = spec.group === '' ? `/api/${spec.version}` : `/apis/${spec.group}/${spec.version}`;
  const id = `${spec.group.split('.')[0] ?? ''}${spec.version}${spec.kind}`;
  const body = { requestBody: { content: { '*/*': {} }, required: true } };
  if (!spec.stored) return { [`${root}/${spec.resource}`]: { post: operation(spec, 'post', `create${id}`, { parameters: WRITE_PARAMS, ...body }) } };
  const collection = spec.namespaced ? `${root}/namespaces/{namespace}/${spec.resource}` : `${root}/${spec.resource}`;
  const patch = (suffix: string): Doc =>
    operation(spec, 'patch', `patch${id}${suffix}`, {
      parameters: [...WRITE_PARAMS, query('force', 'boolean')],
      requestBody: { content: Object.fromEntries(PATCH_TYPES.map((t) => [t, {}])), required: true },
    });
  const paths: Record<string, Doc> = {
    [collection]: {
      get: operation(spec, 'list', `list${id}`),
      post: operation(spec, 'post', `create${id}`, { parameters: WRITE_PARAMS, ...body }),
      delete: operation(spec, 'deletecollection', `deletecollection${id}`),
    },
    [`${collection}/{name}`]: {
      get: operation(spec, 'get', `read${id}`),
      put: operation(spec, 'put', `replace${id}`, { parameters: WRITE_PARAMS, ...body }),
      patch: patch(''),
      delete: operation(spec, 'delete', `delete${id}`),
    },
  };
  if (spec.namespaced) paths[`${root}/${spec.resource}`] = { get: operation(spec, 'list', `list${id}ForAllNamespaces`) };
  if (spec.subresources.some((s) => s.name === 'status')) {
    paths[`${collection}/{name}/status`] = {
      get: operation(spec, 'get', `read${id}Status`),
      put: operation(spec, 'put', `replace${id}Status`, { parameters: WRITE_PARAMS, ...body }),
      patch: patch('Status'),
    };
  }
  return paths;
}

interface Published {
  body: Buffer;
  hash: string;
}

function publish(doc: Doc): Published {
  const body = Buffer.from(JSON.stringify(doc), 'utf8');
  return { body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() };
}

const groupVersions = new Map<string, Published>();
for (const gv of new Set(RESOURCES.map((r) => (r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`)))) {
  const specs = RESOURCES.filter((r) => (r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`) === gv);
  groupVersions.set(
    gv,
    publish({
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: 'v1.32.6' },
      paths: Object.assign({}, ...specs.map(pathsOf)),
      components: { schemas: {} },
    }),
  );
}
const index = Buffer.from(
  JSON.stringify({
    paths: Object.fromEntries([...groupVersions].map(([gv, p]) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${p.hash}` }])),
  }),
  'utf8',
);
// Documents are fixed for the life of the process; Last-Modified lets kubectl revalidate with a 304.
const lastModified = new Date().toUTCString();

// kubectl asks with an '@' in the media type, which Go's mime parser would refuse in an answer.
const V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** Answers /openapi/v2, /openapi/v3 (index) and /openapi/v3/<gv>; everything else under /openapi/ is a 404. */
export function handleOpenApi(ctx: RequestContext): void {
  const { req, res, url } = ctx;
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '/openapi/v2') {
    if (!(req.headers.accept ?? '').includes('protobuf')) return writeObject(req, res, url, 200, OPENAPI_V2_JSON);
    res.writeHead(200, apiHeaders({ 'Content-Type': V2_PROTOBUF, 'Last-Modified': lastModified, 'Content-Length': String(OPENAPI_V2_PROTOBUF.length) }));
    res.end(OPENAPI_V2_PROTOBUF);
    return;
  }
  if (path === '/openapi/v3') {
    if (req.headers['if-modified-since'] === lastModified) {
      res.writeHead(304, apiHeaders({ 'Last-Modified': lastModified }));
      res.end();
      return;
    }
    res.writeHead(200, apiHeaders({ 'Content-Type': 'text/plain; charset=utf-8', 'Last-Modified': lastModified, 'Content-Length': String(index.length) }));
    res.end(index);
    return;
  }
  const doc = path.startsWith('/openapi/v3/') ? groupVersions.get(path.slice('/openapi/v3/'.length)) : undefined;
  if (!doc) return writePageNotFound(res);
  const expires = new Date(Date.now() + 365 * 24 * 3600_000).toUTCString().replace('GMT', 'UTC');
  res.writeHead(
    200,
    apiHeaders({
      'Cache-Control': 'public, immutable',
      'Content-Type': 'application/json',
      Etag: `"${doc.hash}"`,
      Expires: expires,
      'Last-Modified': lastModified,
      Vary: 'Accept',
      'Content-Length': String(doc.body.length),
    }),
  );
  res.end(doc.body);
}
