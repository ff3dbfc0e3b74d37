// Server-side printing: meta.k8s.io Table answers for `Accept: …;as=Table;v=v1;g=meta.k8s.io`.
// Each row's `object` is a PartialObjectMetadata with the FULL metadata by default
// (includeObject=Metadata), the whole object with includeObject=Object, null with None
// (fixtures bodies/objects/secrets-table-*.json).
import type { KubeObject } from './object-store.js';
import type { ResourceSpec } from './registry.js';
import { COLUMNS, DEFAULT_COLUMNS, type ColumnDefinition } from './table-columns.js';
import { rowCells } from './table-printers.js';

/** The `includeObject` query parameter. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** How a Table is rendered. */
export interface TableOptions {
  includeObject: IncludeObject;
  /** meta.k8s.io/v1, or v1beta1 when only that was accepted. */
  apiVersion: string;
  now: number;
}

/** Table list metadata (`resourceVersion`, and `continue` / `remainingItemCount` on paged lists). */
export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Column definitions of a resource. */
function columnsFor(spec: ResourceSpec): ColumnDefinition[] {
  return COLUMNS[spec.resource] ?? DEFAULT_COLUMNS;
}

/** PartialObjectMetadata of an object, as in Table rows and `as=PartialObjectMetadata` answers. */
export function partialObjectMetadata(o: KubeObject): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

function rowObject(o: KubeObject, include: IncludeObject): unknown {
  if (include === 'None') return null;
  if (include === 'Object') return o;
  return partialObjectMetadata(o);
}

/** A Table of objects; `columns: false` writes `"columnDefinitions": null` as watch events after the first do. */
export function toTable(spec: ResourceSpec, objects: KubeObject[], meta: ListMeta, opts: TableOptions, columns = true): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: opts.apiVersion,
    metadata: meta,
    columnDefinitions: columns ? columnsFor(spec) : null,
    rows: objects.map((o) => ({ cells: rowCells(spec.resource, o, opts.now), object: rowObject(o, opts.includeObject) })),
  };
}
