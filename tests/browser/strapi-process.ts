/**
 * The playground app as a real server for browser tests: `strapi build` (admin panel included) for a
 * test that needs the admin panel, then the app serving it as a child process (what `strapi start` does
 * for a JavaScript app) with its own SQLite file and port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort } from '../support/free-port';

export const ROOT = path.resolve(__dirname, '..', '..');
const PLAYGROUND_DIR = path.join(ROOT, 'playground');
const STRAPI_BIN = path.join(ROOT, 'node_modules', '.bin', 'strapi');
const SERVER_SCRIPT = path.join(ROOT, 'tests', 'support', 'strapi-process.js');

/** Progress lines, written straight to stderr so they show while a long test runs. */
export const progress = (message: string) => process.stderr.write(`[browser test] ${message}\n`);

const baseEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  STRAPI_TELEMETRY_DISABLED: 'true',
  // No login reaches TikTok in these tests: a closed port makes any attempt fail fast.
  TIKTOK_API_BASE_URL: 'http://127.0.0.1:9',
});

/** Runs a command in the playground, keeping its output for the error message if it fails. */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(STRAPI_BIN, args, { cwd: PLAYGROUND_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`strapi ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`))
    );
  });
}

/** Builds the playground's admin panel (with this plugin from dist/) into playground/dist/build. */
export async function buildAdmin() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'admin', 'index.mjs'))) {
    throw new Error('dist/admin is missing: run `npm run build` first (npm test does)');
  }
  const started = Date.now();
  progress('building the playground admin panel (strapi build, ~30 s)…');
  await run(['build'], { ...baseEnv(), NODE_ENV: 'production' });
  progress(`admin panel built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export interface StrapiServer {
  url: string;
  /** Its SQLite file, for writing what the admin API would refuse. */
  databaseFile: string;
  /** Everything the server printed, for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
}

export interface ServerOptions {
  /** Serves the admin panel that buildAdmin() made (default true). */
  adminPanel?: boolean;
  /** More environment, or other values, for the server at this URL (such as its PUBLIC_URL). */
  env?: (url: string) => NodeJS.ProcessEnv;
}

/**
 * The playground, with its admin panel unless told otherwise, on a free port and a fresh database;
 * resolves once /_health answers 204.
 */
export async function startServer({ adminPanel = true, env = () => ({}) }: ServerOptions = {}): Promise<StrapiServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktok-auth-mobile-browser-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const databaseFile = path.join(dataDir, 'data.db');
  progress(`starting strapi on ${url}…`);

  const child: ChildProcess = spawn(process.execPath, [SERVER_SCRIPT], {
    cwd: PLAYGROUND_DIR,
    // Its own process group, so stop() ends Strapi and anything it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...baseEnv(),
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_CLIENT: 'sqlite',
      DATABASE_FILENAME: databaseFile,
      LOG_LEVEL: 'warn',
      STRAPI_STARTUP_LOG: 'false',
      SERVE_ADMIN_PANEL: String(adminPanel),
      ...env(url),
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const stop = async () => {
    if (running && child.pid) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const killed = await Promise.race([exited.then(() => true), sleep(5000, undefined, { ref: false }).then(() => false)]);
      if (!killed) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        await exited;
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const started = Date.now();
  try {
    for (;;) {
      if (!running) throw new Error(`the playground server exited before answering:\n${output.slice(-4000)}`);
      if (Date.now() - started > 60_000) throw new Error(`the playground server did not answer in 60 s:\n${output.slice(-4000)}`);
      const status = await fetch(`${url}/_health`).then(
        (res) => res.status,
        () => 0
      );
      if (status === 204) break;
      await sleep(250);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  progress(`strapi answered in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { url, databaseFile, output: () => output, stop };
}
