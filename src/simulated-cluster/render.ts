// Renders objects and lists in the representation the client negotiated: the object itself,
// a Table, PartialObjectMetadata(List), JSON or YAML.
import type { RequestContext } from './handler-context.js';
import { negotiate, writeObject, type Negotiated } from './http-io.js';
import type { KubeObject } from './object-store.js';
import { apiVersionOf, type ResourceSpec } from './registry.js';
import { badRequest } from './status.js';
import { partialObjectMetadata, toTable, type IncludeObject, type ListMeta, type TableOptions } from './table.js';

/** The `includeObject` query parameter (default Metadata); anything else is a 400 like the real one. */
function includeObjectOf(url: URL): IncludeObject {
  const v = url.searchParams.get('includeObject');
  if (v === null || v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "None", "Metadata", "Object"`);
}

/** Table rendering options for this request. */
export function tableOptions(ctx: RequestContext, negotiated: Negotiated): TableOptions {
  return { includeObject: includeObjectOf(ctx.url), apiVersion: negotiated.metaApiVersion ?? 'meta.k8s.io/v1', now: ctx.state.now().getTime() };
}

/** Puts kind, apiVersion and metadata first, as Go's struct order does. */
export function normalizeObject(spec: ResourceSpec, o: Record<string, unknown>): KubeObject {
  const { kind: _k, apiVersion: _a, metadata, ...rest } = o;
  return { kind: spec.kind, apiVersion: apiVersionOf(spec), metadata: metadata as KubeObject['metadata'], ...rest };
}

/** Answers one object (a GET, or the result of a write). */
export function sendObject(ctx: RequestContext, spec: ResourceSpec, o: KubeObject, code = 200): void {
  const n = negotiate(ctx.req.headers.accept);
  let body: unknown = o;
  if (n.as === 'Table') {
    body = toTable(spec, [o], { resourceVersion: o.metadata.resourceVersion ?? '' }, tableOptions(ctx, n));
  } else if (n.as === 'PartialObjectMetadata' || n.as === 'PartialObjectMetadataList') {
    body = partialObjectMetadata(o);
  }
  writeObject(ctx.req, ctx.res, ctx.url, code, body, { format: n.format });
}

/** Answers a list (`<Kind>List` with items lacking kind/apiVersion, or a Table, or PartialObjectMetadataList). */
export function sendList(ctx: RequestContext, spec: ResourceSpec, items: KubeObject[], meta: ListMeta): void {
  const n = negotiate(ctx.req.headers.accept);
  let body: unknown;
  if (n.as === 'Table') {
    body = toTable(spec, items, meta, tableOptions(ctx, n));
  } else if (n.as === 'PartialObjectMetadata' || n.as === 'PartialObjectMetadataList') {
    body = { kind: 'PartialObjectMetadataList', apiVersion: n.metaApiVersion, metadata: meta, items: items.map(partialObjectMetadata) };
  } else {
    body = {
      kind: `${spec.kind}List`,
      apiVersion: apiVersionOf(spec),
      metadata: meta,
      items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
    };
  }
  writeObject(ctx.req, ctx.res, ctx.url, 200, body, { format: n.format });
}
