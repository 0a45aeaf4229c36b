/**
 * Nothing a login, a user's own link requests, TikTok's webhook or the token vault sends reads a whole
 * table that grows with the users (users-permissions' users and their role links, every table of the
 * plugin): each statement finds its rows through an index, as the database's own query plan shows. A
 * statement that scans would make every login slower with every user the app has.
 */
import type { AddressInfo } from 'node:net';

import type { FakeAccount, FakeTikTok } from './support/fake-tiktok';
import { fullScans, statementsOf } from './support/query-plans';
import { createUpUser, startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const IOS = { clientKey: 'aw-plans-ios', clientSecret: 'plans-ios-secret-41f0', redirectUri: 'https://app.example/tiktok/ios' };
const PUBLIC_URL = 'https://api.example.test';
const GROWING_TABLE = /^(up_users|tiktok_)/;

let tiktok: FakeTikTok;
let app: TestApp;
let origin: string;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok(
    {
      TIKTOK_STORE_TOKENS: 'true',
      TIKTOK_ALLOW_ACCESS_TOKEN: 'true',
      TIKTOK_LINK_LEGACY_USERS: 'true',
      PUBLIC_URL,
      TIKTOK_APP_REDIRECTS: JSON.stringify(['myapp://auth']),
    },
    [IOS]
  ));
  tiktok.registerClient({ ...IOS, redirectUris: [IOS.redirectUri, `${PUBLIC_URL}/api/tiktok-auth-mobile/callback`] });
  const server = app.strapi.server.httpServer;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => stopAll({ app, tiktok }));

const plugin = () => app.strapi.plugin('tiktok-auth-mobile');
const connect = (body: object) => app.request().post('/api/tiktok-auth-mobile/connect').send(body);
const codeBody = (account: FakeAccount) => {
  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: IOS.clientKey });
  return { code, code_verifier: codeVerifier, client_key: IOS.clientKey };
};
const loggedIn = async (body: object) => {
  const res = await connect(body);
  expect(res.status).toBe(200);
  return { id: res.body.user.id as number, jwt: res.body.jwt as string };
};
const as = (jwt: string) => ({
  me: () => app.request().get('/api/tiktok-auth-mobile/me').set('Authorization', `Bearer ${jwt}`),
  link: (body: object) => app.request().post('/api/tiktok-auth-mobile/link').set('Authorization', `Bearer ${jwt}`).send(body),
  unlink: () => app.request().delete('/api/tiktok-auth-mobile/me').set('Authorization', `Bearer ${jwt}`),
});

/**
 * The statements `run` sends (the login records it queues included) that read a growing table whole,
 * each with the tables it scans. Fails the test as well when `run` sent none of those tables' statements.
 */
