/**
 * A playground Strapi in a process of its own (tests/support/strapi-process.js), for tests that need
 * several Strapi processes: on one database, or sharing a rate-limit store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import { freePort } from './free-port';

export interface StrapiChild {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
}

/** Starts one, configured by `env` over a quiet test environment, and resolves once it listens. */
export async function startStrapiChild(env: Record<string, string>): Promise<StrapiChild> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(__dirname, 'strapi-process.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      STRAPI_TELEMETRY_DISABLED: 'true',
      STRAPI_STARTUP_LOG: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`Strapi process exited with ${code}:\n${output}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child, output: () => output };
}

/** Stops it (SIGTERM, then SIGKILL after 10 s) and resolves once it has exited. */
export const stopStrapiChild = ({ child }: Pick<StrapiChild, 'child'>) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
