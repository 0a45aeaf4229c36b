/**
 * One database per test file: a SQLite file in a temporary folder, or, when the suite runs with
 * DATABASE_CLIENT=postgres (npm run test:postgres), a fresh database on that server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface TestDatabase {
  /** The environment variables playground/config/database.js reads. */
  env: Record<string, string>;
  drop: () => Promise<void>;
}

export const usesPostgres = () => process.env.DATABASE_CLIENT === 'postgres';

const clientFor = (database: string) =>
  new Client({
    host: process.env.DATABASE_HOST,
    port: Number(process.env.DATABASE_PORT),
    user: process.env.DATABASE_USERNAME,
    password: process.env.DATABASE_PASSWORD,
    database,
  });

const adminClient = () => clientFor('postgres');

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!usesPostgres()) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktok-auth-mobile-'));
    return {
      env: { DATABASE_FILENAME: path.join(dir, 'data.db') },
      drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }

  const name = `tiktok_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = adminClient();
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return {
    env: { DATABASE_NAME: name },
    async drop() {
      const dropper = adminClient();
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** A direct connection to a test database, for reading what the Strapi processes wrote. */
export const connectTo = async (database: TestDatabase) => {
  const client = clientFor(database.env.DATABASE_NAME);
  await client.connect();
  return client;
};
