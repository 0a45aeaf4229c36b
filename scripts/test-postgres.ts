/**
 * `npm run test:postgres`: the booted-Strapi test suite on a real PostgreSQL. Starts a private
 * cluster in a temporary folder on a free local port, runs jest against it (plus the tests that need
 * PostgreSQL, such as two Strapi processes sharing one database), then stops and deletes the cluster,
 * whatever the tests did. Extra arguments go to jest.
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '../tests/support/free-port';

const ROOT = path.resolve(__dirname, '..');
const isRoot = process.getuid?.() === 0;

const log = (message: string) => console.log(`[test:postgres] ${message}`);

/** Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<version>/bin. */
function findBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = path.join(base, version, 'bin');
    if (fs.existsSync(path.join(dir, 'initdb'))) return dir;
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 ? path.dirname(which.stdout.trim()) : null;
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

function ensurePostgres(): string {
  const found = findBinDir();
  if (found) return found;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0;
  if (!isRoot || !hasApt) {
    throw new Error(
      'PostgreSQL server binaries (initdb, pg_ctl) were not found. Install the Debian package "postgresql" ' +
        '(apt-get install -y postgresql) or put a PostgreSQL 13+ bin folder on PATH, then run this again.'
    );
  }
  log('PostgreSQL is not installed: installing the Debian package "postgresql"…');
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'postgresql'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const installed = findBinDir();
  if (!installed) throw new Error('apt-get installed postgresql but initdb is still missing');
  return installed;
}

async function main() {
  const binDir = ensurePostgres();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktok-auth-mobile-pg-'));
  const dataDir = path.join(dir, 'data');
  // initdb refuses to run as root: the cluster belongs to the postgres user then.
  const asOwner = (bin: string, args: string[]) =>
    isRoot ? run('runuser', ['-u', 'postgres', '--', path.join(binDir, bin), ...args]) : run(path.join(binDir, bin), args);
  if (isRoot) run('chown', ['postgres:postgres', dir]);

  let started = false;
  const stop = () => {
    if (started) {
      started = false;
      log('stopping the cluster');
      try {
        asOwner('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      } catch (error) {
        console.error(`[test:postgres] ${(error as Error).message}`);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const port = await freePort();
    log(`creating a private cluster in ${dir} (port ${port})`);
    asOwner('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    asOwner('pg_ctl', [
      '-D', dataDir, '-l', path.join(dir, 'server.log'), '-w', 'start',
      '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
    ]);
    started = true;

    log('running the test suite on PostgreSQL');
    const jest = spawn(
      path.join(ROOT, 'node_modules', '.bin', 'jest'),
      // The browser test does not depend on the database: the SQLite run covers it. tests/redis/ needs
      // the redis-server of npm run test:redis. (last: the option takes every word after it)
      [...process.argv.slice(2), '--testPathIgnorePatterns', '/node_modules/', '<rootDir>/tests/browser/', '<rootDir>/tests/redis/'],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: {
          ...process.env,
          DATABASE_CLIENT: 'postgres',
          DATABASE_HOST: '127.0.0.1',
          DATABASE_PORT: String(port),
          DATABASE_USERNAME: 'postgres',
          DATABASE_PASSWORD: '',
        },
      }
    );
    const forward = (signal: NodeJS.Signals) => jest.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const code = await new Promise<number>((resolve) => jest.on('exit', (exit) => resolve(exit ?? 1)));
    process.exitCode = code;
  } finally {
    stop();
  }
}

main().catch((error: Error) => {
  console.error(`[test:postgres] ${error.message}`);
  process.exitCode = 1;
});
