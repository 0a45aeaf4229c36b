/**
 * The admin settings page in a real browser: the playground's built admin panel served by
 * the playground server (tests/support/strapi-process.js), driven with Debian's Chromium through playwright-core.
 */
import fs from 'node:fs';
import path from 'node:path';
import knex from 'knex';
import type { Browser, Locator, Page } from 'playwright-core';

import { FakeTikTok } from '../support/fake-tiktok';
import { createSettingsReader, registerFirstAdmin } from './admin-api';
import { launchChromium } from './chromium';
import { ROOT, buildAdmin, progress, startServer, type StrapiServer } from './strapi-process';

// Admin build (~40 s) + boot + browser: far more than jest's default for this repo.
jest.setTimeout(240_000);

const ARTIFACTS = path.join(ROOT, 'artifacts', 'browser');
const SUPER_ADMIN = { email: 'super-admin@example.com', password: 'SuperAdmin1234' };
const READER = { email: 'settings-reader@example.com', password: 'SettingsReader1234' };
const CLIENT = {
  clientKey: 'aw-browser-client',
  label: 'iOS app',
  redirectUri: 'https://app.example.com/tiktok/callback',
  clientSecret: 'browser-test-secret-6f1c2a9e',
};

let fake: FakeTikTok;
let server: StrapiServer;
let browser: Browser | undefined;
let superAdminToken: string;
let page: Page;

beforeAll(async () => {
  // First, so that a missing Chromium fails before the long build. Each test gets its own context.
  browser = await launchChromium();
  await buildAdmin();
  fake = await FakeTikTok.start();
  server = await startServer({ env: () => ({ TIKTOK_API_BASE_URL: fake.url }) });
  superAdminToken = await registerFirstAdmin(server.url, SUPER_ADMIN);
});

