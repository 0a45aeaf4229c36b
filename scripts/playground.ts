/**
 * `npm run playground`: a local TikTok emulator with three demo accounts and a demo Login Kit client,
 * then the playground Strapi app (admin panel included) talking to it. Prints how to log in, with an
 * access token, an authorization code or through a browser, once Strapi answers; Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { DEFAULT_CLIENT_KEY, FakeTikTok, type Scope } from '../tests/support/fake-tiktok';

const ROOT = path.resolve(__dirname, '..');
const EMULATOR_PORT = Number(process.env.TIKTOK_EMULATOR_PORT ?? 8787);
const STRAPI_PORT = Number(process.env.PORT ?? 1337);
const PUBLIC_URL = (process.env.PUBLIC_URL || `http://localhost:${STRAPI_PORT}`).replace(/\/+$/, '');
const PLUGIN_API = `${PUBLIC_URL}/api/tiktok-auth-mobile`;
// The browser login's callback (see server/src/utils/callback-url.ts): registered for every client in the emulator.
const CALLBACK_URL = `${PLUGIN_API}/callback`;

interface DemoAccount {
  token: string;
  name: string;
  username: string;
  scopes: Scope[];
}

// Fixed tokens and ids: every run maps the same token to the same TikTok account, and so the same user.
const DEMO_ACCOUNTS: DemoAccount[] = [
  { token: 'demo-jane', name: 'Jane Doe', username: 'jane.doe', scopes: ['user.info.basic'] },
  { token: 'demo-kenji', name: 'Kenji Sato', username: 'kenji.sato', scopes: ['user.info.basic', 'user.info.profile'] },
  { token: 'demo-amara', name: 'Amara Okafor', username: 'amara.okafor', scopes: ['user.info.basic'] },
];

interface PlaygroundClient {
  clientKey: string;
  clientSecret: string;
  redirectUri: string;
  label?: string;
}

// A made-up Login Kit app, registered in the emulator and handed to Strapi as its `clients` option.
const DEMO_CLIENT: PlaygroundClient = {
  clientKey: 'aw-playground-ios',
  clientSecret: 'playground-fake-secret-not-a-real-one',
  redirectUri: 'https://playground.example/tiktok/callback',
  label: 'Playground iOS',
};

/**
 * The clients Strapi runs with: the user's own TIKTOK_CLIENTS when set (registered in the emulator
 * too, so its demo codes work for them), else the demo client.
 */
const playgroundClients = (): { clients: PlaygroundClient[]; fromEnv: boolean } => {
  const raw = process.env.TIKTOK_CLIENTS;
  if (raw === undefined) return { clients: [DEMO_CLIENT], fromEnv: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { clients: [], fromEnv: true }; // Strapi reports the bad value at boot.
  }
  const isClient = (value: unknown): value is PlaygroundClient => {
    const client = value as Partial<PlaygroundClient> | null;
    return (
      typeof client?.clientKey === 'string' &&
      typeof client.clientSecret === 'string' &&
      typeof client.redirectUri === 'string'
    );
  };
  return { clients: Array.isArray(parsed) ? parsed.filter(isClient) : [], fromEnv: true };
};

/** The app URLs Strapi may send the browser login back to: the user's TIKTOK_APP_REDIRECTS, else the emulator's demo app. */
const playgroundAppRedirects = (emulatorUrl: string): { raw: string; first?: string } => {
  const raw = process.env.TIKTOK_APP_REDIRECTS ?? JSON.stringify([`${emulatorUrl}/demo/app`]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { raw }; // Strapi reports the bad value at boot.
  }
  const first = Array.isArray(parsed) && typeof parsed[0] === 'string' ? parsed[0] : undefined;
  return { raw, first };
};

const browserLoginLine = (clients: PlaygroundClient[], appRedirect: string | undefined) => {
  if (!appRedirect) return '  Browser login: off (TIKTOK_APP_REDIRECTS is empty or invalid).';
  if (!clients.length) return '  Browser login: off (no TikTok client).';
  // No client_key: the plugin takes the first client.
  return `  Log in through a browser: open ${PLUGIN_API}/authorize?${new URLSearchParams({ app_redirect: appRedirect })}`;
};

