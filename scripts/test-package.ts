/**
 * `npm run test:package`: the plugin as a user gets it. Packs it with `npm pack`, then, for each Strapi
 * version tested, makes a fresh Strapi app from tests/consumer-app/ in a temporary folder, installs the
 * tarball into it with `npm install`, builds the app's admin panel with `strapi build`, runs `strapi start`
 * and logs a fake-TikTok account in through /connect (access token, then code flow), checks the JWT on
 * /api/users/me and that /admin serves the admin panel. On versions whose users-permissions has refresh
 * sessions, it starts the app again with `jwtManagement: 'refresh'` and logs in with a code once more.
 * Everything runs from the app's own node_modules; the temporary folders are deleted at the end.
 *
 * The versions: the lowest one package.json's peerDependencies accept and the one its devDependencies
 * pin, or those given as arguments (`npm run test:package -- 5.50.0`). Run `npm run build` first
 * (the npm script does).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { FakeTikTok } from '../tests/support/fake-tiktok';
import { freePort } from './test-database';

const ROOT = path.resolve(__dirname, '..');
const TEMPLATE_DIR = path.join(ROOT, 'tests', 'consumer-app');
const PLUGIN_NAME = 'strapi-plugin-tiktok-auth-mobile';
/** users-permissions has `jwtManagement: 'refresh'` (sessions) from this minor on. */
const REFRESH_SESSIONS_SINCE_MINOR = 24;
const BOOT_TIMEOUT_MS = 120_000;

const CLIENT = { clientKey: 'aw-consumer-app', clientSecret: 'consumer-app-fake-secret', redirectUri: 'https://app.example/tiktok/callback' };

const started = Date.now();
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const log = (message: string) => console.log(`[test:package ${seconds(started).padStart(7)}] ${message}`);

class Failure extends Error {}
function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Failure(message);
}

/** Runs a command to its end; its output is printed only when it fails (or always with `echo`). */
function run(command: string, args: string[], { cwd, env = {}, echo = false }: { cwd: string; env?: NodeJS.ProcessEnv; echo?: boolean }) {
  return new Promise<string>((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (echo) process.stdout.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) return resolve(output);
      if (!echo) process.stdout.write(output);
      reject(new Failure(`${command} ${args.join(' ')} failed (exit ${code ?? signal})`));
    });
  });
}

/** A step with its duration, for the progress lines and the summary. */
async function step<T>(timings: string[], name: string, work: () => Promise<T>): Promise<T> {
  const since = Date.now();
  log(`${name}…`);
  const result = await work();
  timings.push(`${name}: ${seconds(since)}`);
  log(`${name}: done in ${seconds(since)}`);
  return result;
}

const secret = () => randomBytes(16).toString('base64');

/** What create-strapi-app writes into an app's .env: fresh secrets for each app. */
const appSecrets = () => ({
  APP_KEYS: [secret(), secret()].join(','),
  API_TOKEN_SALT: secret(),
  ADMIN_JWT_SECRET: secret(),
  TRANSFER_TOKEN_SALT: secret(),
  JWT_SECRET: secret(),
  ENCRYPTION_KEY: secret(),
});

/** The lowest version a `^x.y.z` range accepts. */
const lowestOf = (range: string) => {
  const match = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!match) throw new Error(`peerDependencies["@strapi/strapi"] is ${range}: expected ^x.y.z`);
  return match[1];
};

function versionsToTest(): string[] {
  const args = process.argv.slice(2);
  if (args.length) return args;
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const lowest = lowestOf(manifest.peerDependencies['@strapi/strapi']);
  const current = manifest.devDependencies['@strapi/strapi'];
  return lowest === current ? [current] : [lowest, current];
}

async function pack(dir: string, timings: string[]) {
  check(fs.existsSync(path.join(ROOT, 'dist', 'server', 'index.js')), 'dist/ is missing: run `npm run build` first');
  return step(timings, 'npm pack', async () => {
    const output = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT });
    const [{ filename }] = JSON.parse(output.slice(output.indexOf('['))) as Array<{ filename: string }>;
    return path.join(dir, filename);
  });
}