async function scansOf(run: () => Promise<{ status?: number } | unknown>) {
  const statements = await statementsOf(app.strapi, async () => {
    await run();
    await plugin().service('loginHistory').flush();
  });
  expect(statements.some(({ sql }) => /[`"](up_users|tiktok_)\w*[`"]/.test(sql))).toBe(true);
  const scans: Array<{ sql: string; tables: string[] }> = [];
  for (const statement of statements) {
    const tables = (await fullScans(app.strapi.db.connection, statement)).filter((table) => GROWING_TABLE.test(table));
    if (tables.length) scans.push({ sql: statement.sql, tables });
  }
  return scans;
}

describe('every statement reads the tables that grow with the users through an index', () => {
  it('a first login with an access token, and a returning one', async () => {
    const account = tiktok.addAccount();
    expect(await scansOf(async () => expect((await connect({ access_token: tiktok.issueAccessToken(account) })).status).toBe(200))).toEqual([]);
    expect(await scansOf(async () => expect((await connect({ access_token: tiktok.issueAccessToken(account) })).status).toBe(200))).toEqual([]);
  });

  it('a first login with a code, a returning one, and one whose profile changed', async () => {
    const account = tiktok.addAccount();
    expect(await scansOf(async () => expect((await connect(codeBody(account))).status).toBe(200))).toEqual([]);
    expect(await scansOf(async () => expect((await connect(codeBody(account))).status).toBe(200))).toEqual([]);
    account.displayName = 'Renamed Meanwhile';
    expect(await scansOf(async () => expect((await connect(codeBody(account))).status).toBe(200))).toEqual([]);
  });

  it('the first login of a user the original plugin created, found by its email', async () => {
    const account = tiktok.addAccount();
    await createUpUser(app.strapi, { username: `legacy-${account.unionId.slice(0, 8)}`, email: `${account.unionId}@tiktok.com`.toLowerCase(), provider: 'tiktok' });
    expect(await scansOf(async () => expect((await connect({ access_token: tiktok.issueAccessToken(account) })).status).toBe(200))).toEqual([]);
  });

  it('a browser login: authorize, callback, login code', async () => {
    const account = tiktok.addAccount();
    const scans = await scansOf(async () => {
      const start = await app.request().get('/api/tiktok-auth-mobile/authorize').query({ app_redirect: 'myapp://auth', client_key: IOS.clientKey });
      const back = new URL(tiktok.approveWebLogin(start.headers.location, account));
      const callback = await app.request().get(`${back.pathname}${back.search}`);
      const loginCode = new URL(callback.headers.location).searchParams.get('login_code');
      expect((await connect({ login_code: loginCode })).status).toBe(200);
    });
    expect(scans).toEqual([]);
  });

  it("a user's own link: reading it, linking, unlinking", async () => {
    const user = await loggedIn({ access_token: tiktok.issueAccessToken(tiktok.addAccount()) });
    expect(await scansOf(async () => expect((await as(user.jwt).me()).status).toBe(200))).toEqual([]);

    const email = await app.request().post('/api/auth/local/register').send({ username: 'plans-email-user', email: 'plans@example.com', password: 'Passw0rd-Example' });
    expect(email.status).toBe(200);
    expect(await scansOf(async () => expect((await as(email.body.jwt).link(codeBody(tiktok.addAccount()))).status).toBe(200))).toEqual([]);
    expect(await scansOf(async () => expect((await as(email.body.jwt).unlink()).status).toBe(204))).toEqual([]);
  });

  it("TikTok's deauthorization webhook", async () => {
    const account = tiktok.addAccount();
    await loggedIn(codeBody(account));
    const scans = await scansOf(async () => {
      const delivery = await tiktok.sendWebhook(`${origin}/api/tiktok-auth-mobile/webhook`, {
        clientKey: IOS.clientKey,
        event: 'authorization.removed',
        userOpenId: account.openIds[IOS.clientKey],
        content: { reason: 1 },
      });
      expect(delivery.status).toBe(200);
    });
    expect(scans).toEqual([]);
  });

  it("the token vault: a user's access token, one refreshed under its lease, then revoking one", async () => {
    const user = await loggedIn(codeBody(tiktok.addAccount()));
    expect(await scansOf(() => plugin().service('tokens').getAccessToken(user.id))).toEqual([]);

    tiktok.accessTokenLifetimeS = 120;
    const expiring = await loggedIn(codeBody(tiktok.addAccount()));
    tiktok.accessTokenLifetimeS = 86400;
    const refreshesBefore = tiktok.counters.refresh;
    expect(await scansOf(() => plugin().service('tokens').getAccessToken(expiring.id))).toEqual([]);
    expect(tiktok.counters.refresh).toBe(refreshesBefore + 1);

    expect(await scansOf(() => plugin().service('tokens').revoke(user.id))).toEqual([]);
  });

  it('deleting a user, which takes its TikTok link with it', async () => {
    const user = await loggedIn(codeBody(tiktok.addAccount()));
    expect(await scansOf(() => app.strapi.db.query('plugin::users-permissions.user').delete({ where: { id: user.id } }))).toEqual([]);
  });
});
