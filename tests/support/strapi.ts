/**
 * Boots the playground Strapi app in-process for one test file: its own database, the plugin
 * from dist/, the real users-permissions plugin, and every log line captured in memory.
 */
import path from 'node:path';
import { inspect } from 'node:util';
import Transport from 'winston-transport';
import supertest from 'supertest';
import { createStrapi } from '@strapi/strapi';
import type { Core } from '@strapi/strapi';

import { createTestDatabase, type TestDatabase } from './database';
import { FakeTikTok } from './fake-tiktok';

export const PLAYGROUND_DIR = path.resolve(__dirname, '..', '..', 'playground');

export interface TestApp {
  strapi: Core.Strapi;
  request: () => ReturnType<typeof supertest>;
  /** Every line Strapi logged since boot, as `level: message`, followed by the entry's metadata if it has any. */
  logs: string[];
  destroy: () => Promise<void>;
}

const LEVEL = Symbol.for('level');

class MemoryTransport extends Transport {
  constructor(private readonly lines: string[]) {
    super({ level: 'debug' });
  }

  log(info: { level: string; message: unknown; [LEVEL]?: string }, done: () => void) {
    // info.level may carry colour codes; the symbol holds the plain level.
    const { level, message, ...metadata } = info;
    const text = typeof message === 'string' ? message : inspect(message, { depth: 6 });
    const extra = Object.keys(metadata).length ? ` ${inspect(metadata, { depth: 6, breakLength: Infinity })}` : '';
    this.lines.push(`${info[LEVEL] ?? level}: ${text}${extra}`);
    done();
  }
}

/** Sets environment variables and returns a function that puts the previous values back. */
function setEnv(values: Record<string, string>) {
  const previous = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  Object.assign(process.env, values);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/**
 * Boots Strapi with the given environment (see playground/config/plugins.js for the TikTok options).
 * With `database`, it boots on that one (to boot again on what an earlier boot wrote) and leaves it
 * to the caller to drop; otherwise on a new one that `destroy` drops.
 */
export async function startStrapi(env: Record<string, string> = {}, options: { database?: TestDatabase } = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const dropDatabase = () => (options.database ? Promise.resolve() : database.drop());
  const restoreEnv = setEnv({
    NODE_ENV: 'test',
    STRAPI_TELEMETRY_DISABLED: 'true',
    STRAPI_STARTUP_LOG: 'false',
    LOG_SILENT: 'true',
    LOG_LEVEL: 'debug',
    // Every test request comes from 127.0.0.1: only the rate-limit tests turn the limiter on.
    UP_RATELIMIT_ENABLED: 'false',
    ...database.env,
    ...env,
  });

  const logs: string[] = [];
  let strapi: Core.Strapi;
  try {
    // A JavaScript app: it runs from its own folder, nothing to compile.
    strapi = createStrapi({
      appDir: PLAYGROUND_DIR,
      distDir: PLAYGROUND_DIR,
      autoReload: false,
      serveAdminPanel: false,
    });
    // Before load(): what the plugin logs while booting is captured too.
    strapi.log.add(new MemoryTransport(logs));
    await strapi.load();
  } catch (error) {
    restoreEnv();
    await dropDatabase();
    throw error;
  }

  strapi.server.mount();

  return {
    strapi,
    request: () => supertest(strapi.server.httpServer),
    logs,
    async destroy() {
      await strapi.destroy();
      restoreEnv();
      await dropDatabase();
    },
  };
}

/** users-permissions' advanced settings (allow_register, default_role, …), merged with the current ones. */
export async function setAdvancedSettings(strapi: Core.Strapi, values: Record<string, unknown>) {
  const store = strapi.store({ type: 'plugin', name: 'users-permissions', key: 'advanced' });
  const current = ((await store.get({})) ?? {}) as Record<string, unknown>;
  await store.set({ value: { ...current, ...values } });
}

/** A users-permissions user as another plugin (or the original JavaScript plugin) would have made it. */
export async function createUpUser(strapi: Core.Strapi, data: Record<string, unknown>) {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  return strapi.db
    .query('plugin::users-permissions.user')
    .create({ data: { confirmed: true, blocked: false, role: role.id, ...data } });
}

/** Every user and TikTok identity, to check that a failed login wrote nothing. */
export const snapshotAccounts = async (strapi: Core.Strapi) => ({
  users: await strapi.db.query('plugin::users-permissions.user').findMany({ orderBy: { id: 'asc' } }),
  identities: await strapi.db.query('plugin::tiktok-auth-mobile.identity').findMany({ orderBy: { id: 'asc' } }),
});

export interface TikTokClientFixture {
  clientKey: string;
  clientSecret: string;
  redirectUri: string;
  label?: string;
}

/**
 * The fake TikTok and a Strapi configured to talk to it, for one test file. `clients` are registered
 * in the fake's developer portal and given to the plugin's config.
 */
export async function startWithFakeTikTok(env: Record<string, string> = {}, clients: TikTokClientFixture[] = []) {
  const tiktok = await FakeTikTok.start();
  for (const { clientKey, clientSecret, redirectUri } of clients) {
    tiktok.registerClient({ clientKey, clientSecret, redirectUris: [redirectUri] });
  }
  try {
    const app = await startStrapi({
      TIKTOK_API_BASE_URL: tiktok.url,
      TIKTOK_AUTHORIZE_URL: `${tiktok.url}/v2/auth/authorize/`,
      ...(clients.length ? { TIKTOK_CLIENTS: JSON.stringify(clients) } : {}),
      ...env,
    });
    return { tiktok, app };
  } catch (error) {
    await tiktok.close();
    throw error;
  }
}

export async function stopAll({ app, tiktok }: { app?: TestApp; tiktok?: FakeTikTok }) {
  await app?.destroy();
  await tiktok?.close();
}

/**
 * Boots a Strapi for the enclosing `describe` (one Strapi per process at a time) talking to the given
 * fake TikTok, and resets the fake's counters before each test. Returns a getter for the app.
 */
export function bootForDescribe(tiktok: () => FakeTikTok, env: Record<string, string>) {
  const booted: { app?: TestApp } = {};
  beforeAll(async () => {
    booted.app = await startStrapi({ TIKTOK_API_BASE_URL: tiktok().url, ...env });
  });
  afterAll(() => booted.app?.destroy());
  beforeEach(() => tiktok().resetCounters());
  return () => booted.app as TestApp;
}