/** A fresh app from the template, with the plugin's tarball installed the way a user installs it. */
async function createApp(version: string, tarball: string, appDirs: string[], timings: string[]) {
  const appDir = fs.mkdtempSync(path.join(os.tmpdir(), `tiktok-auth-mobile-app-${version}-`));
  appDirs.push(appDir);
  fs.cpSync(TEMPLATE_DIR, appDir, { recursive: true });
  const manifestPath = path.join(appDir, 'package.json');
  fs.writeFileSync(manifestPath, fs.readFileSync(manifestPath, 'utf8').replaceAll('STRAPI_VERSION', version));
  log(`app: ${appDir}`);

  await step(timings, `npm install ${path.basename(tarball)} (Strapi ${version})`, () =>
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: appDir })
  );
  const installed = (name: string) => JSON.parse(fs.readFileSync(path.join(appDir, 'node_modules', name, 'package.json'), 'utf8')).version;
  check(installed('@strapi/strapi') === version, `@strapi/strapi ${installed('@strapi/strapi')} was installed, not ${version}`);
  checkSingleCopies(appDir);
  log(`installed: @strapi/strapi ${installed('@strapi/strapi')}, @strapi/plugin-users-permissions ${installed('@strapi/plugin-users-permissions')}, @strapi/utils ${installed('@strapi/utils')}, ${PLUGIN_NAME} ${installed(PLUGIN_NAME)}`);
  return appDir;
}

/**
 * The folder Node finds `name` in from `fromDir`, as require does: its node_modules, then its parents'.
 */
const packageDirFrom = (fromDir: string, name: string, appDir: string) => {
  for (let dir = fromDir; dir.startsWith(appDir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  return null;
};

/**
 * Packages the plugin shares with Strapi must be one copy: Strapi recognises the plugin's errors by
 * `instanceof` (@strapi/utils), and its admin panel gives the plugin's pages their React contexts
 * (react-intl, the design system). Peers npm installs for the plugin at their newest version would
 * push Strapi's own copies down a level.
 */
function checkSingleCopies(appDir: string) {
  const modules = path.join(appDir, 'node_modules');
  const shared: Array<[string, string]> = [
    ['@strapi/utils', '@strapi/core'],
    ['@strapi/design-system', '@strapi/admin'],
    ['@strapi/icons', '@strapi/admin'],
    ['react-intl', '@strapi/admin'],
  ];
  for (const [name, owner] of shared) {
    const forPlugin = packageDirFrom(path.join(modules, PLUGIN_NAME), name, appDir);
    const forStrapi = packageDirFrom(path.join(modules, owner), name, appDir);
    const version = (dir: string | null) => (dir ? JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version : 'none');
    check(
      forPlugin !== null && forPlugin === forStrapi,
      `${name}: the plugin gets ${version(forPlugin)} and ${owner} ${version(forStrapi)}, from two different copies`
    );
  }
}

interface RunningApp {
  url: string;
  stop: () => Promise<void>;
  output: () => string;
}

/** `strapi start`, in the app's folder, from its node_modules; resolves once /_health answers. */
async function startApp(appDir: string, env: NodeJS.ProcessEnv): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(path.join(appDir, 'node_modules', '.bin', 'strapi'), ['start'], {
    cwd: appDir,
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so that stop() ends whatever it started
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));

  const signal = (name: NodeJS.Signals) => {
    try {
      if (running && child.pid !== undefined) process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!running) break;
    const status = await fetch(`${url}/_health`).then((res) => res.status, () => 0);
    if (status === 204 || status === 200) return { url, stop, output: () => output };
    await sleep(250);
  }
  await stop();
  process.stdout.write(output);
  throw new Failure(running ? `strapi start did not answer within ${BOOT_TIMEOUT_MS / 1000} s` : 'strapi start exited before answering');
}

async function request(url: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    ...(json !== undefined && { method: 'POST', body: JSON.stringify(json), headers: { 'Content-Type': 'application/json', ...rest.headers } }),
  });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body, text };
}

