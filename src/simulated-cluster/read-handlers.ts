// GET of one object and LIST with selectors and limit/continue paging, as kube-apiserver answers
// them (fixtures 40-42): the continue token is base64url JSON {"v","rv","start"} where start is
// the last key returned plus "\u0000", and every page repeats the first page's resourceVersion.
import type { RequestContext } from './handler-context.js';
import type { KubeObject } from './object-store.js';
import type { ResourceSpec } from './registry.js';
import { sendList, sendObject } from './render.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { badRequest, notFound } from './status.js';
import type { ListMeta } from './table.js';

/** GET of a named object. */
export function handleGet(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string): void {
  const o = ctx.state.store.get(spec, namespace, name);
  if (!o) throw notFound(spec, name);
  sendObject(ctx, spec, o);
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` }), 'utf8').toString('base64url');
}

function decodeContinue(token: string): ContinueToken {
  const bad = /[^A-Za-z0-9_\-=]/.exec(token);
  if (bad) throw badRequest(`invalid continue token: continue key is not valid: illegal base64 data at input byte ${bad.index}`);
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw new Error('shape');
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw badRequest('invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

/** The key an object sorts under in this list: relative to the list's namespace, like etcd's key suffix. */
function listKey(spec: ResourceSpec, namespace: string, o: KubeObject): string {
  return spec.namespaced && namespace === '' ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

/** Objects of a list or watch request after label and field selectors. */
export function selectObjects(ctx: RequestContext, spec: ResourceSpec, namespace: string): KubeObject[] {
  const labels = parseLabelSelector(ctx.url.searchParams.get('labelSelector'));
  const fields = parseFieldSelector(spec, ctx.url.searchParams.get('fieldSelector'));
  return ctx.state.store.list(spec, namespace).filter((o) => labels(o) && fields(o));
}

/** LIST of a collection, with labelSelector, fieldSelector, limit and continue. */
export function handleList(ctx: RequestContext, spec: ResourceSpec, namespace: string): void {
  const params = ctx.url.searchParams;
  const limitParam = Number(params.get('limit') ?? '0');
  const limit = Number.isFinite(limitParam) && limitParam > 0 ? Math.floor(limitParam) : 0;
  const token = params.get('continue');
  let items = selectObjects(ctx, spec, namespace);
  let rv = ctx.state.store.currentResourceVersion();
  if (token) {
    const t = decodeContinue(token);
    rv = t.rv;
    items = items.filter((o) => listKey(spec, namespace, o) >= t.start);
  }
  const meta: ListMeta = { resourceVersion: String(rv) };
  if (limit > 0 && items.length > limit) {
    const page = items.slice(0, limit);
    meta.continue = encodeContinue(rv, listKey(spec, namespace, page[page.length - 1]!));
    meta.remainingItemCount = items.length - limit;
    items = page;
  }
  sendList(ctx, spec, items, meta);
}
