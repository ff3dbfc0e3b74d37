// Watch streams (`?watch=true`): HTTP 200, chunked, one newline-terminated JSON event per chunk,
// written and flushed as it happens (fixtures raw-http1/, README §12-16). Without a
// resourceVersion (or with "0") existing objects first arrive as ADDED; with N, changes after N,
// or an ERROR 410 event when N is older than the history. Selector semantics follow the watch
// cache: an object that stops matching is DELETED for the watcher, one that starts is ADDED.
import type { RequestContext } from './handler-context.js';
import { apiHeaders, negotiate } from './http-io.js';
import type { KubeObject, StoreEvent } from './object-store.js';
import { apiVersionOf, type ResourceSpec } from './registry.js';
import { tableOptions } from './render.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { badRequest, expired } from './status.js';
import { toTable } from './table.js';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Serves a watch on a collection (or on one object when `name` is set, as `?fieldSelector=metadata.name=`). */
export function handleWatch(ctx: RequestContext, spec: ResourceSpec, namespace: string, name = ''): void {
  const { req, res, url, state } = ctx;
  const params = url.searchParams;
  const negotiated = negotiate(req.headers.accept);
  const table = negotiated.as === 'Table' ? tableOptions(ctx, negotiated) : undefined;
  const labels = parseLabelSelector(params.get('labelSelector'));
  const fields = parseFieldSelector(spec, params.get('fieldSelector'));
  const matches = (o: KubeObject): boolean =>
    (!spec.namespaced || namespace === '' || o.metadata.namespace === namespace) && (name === '' || o.metadata.name === name) && labels(o) && fields(o);
  const rvParam = params.get('resourceVersion') ?? '';
  const since = rvParam === '' ? 0 : Number(rvParam);
  if (!Number.isInteger(since) || since < 0) throw badRequest(`invalid resource version: "${rvParam}"`);
  const bookmarks = params.get('allowWatchBookmarks') === 'true';
  const timeoutSeconds = Number(params.get('timeoutSeconds') ?? '0');
  const sendInitial = since === 0 || params.get('sendInitialEvents') === 'true';

  res.writeHead(200, apiHeaders({ 'Content-Type': 'application/json' }));
  res.flushHeaders();
  state.counters.watches++;

  let columnsSent = false;
  let lastRv = state.store.currentResourceVersion();
  const visible = new Set<string>();

  const write = (type: EventType, object: unknown): void => {
    if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const writeObjectEvent = (type: 'ADDED' | 'MODIFIED' | 'DELETED', o: KubeObject): void => {
    if (!table) return write(type, o);
    const meta = { resourceVersion: o.metadata.resourceVersion ?? '' };
    write(type, toTable(spec, [o], meta, { ...table, now: state.now().getTime() }, !columnsSent));
    columnsSent = true;
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(lastRv), creationTimestamp: null };
    if (annotations) metadata['annotations'] = annotations;
    write('BOOKMARK', { kind: spec.kind, apiVersion: apiVersionOf(spec), metadata });
  };
  const deliver = (e: StoreEvent): void => {
    if (e.spec !== spec) return;
    lastRv = e.resourceVersion;
    const key = keyOf(e.object);
    const was = visible.has(key);
    const now = e.type !== 'DELETED' && matches(e.object);
    if (now) {
      visible.add(key);
      writeObjectEvent(was ? 'MODIFIED' : 'ADDED', e.object);
    } else if (was) {
      visible.delete(key);
      writeObjectEvent('DELETED', e.object);
    }
  };

  if (sendInitial) {
    for (const o of state.store.list(spec, namespace)) {
      if (matches(o)) {
        visible.add(keyOf(o));
        writeObjectEvent('ADDED', o);
      }
    }
    if (params.get('sendInitialEvents') === 'true' && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else {
    for (const o of state.store.list(spec, namespace)) if (matches(o)) visible.add(keyOf(o));
    const missed = state.store.eventsSince(since);
    if (missed === 'expired') {
      write('ERROR', expired(`too old resource version: ${since} (${state.store.currentResourceVersion()})`).status);
      res.end();
      state.counters.watches--;
      return;
    }
    // `visible` must be the state at `since`: undo the missed changes newest first, then replay them.
    for (let i = missed.length - 1; i >= 0; i--) {
      const e = missed[i]!;
      if (e.spec !== spec) continue;
      if (e.type === 'ADDED') visible.delete(keyOf(e.object));
      else if (matches(e.object)) visible.add(keyOf(e.object));
    }
    for (const e of missed) deliver(e);
  }

  const unsubscribe = state.store.subscribe(deliver);
  const timers: NodeJS.Timeout[] = [];
  if (bookmarks) timers.push(setInterval(() => bookmark(), state.bookmarkIntervalMs));
  if (timeoutSeconds > 0) {
    timers.push(
      setTimeout(() => {
        if (bookmarks) bookmark();
        stop();
      }, timeoutSeconds * 1000),
    );
  }
  let stopped = false;
  function stop(): void {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    state.streams.delete(stop);
    state.counters.watches--;
    if (!res.writableEnded) res.end();
  }
  state.streams.add(stop);
  res.on('close', stop);
}
