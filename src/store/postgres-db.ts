/** The PostgreSQL store's connection plumbing: options, the pool, error wrapping, and the URL redaction used in every message. */
import pg from 'pg';
import { HoopError } from '../errors.js';

/** How to reach PostgreSQL (`store.postgres` in the gateway config). */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/db?sslmode=…` (libpq URL; TLS options go in the query). */
  url: string;
  /** Pool size per gateway replica (default 10); the LISTEN connection comes on top. */
  maxConnections?: number;
  /** Connection problems of idle pool clients and the LISTEN connection (default: dropped). */
  log?: (line: string) => void;
}

/** The URL with its password replaced by `***`, for messages and logs (never log the real one). */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    for (const key of [...u.searchParams.keys()]) if (/pass/i.test(key)) u.searchParams.set(key, '***');
    return u.href;
  } catch {
    return '(a PostgreSQL URL that does not parse)';
  }
}

/** pg's connection settings for `o`: loopback-fast failure, TCP keepalive so a dead peer is noticed. */
export function clientConfig(o: PostgresStoreOptions): pg.ClientConfig {
  return { connectionString: o.url, application_name: 'hoopctl-gateway', keepAlive: true, connectionTimeoutMillis: 10_000 };
}

/** Runs statements on the pool; every driver error becomes a HoopError('store_error') and a closed store says so. */
export interface Db {
  pool: pg.Pool;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(what: string, sql: string, args?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Runs `fn` in one transaction on one client (COMMIT on success, ROLLBACK on any error). */
  transaction<T>(what: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** Rejects from now on; ends the pool. */
  close(): Promise<void>;
}

/** Wraps a driver error in a store_error that names the operation (pg messages carry no password). */
export function storeError(what: string, cause: unknown): HoopError {
  if (cause instanceof HoopError) return cause;
  const code = (cause as { code?: unknown }).code;
  const detail = `${(cause as Error).message}${typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : ''}`;
  return new HoopError('store_error', `${what}: ${detail}`, { cause });
}

/** Creates the pool and its wrapper. */
export function createDb(o: PostgresStoreOptions): Db {
  const pool = new pg.Pool({ ...clientConfig(o), max: o.maxConnections ?? 10, idleTimeoutMillis: 30_000 });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', (e) => o.log?.(`postgres store: idle connection lost: ${e.message}`));
  let closed = false;
  const closedError = (what: string): HoopError => new HoopError('store_error', `${what}: the store is closed`);

  return {
    pool,
    async query(what, sql, args = []) {
      if (closed) throw closedError(what);
      try {
        return await pool.query(sql, args);
      } catch (e) {
        throw storeError(what, e);
      }
    },
    async transaction(what, fn) {
      if (closed) throw closedError(what);
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (e) {
        throw storeError(what, e);
      }
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw storeError(what, e);
      } finally {
        // A client whose ROLLBACK failed is in an unknown state: drop it instead of returning it to the pool.
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** A `timestamptz` column as pg returns it (a Date) → the RFC 3339 string of the Store interface. */
export function fromTimestamp(value: Date): string;
export function fromTimestamp(value: Date | null): string | null;
export function fromTimestamp(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}
