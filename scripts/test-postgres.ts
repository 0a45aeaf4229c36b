/**
 * `npm run test:postgres`: the booted-Strapi test suite on a real PostgreSQL. Starts a private
 * cluster in a temporary folder on a free local port, runs jest against it (tests/multi-process/
 * included: two Strapi processes sharing one database), then stops and deletes the cluster, whatever
 * the tests did. Extra arguments go to jest.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { ensureInstalled, isRoot, run, runScript, runSuiteOn } from './test-database';

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

runScript('test:postgres', async (log) => {
  const binDir = ensureInstalled({
    find: findBinDir,
    debianPackage: 'postgresql',
    missing:
      'PostgreSQL server binaries (initdb, pg_ctl) were not found. Install the Debian package "postgresql" ' +
      '(apt-get install -y postgresql) or put a PostgreSQL 13+ bin folder on PATH, then run this again.',
    log,
  });
  await runSuiteOn({
    name: 'pg',
    log,
    async start(dir, port) {
      const dataDir = path.join(dir, 'data');
      // initdb refuses to run as root: the cluster belongs to the postgres user then.
      const asOwner = (bin: string, args: string[]) =>
        isRoot ? run('runuser', ['-u', 'postgres', '--', path.join(binDir, bin), ...args]) : run(path.join(binDir, bin), args);
      if (isRoot) run('chown', ['postgres:postgres', dir]);
      asOwner('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
      asOwner('pg_ctl', [
        '-D', dataDir, '-l', path.join(dir, 'server.log'), '-w', 'start',
        '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      ]);
      return {
        env: {
          DATABASE_CLIENT: 'postgres',
          DATABASE_HOST: '127.0.0.1',
          DATABASE_PORT: String(port),
          DATABASE_USERNAME: 'postgres',
          DATABASE_PASSWORD: '',
        },
        stop: async () => asOwner('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']),
      };
    },
  });
});
