/**
 * `npm run playground`: a local TikTok emulator with three demo accounts, then the playground Strapi
 * app (admin panel included) talking to it. Prints how to log in once Strapi answers; Ctrl-C stops both.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { DEFAULT_CLIENT_KEY, FakeTikTok, type Scope } from '../tests/support/fake-tiktok';

const ROOT = path.resolve(__dirname, '..');
const EMULATOR_PORT = Number(process.env.TIKTOK_EMULATOR_PORT ?? 8787);
const STRAPI_PORT = Number(process.env.PORT ?? 1337);
const PUBLIC_URL = `http://localhost:${STRAPI_PORT}`;

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

const banner = (emulatorUrl: string) => {
  const accounts = DEMO_ACCOUNTS.map(
    ({ token, name, scopes }) => `    ${token.padEnd(12)} ${name.padEnd(14)} ${scopes.join(', ')}`
  );
  const line = '─'.repeat(78);
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
    '  Log in as a demo account:',
    `    curl -s -X POST ${PUBLIC_URL}/api/tiktok-auth-mobile/connect -H 'Content-Type: application/json' -d '{"access_token":"demo-jane"}'`,
    '',
    '  Call the API as that user, with the jwt from the answer:',
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

  const emulator = await FakeTikTok.start(EMULATOR_PORT);
  for (const { token, name, username, scopes } of DEMO_ACCOUNTS) {
    const id = token.replace(/^demo-/, '');
    const account = emulator.addAccount({
      unionId: `demo-union-${id}`,
      openIds: { [DEFAULT_CLIENT_KEY]: `demo-open-${id}` },
      displayName: name,
      username,
    });
    emulator.issueAccessToken(account, { token, scopes });
  }
  console.log(`TikTok emulator listening on ${emulator.url}; starting Strapi…`);

  const strapi = spawn(path.join(ROOT, 'node_modules', '.bin', 'strapi'), ['develop'], {
    cwd: path.join(ROOT, 'playground'),
    stdio: 'inherit',
    env: { ...process.env, TIKTOK_API_BASE_URL: emulator.url, STRAPI_TELEMETRY_DISABLED: 'true' },
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
      console.log(banner(emulator.url));
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
