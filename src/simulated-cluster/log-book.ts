// Container logs of the simulated pods: what the kubelet would have on disk, plus live
// followers for `kubectl logs -f`.

/** One log line with the time the container wrote it. */
export interface LogLine {
  time: Date;
  text: string;
}

/** Address of one container's log. */
export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

/** Log storage and fan-out to followers. */
export interface LogBook {
  append(ref: ContainerRef, text: string, time?: Date): void;
  lines(ref: ContainerRef): readonly LogLine[];
  /** Calls `listener` for every line appended from now on; returns the unsubscribe function. */
  follow(ref: ContainerRef, listener: (line: LogLine) => void): () => void;
  /** Containers that currently have at least one follower. */
  followed(): ContainerRef[];
  /** Forgets a pod's logs (the pod was deleted). */
  forget(namespace: string, pod: string): void;
}

function keyOf(r: ContainerRef): string {
  return `${r.namespace}/${r.pod}/${r.container}`;
}

/** Creates an empty log book keeping at most `maxLines` lines per container. */
export function createLogBook(options: { now?: () => Date; maxLines?: number } = {}): LogBook {
  const now = options.now ?? (() => new Date());
  const maxLines = options.maxLines ?? 5000;
  const store = new Map<string, LogLine[]>();
  const followers = new Map<string, { ref: ContainerRef; listeners: Set<(line: LogLine) => void> }>();

  return {
    append(ref, text, time) {
      const key = keyOf(ref);
      let lines = store.get(key);
      if (!lines) {
        lines = [];
        store.set(key, lines);
      }
      const line = { time: time ?? now(), text };
      lines.push(line);
      if (lines.length > maxLines) lines.splice(0, lines.length - maxLines);
      const f = followers.get(key);
      if (f) for (const l of f.listeners) l(line);
    },
    lines(ref) {
      return store.get(keyOf(ref)) ?? [];
    },
    follow(ref, listener) {
      const key = keyOf(ref);
      let f = followers.get(key);
      if (!f) {
        f = { ref, listeners: new Set() };
        followers.set(key, f);
      }
      f.listeners.add(listener);
      const entry = f;
      return () => {
        entry.listeners.delete(listener);
        if (entry.listeners.size === 0) followers.delete(key);
      };
    },
    followed() {
      return [...followers.values()].map((f) => f.ref);
    },
    forget(namespace, pod) {
      const prefix = `${namespace}/${pod}/`;
      for (const key of store.keys()) if (key.startsWith(prefix)) store.delete(key);
    },
  };
}
