/**
 * One database per test file: a SQLite file in a temporary folder or, when the suite runs with
 * DATABASE_CLIENT=postgres (npm run test:postgres) or DATABASE_CLIENT=mysql (npm run test:mysql), a
 * fresh database on that server, dropped afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { knex, type Knex } from 'knex';

export interface TestDatabase {
  /** The environment variables playground/config/database.js reads. */
  env: Record<string, string>;
  drop: () => Promise<void>;
}

type ServerClient = 'postgres' | 'mysql';

/** The database server the suite runs on, or null for SQLite. */
export const serverClient = (): ServerClient | null => {
  const client = process.env.DATABASE_CLIENT;
  return client === 'postgres' || client === 'mysql' ? client : null;
};

/** A knex connection to one database of the server (the server's own with no name), through the driver Strapi uses. */
const knexFor = (client: ServerClient, database?: string): Knex =>
  knex({
    client: client === 'postgres' ? 'pg' : 'mysql2',
    connection: {
      host: process.env.DATABASE_HOST,
      port: Number(process.env.DATABASE_PORT),
      user: process.env.DATABASE_USERNAME,
      password: process.env.DATABASE_PASSWORD,
      database: database ?? (client === 'postgres' ? 'postgres' : undefined),
    },
    pool: { min: 0, max: 4 },
  });

/** Runs one statement on the server's own database, on a connection closed afterwards. */
const onServer = async (client: ServerClient, statement: string) => {
  const server = knexFor(client);
  try {
    await server.raw(statement);
  } finally {
    await server.destroy();
  }
};

export async function createTestDatabase(): Promise<TestDatabase> {
  const client = serverClient();
  if (!client) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktok-auth-mobile-'));
    return {
      env: { DATABASE_FILENAME: path.join(dir, 'data.db') },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }

  const name = `tiktok_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(client, `CREATE DATABASE ${name}`);
  return {
    env: { DATABASE_NAME: name },
    drop: () => onServer(client, client === 'postgres' ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)` : `DROP DATABASE IF EXISTS ${name}`),
  };
}

/** A direct connection to a test database, for reading what the Strapi processes wrote. */
export const connectTo = (database: TestDatabase): Knex => {
  const client = serverClient();
  if (!client) throw new Error('connectTo needs a database server (DATABASE_CLIENT=postgres or mysql)');
  return knexFor(client, database.env.DATABASE_NAME);
};

/** The rows of a raw query, whichever the driver. */
const rowsOf = <Row>(result: unknown): Row[] =>
  Array.isArray(result) ? (result[0] as Row[]) : ((result as { rows: Row[] }).rows);

/** How many sessions of the database wait for a lock (a table lock, or a row lock in InnoDB). */
export async function sessionsWaitingForALock(db: Knex): Promise<number> {
  const [{ n }] = rowsOf<{ n: number | string }>(
    await db.raw(
      serverClient() === 'postgres'
        ? "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        : // A table lock wait shows in the session's state, a row lock wait in its InnoDB transaction.
          "SELECT count(*) AS n FROM information_schema.PROCESSLIST p LEFT JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID " +
            "WHERE p.DB = DATABASE() AND (p.STATE LIKE 'Waiting for table%lock' OR t.trx_state = 'LOCK WAIT')"
    )
  );
  return Number(n);
}

/** Ends a held lock once, however often it is called (after the race, and again in a finally). */
const releaseOnce = (release: () => Promise<unknown>) => {
  let released: Promise<void> | undefined;
  return () => (released ??= release().then(() => undefined));
};

/**
 * Makes writes to `table` wait (reads go on) until the returned release is called: PostgreSQL's
 * SHARE mode table lock in a transaction, MySQL's LOCK TABLES … READ.
 */
export async function blockWrites(db: Knex, table: string): Promise<() => Promise<void>> {
  const trx = await db.transaction();
  if (serverClient() === 'postgres') {
    await trx.raw(`LOCK TABLE ${table} IN SHARE MODE`);
    return releaseOnce(() => trx.rollback());
  }
  await trx.raw(`LOCK TABLES ${table} READ`);
  return releaseOnce(async () => {
    await trx.raw('UNLOCK TABLES');
    await trx.rollback();
  });
}

/** Holds the rows of `table` matching `where` with SELECT … FOR UPDATE in an open transaction, until released. */
export async function holdRows(db: Knex, table: string, where: Record<string, unknown>): Promise<() => Promise<void>> {
  const trx = await db.transaction();
  await trx(table).select('id').where(where).forUpdate();
  return releaseOnce(() => trx.rollback());
}
