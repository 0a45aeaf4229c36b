/**
 * `npm run test:mysql`: the booted-Strapi test suite on a real MariaDB (Strapi's `mysql` client).
 * Starts a private server in a temporary folder on a free local port, runs jest against it
 * (tests/multi-process/ included), then stops it and deletes the folder, whatever the tests did.
 * Extra arguments go to jest.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { ensureInstalled, isRoot, onPath, run, runScript, runSuiteOn } from './test-database';

interface Binaries {
  server: string;
  installDb: string;
  admin: string;
}

const which = (names: string[], dirs: string[] = []) => {
  for (const name of names) {
    for (const dir of dirs) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
    if (onPath(name)) return name;
  }
  return null;
};

/** Debian puts mariadbd in /usr/sbin, which is not on every user's PATH. */
function findBinaries(): Binaries | null {
  const server = which(['mariadbd', 'mysqld'], ['/usr/sbin']);
  const installDb = which(['mariadb-install-db', 'mysql_install_db']);
  const admin = which(['mariadb-admin', 'mysqladmin']);
  return server && installDb && admin ? { server, installDb, admin } : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

runScript('test:mysql', async (log) => {
  const bin = ensureInstalled({
    find: findBinaries,
    debianPackage: 'mariadb-server',
    missing:
      'MariaDB server binaries (mariadbd, mariadb-install-db, mariadb-admin) were not found. Install the Debian ' +
      'package "mariadb-server" (apt-get install -y mariadb-server) or put MariaDB 10.6+ on PATH, then run this again.',
    log,
  });
  await runSuiteOn({
    name: 'mysql',
    log,
    async start(dir, port) {
      const dataDir = path.join(dir, 'data');
      const socket = path.join(dir, 'mariadbd.sock');
      const logFile = path.join(dir, 'server.log');
      // The server refuses to run as root unless told so; the folder is private and deleted afterwards.
      const user = isRoot ? ['--user=root'] : [];
      run(bin.installDb, [
        '--no-defaults', `--datadir=${dataDir}`, ...user,
        '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve',
      ], { stdio: ['ignore', 'ignore', 'inherit'] });

      const server = spawn(bin.server, [
        '--no-defaults', `--datadir=${dataDir}`, ...user,
        `--socket=${socket}`, `--pid-file=${path.join(dir, 'mariadbd.pid')}`, `--log-error=${logFile}`,
        '--bind-address=127.0.0.1', `--port=${port}`, '--skip-name-resolve', '--max-connections=300',
        // What Debian's configuration sets: utf8mb4 with its case-insensitive default collation.
        '--character-set-server=utf8mb4', '--collation-server=utf8mb4_general_ci',
        // Tests need no durability.
        '--skip-log-bin', '--innodb-flush-log-at-trx-commit=0', '--innodb-doublewrite=0', '--sync-frm=0',
      ], { stdio: 'ignore', detached: true });
      const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      let running = true;
      void exited.then(() => (running = false));
      const stop = async () => {
        if (!running) return;
        server.kill('SIGTERM');
        const timer = setTimeout(() => server.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(timer);
      };

      const answers = () =>
        spawnSync(bin.admin, ['--no-defaults', `--socket=${socket}`, '--user=root', '--connect-timeout=1', 'ping'], { stdio: 'ignore' })
          .status === 0;
      for (const giveUpAt = Date.now() + 60_000; !answers(); await sleep(100)) {
        if (!running || Date.now() > giveUpAt) {
          await stop();
          const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
          throw new Error(`MariaDB did not start${running ? ' within 60 s' : ''}:\n${tail}`);
        }
      }
      log('the server answers');
      return {
        env: {
          DATABASE_CLIENT: 'mysql',
          DATABASE_HOST: '127.0.0.1',
          DATABASE_PORT: String(port),
          DATABASE_USERNAME: 'root',
          DATABASE_PASSWORD: '',
        },
        stop,
      };
    },
  });
});
