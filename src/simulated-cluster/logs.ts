// `pods/log`: text/plain lines, with container, tailLines, sinceSeconds, timestamps, limitBytes
// and follow (the response stays open and every appended line is written and flushed at once).
// A pod not bound to a node has no kubelet to ask: 204, as recorded in fixture 74.
import type { RequestContext } from './handler-context.js';
import { apiHeaders } from './http-io.js';
import type { ContainerRef, LogLine } from './log-book.js';
import type { ResourceSpec } from './registry.js';
import { badRequest, notFound } from './status.js';

interface PodShape {
  spec?: { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[] };
}

function nanoTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function pickContainer(pod: PodShape, name: string, requested: string | null): string {
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  const init = (pod.spec?.initContainers ?? []).map((c) => c.name);
  if (requested) {
    if (!containers.includes(requested) && !init.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  if (containers.length === 1) return containers[0]!;
  const initPart = init.length > 0 ? ` or one of the init containers: [${init.join(' ')}]` : '';
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${initPart}`);
}

/** GET `…/pods/<name>/log`. */
export function handleLogs(ctx: RequestContext, spec: ResourceSpec, namespace: string, name: string): void {
  const { res, url, state } = ctx;
  const pod = state.store.get(spec, namespace, name) as (PodShape & { metadata: unknown }) | undefined;
  if (!pod) throw notFound(spec, name);
  const params = url.searchParams;
  const container = pickContainer(pod, name, params.get('container'));
  if (params.get('previous') === 'true') throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  const ref: ContainerRef = { namespace, pod: name, container };
  let lines = [...state.logs.lines(ref)];
  if (!pod.spec?.nodeName && lines.length === 0) {
    res.writeHead(204, apiHeaders());
    res.end();
    return;
  }
  const sinceSeconds = Number(params.get('sinceSeconds') ?? '0');
  if (sinceSeconds > 0) {
    const from = state.now().getTime() - sinceSeconds * 1000;
    lines = lines.filter((l) => l.time.getTime() >= from);
  }
  const sinceTime = params.get('sinceTime');
  if (sinceTime) lines = lines.filter((l) => l.time.getTime() >= Date.parse(sinceTime));
  const tail = params.get('tailLines');
  if (tail !== null && Number(tail) >= 0) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
  const timestamps = params.get('timestamps') === 'true';
  const format = (l: LogLine): string => (timestamps ? `${nanoTime(l.time)} ${l.text}\n` : `${l.text}\n`);
  let budget = Number(params.get('limitBytes') ?? '0') || Infinity;

  res.writeHead(200, apiHeaders({ 'Content-Type': 'text/plain' }));
  const write = (text: string): boolean => {
    if (res.writableEnded || budget <= 0) return false;
    const chunk = text.length > budget ? text.slice(0, budget) : text;
    budget -= chunk.length;
    res.write(chunk);
    return budget > 0;
  };
  const backlog = lines.map(format).join('');
  if (backlog) write(backlog);
  if (params.get('follow') !== 'true' || budget <= 0) {
    res.end();
    return;
  }
  res.flushHeaders();
  state.counters.logStreams++;
  const unfollow = state.logs.follow(ref, (line) => {
    if (!write(format(line))) stop();
  });
  const unwatch = state.store.subscribe((e) => {
    if (e.spec === spec && e.type === 'DELETED' && e.object.metadata.namespace === namespace && e.object.metadata.name === name) stop();
  });
  let stopped = false;
  function stop(): void {
    if (stopped) return;
    stopped = true;
    unfollow();
    unwatch();
    state.streams.delete(stop);
    state.counters.logStreams--;
    if (!res.writableEnded) res.end();
  }
  state.streams.add(stop);
  res.on('close', stop);
}