beforeEach(async () => {
  // Tall enough for every section: the admin panel scrolls inside its own container, which fullPage does not capture.
  const context = await browser!.newContext({ viewport: { width: 1440, height: 2100 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

afterEach(async () => {
  // What the browser showed last: the state of a failure, if any.
  await screenshot('last.png').catch(() => undefined);
  await page?.context().close();
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await server?.stop();
  await fake?.close();
});

async function screenshot(name: string) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `settings-page-${name}`);
  await page.screenshot({ path: file, fullPage: true });
  progress(`screenshot: ${path.relative(ROOT, file)}`);
}

const api = async (token: string, method = 'GET', body?: unknown) => {
  const res = await fetch(`${server.url}/tiktok-auth-mobile/settings`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { data: any; meta: any } };
};

const client = () => page.getByTestId('client-0');
/** A field of the first client by its label (required fields add an asterisk to it). */
const field = (label: string) => client().getByLabel(new RegExp(`^${label}\\*?$`));
const checkbox = (scope: string) => page.getByRole('checkbox', { name: scope });
const browserLogin = () => page.locator('section', { has: page.getByRole('heading', { name: 'Browser login' }) });
/** The input of the n-th app redirect URL (1-based), not its Remove button, whose name contains the label too. */
const appRedirect = (number: number) => browserLogin().getByLabel(new RegExp(`^App redirect URL ${number}$`));
const callbackUrl = () => `${server.url}/api/tiktok-auth-mobile/callback`;

async function logIn({ email, password }: { email: string; password: string }) {
  progress(`logging in as ${email}…`);
  await page.goto(`${server.url}/admin/auth/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL((url) => !url.pathname.includes('/auth/'));
  await page.goto(`${server.url}/admin/settings/tiktok-auth-mobile/settings`);
  await page.getByRole('heading', { name: 'TikTok login', level: 1 }).waitFor();
}

/** Writes the plugin's store row as a database edit or a restore could leave it: no API refuses it. */
async function writeStoredSettings(value: unknown) {
  const db = knex({ client: 'better-sqlite3', connection: { filename: server.databaseFile }, useNullAsDefault: true });
  try {
    await db('strapi_core_store_settings')
      .where({ key: 'plugin_tiktok-auth-mobile_settings' })
      .update({ value: JSON.stringify(value), type: 'object' });
  } finally {
    await db.destroy();
  }
}

/** Clicks Save and returns the PUT's status once the page has shown its notification. */
async function save() {
  const [response] = await Promise.all([
    page.waitForResponse((res) => res.url().endsWith('/tiktok-auth-mobile/settings') && res.request().method() === 'PUT'),
    page.getByRole('button', { name: 'Save' }).click(),
  ]);
  return response.status();
}

/** The error text an input points to through aria-describedby (how Strapi's Field ties them). */
async function fieldError(input: Locator) {
  expect(await input.getAttribute('aria-invalid')).toBe('true');
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"][data-strapi-field-error]`).allTextContents()));
  return texts.flat().join(' ');
}

test('an admin adds a client, picks scopes, saves, and sees API validation errors inline', async () => {
  await logIn(SUPER_ADMIN);
  // The Settings menu has the plugin's section and link.
  await page.getByRole('link', { name: 'Login settings' }).waitFor();
  // Nothing saved yet: every value comes from config/plugins.
  expect(await page.getByTestId('config-source-note').count()).toBe(5);
  expect(await checkbox('user.info.basic').isDisabled()).toBe(true);
  await page.getByText('No client yet').waitFor();
  await screenshot('initial.png');

  progress('adding a client…');
  await page.getByRole('button', { name: 'Add a client' }).click();
  await field('Client key').fill(CLIENT.clientKey);
  await field('Label').fill(CLIENT.label);
  await field('Redirect URI').fill(CLIENT.redirectUri);
  await field('Client secret').fill(CLIENT.clientSecret);
  await checkbox('user.info.profile').click();
  expect(await save()).toBe(200);
  await page.getByText('Settings saved').first().waitFor();

  expect(await api(superAdminToken)).toEqual({
    status: 200,
    body: {
      data: {
        clients: [
          { clientKey: CLIENT.clientKey, label: CLIENT.label, redirectUri: CLIENT.redirectUri, hasClientSecret: true, clientSecretUnreadable: false },
        ],
        scopes: ['user.info.basic', 'user.info.profile'],
        allowAccessToken: true,
        appRedirects: [],
        storeTokens: false,
      },
      meta: {
        sources: { clients: 'admin', scopes: 'admin', allowAccessToken: 'admin', appRedirects: 'admin', storeTokens: 'admin' },
        storedSettingsInvalid: false,
        callbackUrl: callbackUrl(),
      },
    },
  });

  progress('reloading…');
  await page.reload();
  await client().waitFor();
  expect(await field('Client key').inputValue()).toBe(CLIENT.clientKey);
  expect(await field('Label').inputValue()).toBe(CLIENT.label);
  expect(await field('Redirect URI').inputValue()).toBe(CLIENT.redirectUri);
  expect(await field('Client secret').inputValue()).toBe('');
  expect(await field('Client secret').getAttribute('placeholder')).toContain('stored');
  await client().getByText('A secret is stored.').waitFor();
  expect(await checkbox('user.info.profile').getAttribute('aria-checked')).toBe('true');
  expect(await checkbox('user.info.stats').getAttribute('aria-checked')).toBe('false');
  expect(await page.getByTestId('config-source-note').count()).toBe(0);
  expect(await page.content()).not.toContain(CLIENT.clientSecret);
  await screenshot('saved.png');

  progress('saving an invalid redirect URI…');
  await field('Redirect URI').fill('http://app.example.com/tiktok/callback');
  expect(await save()).toBe(400);
  await client().locator('[data-strapi-field-error]').first().waitFor();
  expect(await fieldError(field('Redirect URI'))).toBe('Must be an absolute https URI without a fragment');
  await page.getByText('Some settings are invalid: see the marked fields').waitFor();
  expect(await field('Client key').getAttribute('aria-invalid')).not.toBe('true');
  await screenshot('invalid.png');
  expect((await api(superAdminToken)).body.data.clients[0].redirectUri).toBe(CLIENT.redirectUri);

  progress('fixing the URI and removing the stored secret…');
  await field('Redirect URI').fill(`${CLIENT.redirectUri}/v2`);
  await client().getByRole('button', { name: 'Remove the stored secret' }).click();
  expect(await save()).toBe(200);
  await client().getByText('No secret stored.').waitFor();
  expect((await api(superAdminToken)).body.data.clients).toEqual([
    {
      clientKey: CLIENT.clientKey,
      label: CLIENT.label,
      redirectUri: `${CLIENT.redirectUri}/v2`,
      hasClientSecret: false,
      clientSecretUnreadable: false,
    },
  ]);
});

test('an admin copies the callback URL and lists app redirect URLs, fixing one the API refuses', async () => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await logIn(SUPER_ADMIN);
  const callback = browserLogin().getByLabel('Callback URL');
  expect(await callback.inputValue()).toBe(callbackUrl());
  expect(await callback.isEditable()).toBe(false);
  await browserLogin().getByText('No app redirect URL: the browser login is off.').waitFor();

  progress('copying the callback URL…');
  await browserLogin().getByRole('button', { name: 'Copy the callback URL' }).click();
  await page.getByText('Callback URL copied').first().waitFor();
  // A string: the tests compile without the DOM's types.
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(callbackUrl());

  progress('adding app redirects, one of them on plain http…');
  const add = browserLogin().getByRole('button', { name: 'Add an app redirect URL' });
  await add.click();
  await appRedirect(1).fill('myapp://auth');
  await add.click();
  await appRedirect(2).fill('http://example.com/x');
  expect(await save()).toBe(400);
  await browserLogin().locator('[data-strapi-field-error]').first().waitFor();
  expect(await fieldError(appRedirect(2))).toMatch(/^Must be an https URL, an http URL on localhost/);
  expect(await appRedirect(1).getAttribute('aria-invalid')).not.toBe('true');
  await screenshot('app-redirect-invalid.png');
  expect((await api(superAdminToken)).body.data.appRedirects).toEqual([]);

  progress('fixing it, adding an Expo URL and removing the first one…');
  await appRedirect(2).fill('http://localhost:8081/auth');
  await add.click();
  await appRedirect(3).fill('exp://192.168.1.20:8081/--/auth');
  await browserLogin().getByRole('button', { name: 'Remove app redirect URL 1' }).click();
  expect(await save()).toBe(200);
  await page.getByText('Settings saved').first().waitFor();
  const saved = ['http://localhost:8081/auth', 'exp://192.168.1.20:8081/--/auth'];
  expect((await api(superAdminToken)).body).toMatchObject({
    data: { appRedirects: saved },
    meta: { sources: { appRedirects: 'admin' }, callbackUrl: callbackUrl() },
  });

  await page.reload();
  await appRedirect(2).waitFor();
  expect([await appRedirect(1).inputValue(), await appRedirect(2).inputValue()]).toEqual(saved);
  expect(await appRedirect(3).count()).toBe(0);
  await screenshot('browser-login.png');
});

