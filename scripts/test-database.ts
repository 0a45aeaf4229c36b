/**
 * What `npm run test:postgres` and `npm run test:mysql` share: install the database server from Debian
 * when it is missing, start a private server in a temporary folder on a free local port, run the
 * booted-Strapi jest suite against it, then stop the server and delete the folder whatever happened
 * (Ctrl-C included).
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '../tests/support/free-port';

const ROOT = path.resolve(__dirname, '..');
export const isRoot = process.getuid?.() === 0;

export function run(command: string, args: string[], options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

export const onPath = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/**
 * `find()` the server binaries; when it finds nothing, installs the Debian package with apt-get (as root)
 * and looks again. `missing` says what to install when that is not possible.
 */
export function ensureInstalled<T>({ find, debianPackage, missing, log }: {
  find: () => T | null;
  debianPackage: string;
  missing: string;
  log: (message: string) => void;
}): T {
  const found = find();
  if (found) return found;
  if (!isRoot || !onPath('apt-get')) throw new Error(missing);
  log(`the server is not installed: installing the Debian package "${debianPackage}"…`);
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', debianPackage], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const installed = find();
  if (!installed) throw new Error(`apt-get installed ${debianPackage} but its server binaries are still missing`);
  return installed;
}

export { freePort };

export interface StartedServer {
  /** The DATABASE_* variables the tests and playground/config/database.js read. */
  env: Record<string, string>;
  stop: () => Promise<void>;
}

/**
 * Runs the jest suite (extra command-line arguments included, the browser tests left out) against the
 * server `start` starts in a temporary folder, and sets the exit code to jest's.
 */
export async function runSuiteOn({ name, log, start }: {
  name: string;
  log: (message: string) => void;
  start: (dir: string, port: number) => Promise<StartedServer>;
}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tiktok-auth-mobile-${name}-`));
  let server: StartedServer | undefined;
  let jest: ReturnType<typeof spawn> | undefined;
  let interrupted: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => {
    interrupted = signal;
    jest?.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const port = await freePort();
    log(`starting a private server in ${dir} (port ${port})`);
    server = await start(dir, port);
    if (interrupted) throw new Error(`interrupted (${interrupted})`);

    log('running the test suite');
    const child = spawn(
      path.join(ROOT, 'node_modules', '.bin', 'jest'),
      // The browser tests do not depend on the database (the SQLite run covers them); tests/redis/ has its own script.
      // (last: the option takes every word after it)
      [...process.argv.slice(2), '--testPathIgnorePatterns', '/node_modules/', '<rootDir>/tests/browser/', '<rootDir>/tests/redis/'],
      { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...server.env } }
    );
    jest = child;
    process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
    log(process.exitCode === 0 ? 'the test suite passed' : `the test suite failed (exit ${process.exitCode})`);
  } finally {
    if (server) {
      log('stopping the server');
      await server.stop().catch((error: Error) => log(`stopping failed: ${error.message}`));
    }
    fs.rmSync(dir, { recursive: true, force: true });
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

/** Runs `main`, printing its error on one tagged line and exiting with 1. */
export const runScript = (name: string, main: (log: (message: string) => void) => Promise<void>) => {
  const log = (message: string) => console.log(`[${name}] ${message}`);
  main(log).catch((error: Error) => {
    console.error(`[${name}] ${error.message}`);
    process.exitCode = 1;
  });
};
