/** The `store:` section of the gateway config: one SQLite file, or the PostgreSQL that several replicas share. */
import { z } from 'zod';
import { IF_VALID, integer, issue, mapping, text } from '../config-reader.js';

/** `store.postgres`: where the replicas' shared PostgreSQL is. */
export interface PostgresStoreConfig {
  /** May hold a password: never log it (redactPostgresUrl). */
  url: string;
  maxConnections: number;
}

/** The `store` section; a URL may come from the environment variable `urlEnv` names. */
export function storeSchema(env: Record<string, string | undefined>) {
  const postgres = mapping({ url: text.optional(), urlEnv: text.optional(), maxConnections: integer(1, 1000).optional() }).transform(
    (m, ctx): PostgresStoreConfig => {
      const fail = (path: string[], message: string): never => {
        issue(ctx, message, path);
        return z.NEVER;
      };
      if ((m.url === undefined) === (m.urlEnv === undefined))
        return fail([], 'set exactly one of url or urlEnv (the name of an environment variable holding the URL)');
      const path = m.url === undefined ? ['urlEnv'] : ['url'];
      const url = m.url ?? env[m.urlEnv!];
      if (url === undefined || url.trim() === '') return fail(path, `environment variable ${m.urlEnv} is not set`);
      // The messages never repeat the URL: it may carry the database password.
      let protocol: string;
      try {
        protocol = new URL(url).protocol;
      } catch {
        return fail(path, 'is not a URL (postgres://user:password@host:5432/database)');
      }
      if (protocol !== 'postgres:' && protocol !== 'postgresql:') return fail(path, `must be a postgres:// URL, got ${protocol}//…`);
      return { url, maxConnections: m.maxConnections ?? 10 };
    },
  );
  return mapping({ sqlite: text.optional(), postgres: postgres.optional() }).superRefine((m, ctx) => {
    if (m.sqlite !== undefined && m.postgres !== undefined) issue(ctx, 'set sqlite or postgres, not both');
  }, IF_VALID);
}