test('an admin who may only read the settings sees them read-only', async () => {
  const readerToken = await createSettingsReader(server.url, superAdminToken, READER);
  expect((await api(readerToken, 'PUT', { clients: [], scopes: ['user.info.basic'], allowAccessToken: false })).status).toBe(403);

  await logIn(READER);
  await client().waitFor();
  expect(await field('Client key').inputValue()).toBe(CLIENT.clientKey);
  for (const label of ['Client key', 'Label', 'Redirect URI', 'Client secret']) {
    expect(await field(label).isDisabled()).toBe(true);
  }
  expect(await checkbox('user.info.profile').isDisabled()).toBe(true);
  expect(await page.getByRole('checkbox', { name: 'Accept TikTok access tokens' }).isDisabled()).toBe(true);
  expect(await page.getByRole('checkbox', { name: 'Store TikTok tokens' }).isDisabled()).toBe(true);
  for (const name of ['Save', 'Add a client', 'Remove this client', 'Add an app redirect URL', 'Remove app redirect URL 1', 'Delete all stored TikTok tokens']) {
    expect(await page.getByRole('button', { name }).count()).toBe(0);
  }
  expect(await appRedirect(1).inputValue()).toBe('http://localhost:8081/auth');
  for (const input of [appRedirect(1), appRedirect(2)]) {
    expect(await input.isDisabled()).toBe(true);
  }
  expect(await browserLogin().getByLabel('Callback URL').inputValue()).toBe(callbackUrl());
  await screenshot('read-only.png');
});

