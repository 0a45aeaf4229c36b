/**
 * `npm run test:redis`: the login rate limit shared through Redis, tested with two Strapi processes.
 * Starts a private redis-server (no persistence, a password, a free local port) in a temporary folder,
 * runs jest on tests/redis/ against it, then stops it and deletes the folder, whatever the tests did.
 * Extra arguments go to jest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '../tests/support/free-port';
import { ensureInstalled, onPath } from './test-database';

const ROOT = path.resolve(__dirname, '..');

const log = (message: string) => console.log(`[test:redis] ${message}`);

function ensureRedis() {
  ensureInstalled({
    find: () => (onPath('redis-server') ? true : null),
    debianPackage: 'redis-server',
    missing:
      'redis-server was not found. Install the Debian package "redis-server" (apt-get install -y redis-server) ' +
      'or put a Redis 6+ redis-server on PATH, then run this again.',
    log,
  });
}

/** Resolves once the server answers PING (after AUTH), checked every 50 ms for at most 10 s. */
async function waitForRedis(port: number, password: string, server: ChildProcess) {
  const ping = () =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let answer = '';
      socket.setTimeout(1000, () => socket.destroy());
      socket.on('connect', () => socket.write(`AUTH ${password}\r\nPING\r\n`));
      socket.on('data', (chunk) => {
        answer += chunk.toString();
        if (answer.includes('+PONG')) socket.end();
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve(answer.includes('+PONG')));
    });
  for (const giveUpAt = Date.now() + 10_000; !(await ping()); ) {
    if (server.exitCode !== null) throw new Error(`redis-server exited with ${server.exitCode}`);
    if (Date.now() > giveUpAt) throw new Error('redis-server did not answer within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Stops the server even if a test paused (SIGSTOP) or killed it. */
async function stopRedis(server: ChildProcess) {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
  server.kill('SIGCONT');
  server.kill('SIGTERM');
  await exited;
  clearTimeout(timer);
}

async function main() {
  ensureRedis();
  // Ctrl-C goes to jest while it runs; before that it stops the run once redis-server is up.
  let jest: ChildProcess | undefined;
  let interrupted = false;
  const forward = (signal: NodeJS.Signals) => {
    interrupted = true;
    jest?.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktok-auth-mobile-redis-'));
  let server: ChildProcess | undefined;
  try {
    const port = await freePort();
    const password = randomBytes(18).toString('hex');
    // The password goes in a file only this user can read, not on a command line.
    const conf = path.join(dir, 'redis.conf');
    const settings = [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `logfile ${path.join(dir, 'redis.log')}`];
    fs.writeFileSync(conf, [...settings, 'save ""', 'appendonly no', `requirepass ${password}`, ''].join('\n'), { mode: 0o600 });
    log(`starting a private redis-server in ${dir} (port ${port}, no persistence)`);
    const redis = spawn('redis-server', [conf], { stdio: 'ignore' });
    server = redis;
    await waitForRedis(port, password, redis);
    if (interrupted) throw new Error('interrupted');

    log('running tests/redis/');
    jest = spawn(path.join(ROOT, 'node_modules', '.bin', 'jest'), ['tests/redis/', '--runInBand', ...process.argv.slice(2), '--testPathIgnorePatterns', '/node_modules/'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: {
        ...process.env,
        TIKTOK_TEST_REDIS_URL: `redis://:${password}@127.0.0.1:${port}`,
        // The failure tests pause and then stop this server.
        TIKTOK_TEST_REDIS_PID: String(redis.pid),
      },
    });
    const running = jest;
    process.exitCode = await new Promise<number>((resolve) => running.on('exit', (exit) => resolve(exit ?? 1)));
  } finally {
    if (server) {
      log('stopping redis-server');
      await stopRedis(server);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`[test:redis] ${error.message}`);
  process.exitCode = 1;
});
