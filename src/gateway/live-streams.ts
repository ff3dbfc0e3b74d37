/** Open proxied requests per session, so expiry and DELETE cut watches, logs -f and exec streams at once. */
import type { Clock } from '../clock.js';

/** Something that can be torn down: an upstream request, a response, an upgraded socket pair. */
export interface Closeable {
  close(reason: string): void;
}

/** Registry of a gateway's live streams. */
export interface LiveStreams {
  /** Tracks `stream` for `sessionId` until the returned function is called; starts the expiry timer of the session. */
  add(sessionId: string, expiresAtMs: number, stream: Closeable): () => void;
  /** Closes every stream of the session now. */
  closeSession(sessionId: string, reason: string): number;
  /** Number of live streams of a session (tests, metrics). */
  count(sessionId?: string): number;
  /** Closes everything and clears the timers (gateway shutdown). */
  closeAll(reason: string): void;
}

interface Entry {
  streams: Set<Closeable>;
  timer: NodeJS.Timeout;
}

// setTimeout cannot wait longer than 2^31-1 ms; re-arm in steps for (unusual) longer sessions.
const MAX_DELAY = 2 ** 31 - 1;

/** Creates the registry; `now` is the gateway clock (ms). */
export function createLiveStreams(now: Clock): LiveStreams {
  const bySession = new Map<string, Entry>();
  // A request authenticated just before its session ended may register its stream just after: close it at once.
  const closedSessions = new Set<string>();

  function arm(sessionId: string, expiresAtMs: number): NodeJS.Timeout {
    const delay = Math.max(0, Math.min(MAX_DELAY, expiresAtMs - now()));
    const t = setTimeout(() => {
      const entry = bySession.get(sessionId);
      if (entry === undefined) return;
      if (expiresAtMs - now() > 0) entry.timer = arm(sessionId, expiresAtMs);
      else closeSession(sessionId, 'session expired');
    }, delay);
    t.unref();
    return t;
  }

  function closeSession(sessionId: string, reason: string): number {
    if (closedSessions.size > 10_000) closedSessions.clear();
    closedSessions.add(sessionId);
    const entry = bySession.get(sessionId);
    if (entry === undefined) return 0;
    bySession.delete(sessionId);
    clearTimeout(entry.timer);
    for (const s of entry.streams) {
      try {
        s.close(reason);
      } catch {
        /* one stream failing to close must not keep the others open */
      }
    }
    return entry.streams.size;
  }

  return {
    add(sessionId, expiresAtMs, stream) {
      if (closedSessions.has(sessionId) || expiresAtMs <= now()) {
        stream.close(closedSessions.has(sessionId) ? 'session ended' : 'session expired');
        return () => undefined;
      }
      let entry = bySession.get(sessionId);
      if (entry === undefined) {
        entry = { streams: new Set(), timer: arm(sessionId, expiresAtMs) };
        bySession.set(sessionId, entry);
      }
      entry.streams.add(stream);
      const e = entry;
      return () => {
        e.streams.delete(stream);
        if (e.streams.size === 0 && bySession.get(sessionId) === e) {
          clearTimeout(e.timer);
          bySession.delete(sessionId);
        }
      };
    },
    closeSession,
    count(sessionId) {
      if (sessionId !== undefined) return bySession.get(sessionId)?.streams.size ?? 0;
      let n = 0;
      for (const e of bySession.values()) n += e.streams.size;
      return n;
    },
    closeAll(reason) {
      for (const id of [...bySession.keys()]) closeSession(id, reason);
    },
  };
}