const banner = (emulatorUrl: string, clients: PlaygroundClient[], appRedirect: string | undefined) => {
  const accounts = DEMO_ACCOUNTS.map(
    ({ token, name, scopes }) => `    ${token.padEnd(12)} ${name.padEnd(14)} ${scopes.join(', ')}`
  );
  const line = '─'.repeat(78);
  const connect = `${PLUGIN_API}/connect`;
  const clientLines = clients.length
    ? clients.map(({ clientKey, redirectUri }) => `    ${clientKey}  redirect URI ${redirectUri}`)
    : ['    none (TIKTOK_CLIENTS is empty or invalid): the code flow answers unknown_client'];
  return [
    '',
    line,
    '  TikTok Auth Mobile playground is ready',
    '',
    `  Admin panel      ${PUBLIC_URL}/admin   (create the first admin there)`,
    `  TikTok emulator  ${emulatorUrl}`,
    '',
    '  Demo TikTok accounts (access token, name, granted scopes):',
    ...accounts,
    '',
    '  TikTok clients (Login Kit apps) known to Strapi and the emulator:',
    ...clientLines,
    '',
    '  Log in with an access token:',
    `    curl -s -X POST ${connect} -H 'Content-Type: application/json' -d '{"access_token":"demo-jane"}'`,
    '',
    '  Log in with an authorization code (what the iOS/Android SDKs give): the first command',
    '  approves the login in the emulator and prints what the SDK would hand the app, the second',
    '  posts it. A code works once: run both again for the next login.',
    `    CODE=$(curl -s -X POST ${emulatorUrl}/demo/authorize -d account=demo-jane); echo "$CODE"`,
    `    curl -s -X POST ${connect} -H 'Content-Type: application/json' -d "$CODE"`,
    '',
    browserLoginLine(clients, appRedirect),
    '  then pick a demo account on the emulator\'s TikTok page: the demo app page you land on shows',
    '  the login code and the curl that exchanges it for a jwt.',
    '',
    '  Call the API as that user, with the jwt from any of these logins:',
    `    curl -s ${PUBLIC_URL}/api/users/me -H 'Authorization: Bearer <jwt>'`,
    '',
    '  Ctrl-C stops Strapi and the emulator.',
    line,
    '',
  ].join('\n');
};

async function main() {
  if (!Number.isInteger(EMULATOR_PORT) || EMULATOR_PORT < 0 || EMULATOR_PORT > 65535) {
    throw new Error(`TIKTOK_EMULATOR_PORT must be a port number, got "${process.env.TIKTOK_EMULATOR_PORT}"`);
  }

  const { clients, fromEnv } = playgroundClients();
  const emulator = await FakeTikTok.start(EMULATOR_PORT);
  for (const { clientKey, clientSecret, redirectUri } of clients) {
    emulator.registerClient({ clientKey, clientSecret, redirectUris: [redirectUri, CALLBACK_URL] });
  }
  emulator.enableDemoAuthorize({ connectUrl: `${PLUGIN_API}/connect` });
  const appRedirects = playgroundAppRedirects(emulator.url);
  for (const { token, name, username, scopes } of DEMO_ACCOUNTS) {
    const id = token.replace(/^demo-/, '');
    // Fixed open_ids too: one per app, as TikTok gives them.
    const openIds = Object.fromEntries([
      [DEFAULT_CLIENT_KEY, `demo-open-${id}`],
      ...clients.map(({ clientKey }) => [clientKey, `demo-open-${id}-${clientKey}`]),
    ]);
    const account = emulator.addAccount({ unionId: `demo-union-${id}`, openIds, displayName: name, username });
    emulator.issueAccessToken(account, { token, scopes });
  }
  console.log(`TikTok emulator listening on ${emulator.url}; starting Strapi…`);

  const strapi = spawn(path.join(ROOT, 'node_modules', '.bin', 'strapi'), ['develop'], {
    cwd: path.join(ROOT, 'playground'),
    stdio: 'inherit',
    env: {
      ...process.env,
      TIKTOK_API_BASE_URL: emulator.url,
      TIKTOK_AUTHORIZE_URL: process.env.TIKTOK_AUTHORIZE_URL ?? `${emulator.url}/v2/auth/authorize/`,
      TIKTOK_APP_REDIRECTS: appRedirects.raw,
      PUBLIC_URL,
      ...(!fromEnv && { TIKTOK_CLIENTS: JSON.stringify(clients) }),
      STRAPI_TELEMETRY_DISABLED: 'true',
    },
  });

  let stopping = false;
  let running = true;
  let ready = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    if (running) strapi.kill(signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  strapi.on('exit', (code) => {
    running = false;
    // `strapi develop` exits 0 even when the app failed to load: that is a failure here.
    const failed = !stopping && !ready;
    if (failed) console.error('Strapi stopped before it was ready: see its output above.');
    const exitCode = stopping ? 0 : ready ? (code ?? 1) : code || 1;
    void emulator.close().finally(() => process.exit(exitCode));
  });
  strapi.on('error', (error) => {
    console.error(`Could not start Strapi: ${error.message}`);
    running = false;
    void emulator.close().finally(() => process.exit(1));
  });

  while (running && !stopping) {
    const healthy = await fetch(`http://127.0.0.1:${STRAPI_PORT}/_health`, { signal: AbortSignal.timeout(2000) })
      .then((res) => res.status === 204)
      .catch(() => false);
    if (healthy) {
      ready = true;
      console.log(banner(emulator.url, clients, appRedirects.first));
      return;
    }
    await sleep(1000);
  }
}

main().catch((error: NodeJS.ErrnoException) => {
  const hint = error.code === 'EADDRINUSE' ? ' (another playground running? or set TIKTOK_EMULATOR_PORT)' : '';
  console.error(`${error.message ?? String(error)}${hint}`);
  process.exit(1);
});
