// Gateway replicas on one throw-away PostgreSQL database, in this process: each its own config file (from
// writeGatewayConfig plus `extra(i)`), its own store connection pool and its own createGateway, sharing the IdP
// and the simulated cluster — what the replica tests (key rotation, the console across replicas) start from.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGatewayConfig } from '../../src/gateway/config.js';
import { createGateway, type CreateGatewayOptions, type RunningGateway } from '../../src/gateway/create-gateway.js';
import { createEmbeddedIdp, type EmbeddedIdp } from '../../src/quickstart/embedded-idp.js';
import { createKubeApiServer, type KubeApiServer } from '../../src/simulated-cluster/index.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres-test-db.js';
import { USERS, writeGatewayConfig, type EchoUpstream } from './gateway-harness.js';

/** Options of startPostgresReplicas. */
export interface PostgresReplicasOptions {
  count: number;
  /** Config merged into replica i's file (store.postgres is set here). */
  extra?: (i: number) => Record<string, unknown>;
  /** createGateway options of replica i besides config and store. */
  gatewayOptions?: (i: number) => Omit<CreateGatewayOptions, 'config' | 'store'>;
}

/** Running replicas; close() stops them and drops the database. */
export interface PostgresReplicas {
  idp: EmbeddedIdp;
  kube: KubeApiServer;
  stores: Store[];
  gateways: RunningGateway[];
  close(): Promise<void>;
}

/** Starts `count` replicas (PostgreSQL from HOOPCTL_TEST_POSTGRES_URL, see postgresSkip). */
export async function startPostgresReplicas(o: PostgresReplicasOptions): Promise<PostgresReplicas> {
  const dir = await mkdtemp(join(tmpdir(), 'hoop-replicas-'));
  const stores: Store[] = [];
  const gateways: RunningGateway[] = [];
  let db: TestDatabase | undefined;
  let idp: EmbeddedIdp | undefined;
  let kube: KubeApiServer | undefined;
  const close = async (): Promise<void> => {
    for (const g of gateways) await g.close().catch(() => undefined);
    for (const s of stores) await s.close().catch(() => undefined);
    for (const step of [() => kube?.close(), () => idp?.close(), () => db?.drop()]) {
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    db = await createTestDatabase();
    idp = await createEmbeddedIdp({ users: USERS });
    kube = await createKubeApiServer({ tls: true });
    const echo = { url: 'http://127.0.0.1:9' } as EchoUpstream;
    const env = { TEST_GATEWAY_DATABASE_URL: db.url };
    for (let i = 0; i < o.count; i++) {
      const sub = join(dir, String(i));
      await mkdir(sub);
      const file = await writeGatewayConfig(sub, idp, kube, echo, {
        ...o.extra?.(i),
        store: { postgres: { urlEnv: 'TEST_GATEWAY_DATABASE_URL', maxConnections: 4 } },
      });
      const config = await loadGatewayConfig(file, { readFile: (p) => readFile(p, 'utf8'), env });
      const store = await openPostgresStore({ url: config.store.postgres!.url });
      stores.push(store);
      gateways.push(await createGateway({ logger: () => undefined, ...o.gatewayOptions?.(i), config, store }));
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { idp, kube, stores, gateways, close };
}
