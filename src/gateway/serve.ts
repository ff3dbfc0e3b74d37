/** Composition root of `hoopctl gateway serve`: config file → store → gateway. */
import type { LogFields } from './gateway-logger.js';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { loadGatewayConfig, type GatewayConfig } from './config.js';
import { createGateway, type RunningGateway } from './create-gateway.js';
import type { Store } from '../store/store.js';

export type { RunningGateway } from './create-gateway.js';

/** Options of startGatewayFromConfigFile. */
export interface ServeOptions {
  env: Record<string, string | undefined>;
  /** The gateway log (gateway-logger.ts); fields are optional structure, never a token or a value. */
  log: (line: string, fields?: LogFields) => void;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    try {
      // Run from source (tsx) the file sits one level higher up.
      return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      return '0.0.0';
    }
  }
}

/** An opened (and migrated) store of a gateway config, with a name for logs that never shows a password. */
export async function openGatewayStore(config: GatewayConfig, log: (line: string) => void): Promise<{ store: Store; name: string; schemaVersion: number }> {
  const pgConfig = config.store.postgres;
  if (pgConfig === undefined) {
    const { openSqliteStore, SQLITE_SCHEMA_VERSION } = await import('../store/sqlite-store.js');
    return { store: await openSqliteStore(config.store.sqlite), name: config.store.sqlite, schemaVersion: SQLITE_SCHEMA_VERSION };
  }
  // Loaded only when configured: a single SQLite gateway never loads pg.
  const { openPostgresStore, redactPostgresUrl } = await import('../store/postgres-store.js');
  const { PG_MIGRATIONS } = await import('../store/postgres-schema.js');
  const store = await openPostgresStore({ url: pgConfig.url, maxConnections: pgConfig.maxConnections, log });
  return { store, name: `postgres ${redactPostgresUrl(pgConfig.url)}`, schemaVersion: PG_MIGRATIONS.length };
}

/** Reads and validates a gateway config file. */
export function readGatewayConfigFile(file: string, env: Record<string, string | undefined>): Promise<GatewayConfig> {
  return loadGatewayConfig(file, { readFile: (p) => readFile(p, 'utf8'), env });
}

/** Loads the config, opens the store, starts the gateway and logs one line; close() also closes the store. */
export async function startGatewayFromConfigFile(file: string, options: ServeOptions): Promise<RunningGateway> {
  const config = await readGatewayConfigFile(file, options.env);
  const { store, name: storeName } = await openGatewayStore(config, options.log);
  let gateway: RunningGateway;
  try {
    gateway = await createGateway({ config, store, logger: options.log, version: packageVersion(), env: options.env });
  } catch (e) {
    await store.close();
    throw e;
  }
  const names = config.connections.map((c) => c.name).join(', ') || 'none';
  // Honoured because kubeconfigs of lab clusters carry it, but it must never pass silently.
  for (const c of config.connections.filter((x) => x.insecureSkipTlsVerify)) {
    options.log(
      `WARNING: connection ${c.name}: TLS verification of the upstream is OFF (insecureSkipTlsVerify); anyone on the path can read its traffic and the held credential`,
    );
  }
  options.log(`gateway listening on ${gateway.url} (public URL ${gateway.publicUrl}; store ${storeName}; connections: ${names})`);
  return {
    ...gateway,
    close: async () => {
      await gateway.close();
      await store.close();
    },
  };
}