const describe = (res: { status: number; text: string }) => `HTTP ${res.status} ${res.text.slice(0, 300)}`;

/** POST /connect with a TikTok proof; returns the answer after checking it holds a JWT and a user. */
async function connect(app: RunningApp, proof: Record<string, string>, label: string) {
  const res = await request(`${app.url}/api/tiktok-auth-mobile/connect`, { json: proof });
  check(res.status === 200 && typeof res.body?.jwt === 'string' && res.body.user?.id, `${label}: ${describe(res)}`);
  return res.body as { jwt: string; refreshToken?: string; user: { id: number; username: string } };
}

async function checkMe(app: RunningApp, jwt: string, userId: number, label: string) {
  const res = await request(`${app.url}/api/users/me`, { headers: { Authorization: `Bearer ${jwt}` } });
  check(res.status === 200 && res.body?.id === userId, `${label}: GET /api/users/me answered ${describe(res)}`);
}

/** The access-token flow, the code flow (same TikTok account, same user) and the admin panel. */
async function checkLegacyMode(app: RunningApp, tiktok: FakeTikTok) {
  const account = tiktok.addAccount({ displayName: 'Packaged User' });
  const byToken = await connect(app, { access_token: tiktok.issueAccessToken(account) }, 'access-token login');
  await checkMe(app, byToken.jwt, byToken.user.id, 'access-token login');
  log(`  access-token login: user ${byToken.user.id} (${byToken.user.username}), /api/users/me ok`);

  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: CLIENT.clientKey });
  const byCode = await connect(app, { code, code_verifier: codeVerifier, client_key: CLIENT.clientKey }, 'code login');
  check(byCode.user.id === byToken.user.id, `code login: user ${byCode.user.id}, expected the access-token login's ${byToken.user.id}`);
  await checkMe(app, byCode.jwt, byCode.user.id, 'code login');
  log(`  code login: same user, /api/users/me ok`);

  // A refusal the plugin throws with @strapi/utils' error classes: Strapi answers it with its status only
  // if the plugin and Strapi share one @strapi/utils (two copies make it a 500).
  const tooLarge = await request(`${app.url}/api/tiktok-auth-mobile/connect`, { json: { access_token: 'x'.repeat(9 * 1024) } });
  check(tooLarge.status === 413 && tooLarge.body?.error?.details?.code === 'payload_too_large', `oversized /connect body: ${describe(tooLarge)}`);
  log('  oversized body: 413 payload_too_large');

  const admin = await request(`${app.url}/admin`);
  check(admin.status === 200 && admin.contentType.includes('text/html') && /<script/i.test(admin.text), `GET /admin: ${describe(admin)}`);
  log('  /admin serves the admin panel');
}

/** users-permissions' refresh mode: the login answers a refresh token that /api/auth/refresh accepts. */
async function checkRefreshMode(app: RunningApp, tiktok: FakeTikTok) {
  const account = tiktok.addAccount({ displayName: 'Session User' });
  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: CLIENT.clientKey });
  const login = await connect(app, { code, code_verifier: codeVerifier, client_key: CLIENT.clientKey }, 'code login (refresh mode)');
  check(typeof login.refreshToken === 'string', `code login (refresh mode): no refreshToken in the answer`);
  await checkMe(app, login.jwt, login.user.id, 'code login (refresh mode)');
  const refreshed = await request(`${app.url}/api/auth/refresh`, { json: { refreshToken: login.refreshToken } });
  check(refreshed.status === 200 && typeof refreshed.body?.jwt === 'string', `POST /api/auth/refresh: ${describe(refreshed)}`);
  await checkMe(app, refreshed.body.jwt, login.user.id, 'refreshed JWT');
  log('  code login in refresh mode: refresh token accepted by /api/auth/refresh, /api/users/me ok');
}

