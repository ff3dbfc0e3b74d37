// A fresh PostgreSQL database per test, on the server scripts/with-postgres.sh starts (HOOPCTL_TEST_POSTGRES_URL).
// Without that variable the Postgres tests skip with the reason below; HOOPCTL_REQUIRE_POSTGRES=1 (CI) makes them fail instead.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const url = process.env.HOOPCTL_TEST_POSTGRES_URL;
const required = process.env.HOOPCTL_REQUIRE_POSTGRES === '1';

/** The `skip` option for Postgres tests: a printed reason when no server is configured, otherwise false. */
export function postgresSkip(): string | false {
  if (url !== undefined && url !== '') return false;
  // Not skipped: createTestDatabase then fails, so CI cannot pass without having run these tests.
  if (required) return false;
  return 'HOOPCTL_TEST_POSTGRES_URL is not set: run scripts/with-postgres.sh npm test to include the PostgreSQL tests';
}

/** A database of its own on the test server. */
export interface TestDatabase {
  url: string;
  /** Runs one statement on it (for tests that look under the Store). */
  sql<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, args?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates an empty database; drop() removes it even while connections are open. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (url === undefined || url === '') {
    throw new Error('HOOPCTL_REQUIRE_POSTGRES=1 but HOOPCTL_TEST_POSTGRES_URL is not set: run the tests through scripts/with-postgres.sh');
  }
  const name = `hoopctl_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.href,
    async sql<R extends pg.QueryResultRow>(text: string, args: unknown[] = []): Promise<R[]> {
      const c = new pg.Client({ connectionString: u.href });
      await c.connect();
      try {
        return (await c.query<R>(text, args)).rows;
      } finally {
        await c.end();
      }
    },
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
