/**
 * Graceful drain (SIGTERM): the gateway turns unready, accepts no new connections and answers requests
 * that still arrive on kept-alive ones with a 503 Status, lets short requests finish within the grace
 * period, then closes long streams (watch, logs -f, exec) through the live-streams registry, so clients
 * reconnect to another replica.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/** Tracks in-flight requests of a server and drains them. */
export interface Drain {
  /** True from the start of the drain: `/readyz` reports unready. */
  readonly draining: boolean;
  /** Registers a request; false when draining (the caller must refuse it). */
  admitRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Registers an upgrade; false when draining. */
  admitUpgrade(req: IncomingMessage, socket: Duplex): boolean;
  /** Requests in flight: `short` ones finish by themselves, `long` ones (watch, follow, upgrades) need closing. */
  inFlight(): { short: number; long: number };
  /** Stops admitting; resolves when short requests are done or `graceMs` has passed, after calling `closeLong`, once the long ones are gone or the grace is over. */
  drain(o: { graceMs: number; closeLong: () => void; unreadyDelayMs?: number }): Promise<{ cutShort: number; closedLong: number }>;
}

/** True for requests that stream until someone closes them. */
export function isLongRequest(req: IncomingMessage): boolean {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  const on = (k: string): boolean => {
    const v = q.get(k);
    return v !== null && v !== 'false' && v !== '0';
  };
  return on('watch') || on('follow') || /\/watch\//.test(req.url ?? '');
}

/** Creates the tracker for `server`. */
export function createDrain(server: Server): Drain {
  let draining = false;
  let refusing = false;
  const short = new Set<object>();
  const long = new Set<object>();
  let changed: (() => void) | undefined;
  const track = (set: Set<object>, item: object, done: (cb: () => void) => void): void => {
    set.add(item);
    done(() => {
      set.delete(item);
      changed?.();
    });
  };
  const until = (cond: () => boolean, deadline: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (cond() || Date.now() >= deadline) {
          clearTimeout(timer);
          changed = undefined;
          resolve();
        }
      };
      const timer = setTimeout(
        () => {
          changed = undefined;
          resolve();
        },
        Math.max(0, deadline - Date.now()),
      );
      changed = check;
      check();
    });

  return {
    get draining() {
      return draining;
    },
    admitRequest(req, res) {
      if (refusing) return false;
      track(isLongRequest(req) ? long : short, res, (cb) => res.once('close', cb));
      return true;
    },
    admitUpgrade(_req, socket) {
      if (refusing) return false;
      track(long, socket, (cb) => socket.once('close', cb));
      return true;
    },
    inFlight: () => ({ short: short.size, long: long.size }),
    async drain(o) {
      draining = true;
      // Load balancers take a few seconds to notice an unready pod: keep serving (unready) meanwhile, so
      // clients routed here before that do not meet a closed port.
      if ((o.unreadyDelayMs ?? 0) > 0) await new Promise((r) => setTimeout(r, o.unreadyDelayMs));
      refusing = true;
      server.close();
      server.closeIdleConnections();
      const deadline = Date.now() + o.graceMs;
      await until(() => short.size === 0, deadline);
      const cutShort = short.size;
      const closedLong = long.size;
      o.closeLong();
      // The closed streams end with a Status; give their last bytes a moment, within the same grace.
      await until(() => long.size === 0, Math.min(deadline, Date.now() + 2_000));
      return { cutShort, closedLong };
    },
  };
}