/** The admin panel as built: the plugin's admin entry must be in it. */
function checkAdminBuild(appDir: string) {
  const candidates = ['dist/build', 'build'].map((dir) => path.join(appDir, dir)).filter((dir) => fs.existsSync(dir));
  check(candidates.length > 0, 'strapi build wrote no admin panel (no dist/build or build folder)');
  const files = candidates.flatMap((dir) => (fs.readdirSync(dir, { recursive: true }) as string[]).map((file) => path.join(dir, file)));
  const bundled = files.some((file) => file.endsWith('.js') && fs.readFileSync(file, 'utf8').includes('tiktok-auth-mobile'));
  check(bundled, "the built admin panel does not contain the plugin's admin");
}

/** Builds the app's admin panel, then starts it and logs in, once per users-permissions mode. */
async function testApp(version: string, appDir: string, tiktok: FakeTikTok, timings: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...appSecrets(),
    NODE_ENV: 'production',
    STRAPI_TELEMETRY_DISABLED: 'true',
    TIKTOK_API_BASE_URL: tiktok.url,
    TIKTOK_CLIENTS: JSON.stringify([CLIENT]),
  };
  await step(timings, `strapi build (Strapi ${version})`, () => run(path.join(appDir, 'node_modules', '.bin', 'strapi'), ['build'], { cwd: appDir, env }));
  checkAdminBuild(appDir);

  const modes: Array<[string, (app: RunningApp, tiktok: FakeTikTok) => Promise<void>]> = [['legacy-support', checkLegacyMode]];
  if (Number(version.split('.')[1]) >= REFRESH_SESSIONS_SINCE_MINOR) modes.push(['refresh', checkRefreshMode]);
  for (const [mode, checks] of modes) {
    await step(timings, `strapi start, logins (Strapi ${version}, jwtManagement ${mode})`, async () => {
      const app = await startApp(appDir, { ...env, UP_JWT_MANAGEMENT: mode });
      try {
        await checks(app, tiktok);
      } catch (error) {
        process.stdout.write(app.output());
        throw error;
      } finally {
        await app.stop();
      }
    });
  }
}

async function main() {
  const versions = versionsToTest();
  log(`Strapi versions: ${versions.join(', ')}`);
  const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktok-auth-mobile-pack-'));
  const tiktok = await FakeTikTok.start();
  tiktok.registerClient({ clientKey: CLIENT.clientKey, clientSecret: CLIENT.clientSecret, redirectUris: [CLIENT.redirectUri] });
  const timings: string[] = [];
  const appDirs: string[] = [];
  let installs: Array<Promise<string>> = [];
  // An app's folder is deleted while the next app builds (about a minute for 1.5 GB on a slow disk).
  const removals: Array<Promise<void>> = [];
  try {
    const tarball = await pack(packDir, timings);
    // The installs run side by side (mostly network and disk); builds and boots one app at a time.
    installs = versions.map((version) => createApp(version, tarball, appDirs, timings));
    installs.forEach((install) => install.catch(() => undefined)); // awaited below, in order
    for (const [index, version] of versions.entries()) {
      const appDir = await installs[index];
      await testApp(version, appDir, tiktok, timings);
      log(`Strapi ${version}: passed`);
      removals.push(fs.promises.rm(appDir, { recursive: true, force: true }));
    }
    await step(timings, 'deleting the apps', () => Promise.all(removals));
    log(`all passed in ${seconds(started)}:\n  ${timings.join('\n  ')}`);
  } finally {
    await tiktok.close();
    // An install still running (after a failure) is waited for, so that its folder can be deleted.
    await Promise.allSettled([...installs, ...removals]);
    for (const dir of [packDir, ...appDirs]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`[test:package] FAILED after ${seconds(started)}: ${error instanceof Failure ? error.message : error.stack}`);
  process.exitCode = 1;
});
