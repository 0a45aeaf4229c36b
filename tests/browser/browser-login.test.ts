/**
 * The browser login (Login Kit for Web) end to end in Chromium: the plugin's /authorize sends the browser
 * to the TikTok emulator's authorize page, a click there comes back through the plugin's callback, and
 * the app redirect (the emulator's demo app page) receives a login code that /connect takes.
 * The playground server runs without its admin panel: nothing here needs it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';

import { FakeTikTok } from '../support/fake-tiktok';
import { launchChromium } from './chromium';
import { ROOT, progress, startServer, type StrapiServer } from './strapi-process';

jest.setTimeout(120_000);

const CLIENT = {
  clientKey: 'aw-browser-login',
  clientSecret: 'browser-login-secret-3d9b71c4',
  redirectUri: 'https://app.example.com/tiktok/callback',
};
const ARTIFACTS = path.join(ROOT, 'artifacts', 'browser');

let fake: FakeTikTok;
let server: StrapiServer;
let browser: Browser | undefined;
let page: Page;
let appRedirect: string;

beforeAll(async () => {
  browser = await launchChromium();
  fake = await FakeTikTok.start();
  fake.enableDemoAuthorize();
  fake.addAccount({ displayName: 'Jane Browser', username: 'jane.browser' });
  appRedirect = `${fake.url}/demo/app`;
  server = await startServer({
    adminPanel: false,
    env: (url) => ({
      PUBLIC_URL: url,
      TIKTOK_API_BASE_URL: fake.url,
      TIKTOK_AUTHORIZE_URL: `${fake.url}/v2/auth/authorize/`,
      TIKTOK_APP_REDIRECTS: JSON.stringify([appRedirect]),
      TIKTOK_CLIENTS: JSON.stringify([CLIENT]),
    }),
  });
  fake.registerClient({
    clientKey: CLIENT.clientKey,
    clientSecret: CLIENT.clientSecret,
    redirectUris: [`${server.url}/api/tiktok-auth-mobile/callback`],
  });
});

beforeEach(async () => {
  const context = await browser!.newContext();
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

afterEach(async () => {
  // What the browser showed last: the state of a failure, if any.
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page?.screenshot({ path: path.join(ARTIFACTS, 'browser-login-last.png'), fullPage: true }).catch(() => undefined);
  await page?.context().close();
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop();
  await fake?.close();
});

/** Where the browser is, without the query. */
const address = () => {
  const url = new URL(page.url());
  return `${url.origin}${url.pathname}`;
};

/** Opens the plugin's authorize URL as an app would: the redirects end on the emulator's TikTok page. */
async function openLogin(appState: string) {
  const query = new URLSearchParams({ client_key: CLIENT.clientKey, app_redirect: appRedirect, app_state: appState });
  await page.goto(`${server.url}/api/tiktok-auth-mobile/authorize?${query}`);
  expect(address()).toBe(`${fake.url}/v2/auth/authorize/`);
  await page.getByRole('heading', { name: 'Log in with TikTok' }).waitFor();
}

/** Clicks a button of the TikTok page and returns the query the app redirect received. */
async function clickAndLand(button: string) {
  await page.getByRole('button', { name: button }).click();
  await page.waitForURL((url) => url.pathname !== '/v2/auth/authorize/');
  expect(address()).toBe(appRedirect);
  return new URL(page.url()).searchParams;
}

const post = (pathname: string, body: unknown) =>
  fetch(`${server.url}${pathname}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

test('approving as an account lands on the app with a login code that /connect turns into a working JWT', async () => {
  progress('logging in through the browser…');
  await openLogin('app-state-approve');
  const landed = await clickAndLand('Jane Browser (@jane.browser)');
  expect(landed.get('state')).toBe('app-state-approve');
  expect(landed.has('error')).toBe(false);
  const loginCode = landed.get('login_code');
  expect(loginCode).toEqual(expect.any(String));
  await page.getByRole('heading', { name: 'Login code received' }).waitFor();

  const connect = await post('/api/tiktok-auth-mobile/connect', { login_code: loginCode });
  const session = (await connect.json()) as { jwt: string; user: { id: number }; profile: unknown };
  expect(connect.status).toBe(200);
  expect(session.jwt).toEqual(expect.any(String));
  expect(session.profile).toBeDefined();

  const me = await fetch(`${server.url}/api/users/me`, { headers: { Authorization: `Bearer ${session.jwt}` } });
  expect(me.status).toBe(200);
  expect(((await me.json()) as { id: number }).id).toBe(session.user.id);
});

test('Cancel lands on the app with error=access_denied and no login code', async () => {
  await openLogin('app-state-deny');
  const landed = await clickAndLand('Cancel');
  expect(landed.get('error')).toBe('access_denied');
  expect(landed.get('state')).toBe('app-state-deny');
  expect(landed.has('login_code')).toBe(false);
  await page.getByRole('heading', { name: 'The login did not complete' }).waitFor();
});
