/**
 * Cross-replica revoke: a session ended on any replica reaches every other one through PostgreSQL
 * LISTEN/NOTIFY (https://www.postgresql.org/docs/current/sql-notify.html) on one dedicated connection.
 * Notifications sent while that connection is down are lost, so after every reconnect the feed reads the
 * sessions ended since it went down (with a margin for replica clock skew) and delivers them too.
 */
import pg from 'pg';
import { HoopError } from '../errors.js';
import { clientConfig, storeError, type PostgresStoreOptions } from './postgres-db.js';

/** The NOTIFY channel; the payload is JSON `{"id": session id, "origin": store instance}`. */
export const SESSION_ENDED_CHANNEL = 'hoopctl_session_ended';

/** How far before the loss of the connection the catch-up looks (ended_at comes from the replicas' clocks). */
const CATCH_UP_MARGIN_MS = 60_000;
/** A connection that stops answering this often is replaced (TCP keepalive alone can take minutes). */
const PING_EVERY_MS = 15_000;

/** Listeners of ended sessions, fed by NOTIFY from other replicas and directly by this one. */
export interface SessionEndedFeed {
  subscribe(listener: (id: string) => void): () => void;
  /** A session this store ended: delivered after the caller's own continuation (so it closes its streams first). */
  deliverLocal(id: string): void;
  close(): Promise<void>;
}

/** Inputs of startSessionEndedFeed. */
export interface SessionEndedFeedOptions extends PostgresStoreOptions {
  /** This store instance; its own notifications come back over LISTEN and are skipped. */
  origin: string;
  /** Ids of sessions whose ended_at is at or after `sinceIso`. */
  endedSince(sinceIso: string): Promise<string[]>;
}

/** Connects, LISTENs, and keeps doing so until close(); rejects when the first connection fails. */
export async function startSessionEndedFeed(o: SessionEndedFeedOptions): Promise<SessionEndedFeed> {
  const listeners = new Set<(id: string) => void>();
  let client: pg.Client | undefined;
  let closed = false;
  let lostAt: number | undefined;
  let retryMs = 100;
  let retryTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;

  function deliver(id: string): void {
    for (const l of [...listeners]) {
      try {
        l(id);
      } catch (e) {
        o.log?.(`postgres store: a session-ended listener failed: ${(e as Error).message}`);
      }
    }
  }

  function onNotification(msg: pg.Notification): void {
    if (msg.channel !== SESSION_ENDED_CHANNEL || msg.payload === undefined) return;
    let body: { id?: unknown; origin?: unknown };
    try {
      body = JSON.parse(msg.payload) as typeof body;
    } catch {
      return;
    }
    if (typeof body.id === 'string' && body.origin !== o.origin) deliver(body.id);
  }

  function lost(c: pg.Client, why: string): void {
    if (closed || client !== c) return;
    client = undefined;
    clearInterval(pingTimer);
    lostAt ??= Date.now();
    o.log?.(`postgres store: the LISTEN connection was lost (${why}); reconnecting`);
    c.removeAllListeners('notification');
    c.end().catch(() => undefined);
    retryTimer = setTimeout(() => {
      reconnect().catch(() => undefined);
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, 5_000);
  }

  async function connect(): Promise<void> {
    const c = new pg.Client(clientConfig(o));
    c.on('error', (e) => lost(c, e.message));
    c.on('end', () => lost(c, 'connection ended'));
    c.on('notification', onNotification);
    try {
      await c.connect();
      await c.query(`LISTEN ${SESSION_ENDED_CHANNEL}`);
    } catch (e) {
      c.removeAllListeners('end');
      c.on('error', () => undefined);
      await c.end().catch(() => undefined);
      throw e;
    }
    if (closed) {
      await c.end().catch(() => undefined);
      return;
    }
    client = c;
    pingTimer = setInterval(() => {
      // Notifications are read between queries too; the ping only proves the server still answers.
      const timeout = setTimeout(() => lost(c, 'no answer to a ping'), 5_000);
      c.query('SELECT 1').then(
        () => clearTimeout(timeout),
        (e: Error) => {
          clearTimeout(timeout);
          lost(c, e.message);
        },
      );
    }, PING_EVERY_MS);
    pingTimer.unref();
  }

  async function reconnect(): Promise<void> {
    if (closed) return;
    try {
      await connect();
    } catch (e) {
      o.log?.(`postgres store: cannot reconnect the LISTEN connection: ${(e as Error).message}`);
      retryTimer = setTimeout(() => {
        reconnect().catch(() => undefined);
      }, retryMs);
      retryTimer.unref();
      retryMs = Math.min(retryMs * 2, 5_000);
      return;
    }
    retryMs = 100;
    const since = lostAt;
    if (since === undefined) return;
    // LISTEN is active again, so nothing ended from here on is missed; re-delivering an old end is harmless.
    try {
      for (const id of await o.endedSince(new Date(since - CATCH_UP_MARGIN_MS).toISOString())) deliver(id);
      lostAt = undefined;
    } catch (e) {
      o.log?.(`postgres store: cannot read the sessions ended while LISTEN was down: ${(e as Error).message}`);
      if (client !== undefined) lost(client, 'catch-up failed');
    }
  }

  try {
    await connect();
  } catch (e) {
    throw e instanceof HoopError ? e : storeError('listen for ended sessions', e);
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    deliverLocal(id) {
      setImmediate(() => deliver(id));
    },
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(pingTimer);
      listeners.clear();
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