test('an admin sees an undecryptable secret and invalid saved settings, and repairs both by saving', async () => {
  const savedClient = { clientKey: CLIENT.clientKey, label: CLIENT.label, redirectUri: CLIENT.redirectUri };
  await writeStoredSettings({
    clients: [{ ...savedClient, encryptedSecret: 'not-an-encrypted-value' }],
    scopes: ['user.info.basic'],
    allowAccessToken: true,
  });
  await logIn(SUPER_ADMIN);
  await client().getByText('The stored secret cannot be decrypted').waitFor();
  expect(await field('Client secret').getAttribute('placeholder')).toBe('Stored, cannot be decrypted');
  await screenshot('undecryptable.png');

  progress('typing the secret again…');
  await field('Client secret').fill(CLIENT.clientSecret);
  expect(await save()).toBe(200);
  await client().getByText('A secret is stored.').waitFor();
  expect((await api(superAdminToken)).body.data.clients[0]).toMatchObject({ hasClientSecret: true, clientSecretUnreadable: false });

  progress('corrupting the saved settings…');
  await writeStoredSettings({ clients: 'not-a-list', scopes: ['user.info.basic'], allowAccessToken: true });
  await page.reload();
  await page.getByTestId('stored-settings-invalid').waitFor();
  await page.getByText('No client yet').waitFor();
  expect(await page.getByRole('checkbox', { name: 'Accept TikTok access tokens' }).isChecked()).toBe(false);
  await screenshot('stored-invalid.png');

  progress('saving the values shown…');
  expect(await save()).toBe(200);
  // The answer arrives before the page re-renders with it.
  await page.getByTestId('stored-settings-invalid').waitFor({ state: 'detached' });
  expect((await api(superAdminToken)).body.meta.storedSettingsInvalid).toBe(false);
});

test('an admin turns on storeTokens, and the TikTok accounts page shows a login with its tokens stored, never a token', async () => {
  fake.registerClient({ clientKey: CLIENT.clientKey, clientSecret: CLIENT.clientSecret, redirectUris: [CLIENT.redirectUri] });
  expect((await api(superAdminToken, 'PUT', { clients: [CLIENT], scopes: ['user.info.basic'], allowAccessToken: true })).status).toBe(200);
  await logIn(SUPER_ADMIN);
  await page.getByRole('checkbox', { name: 'Store TikTok tokens' }).click();
  expect(await save()).toBe(200);
  expect((await api(superAdminToken)).body.data.storeTokens).toBe(true);

  progress('logging a TikTok account in through the code flow…');
  const account = fake.addAccount({ displayName: 'Stored Tokens Person' });
  const { code, codeVerifier } = fake.authorize(account, { clientKey: CLIENT.clientKey });
  const login = await fetch(`${server.url}/api/tiktok-auth-mobile/connect`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, code_verifier: codeVerifier, client_key: CLIENT.clientKey }),
  });
  expect(login.status).toBe(200);

  await page.getByRole('link', { name: 'TikTok accounts' }).click();
  await page.getByRole('heading', { name: 'TikTok accounts', level: 1 }).waitFor();
  const authorization = page.getByTestId(`account-${account.unionId}`).getByTestId(`authorization-${CLIENT.clientKey}`);
  await authorization.getByText('Tokens stored').waitFor();
  await authorization.getByText('Refresh token expires:').waitFor();
  await page.getByTestId(`account-${account.unionId}`).getByTestId('recent-logins').getByText(`code · ${CLIENT.clientKey}`).waitFor();
  await screenshot('accounts.png');
  // Every token the fake TikTok issues ends with "!fake"; the stored ones are encrypted as v1:….
  expect(await page.content()).not.toMatch(/!fake|v1:[0-9a-f]+:/);

  progress('revoking the tokens…');
  await authorization.getByRole('button', { name: 'Revoke tokens' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click();
  await authorization.getByText('No tokens stored').waitFor();
  await authorization.getByText(/by This server/).waitFor();
  expect(fake.revocations).toEqual([expect.objectContaining({ clientKey: CLIENT.clientKey, result: 'revoked' })]);
});
