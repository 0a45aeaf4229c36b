/**
 * Upgrading from the original JavaScript plugin (1.x, published under the same name). 1.x kept no table
 * of its own: it created users-permissions users with the pseudo-email `<union_id>@tiktok.com` and
 * provider `tiktok`. The database here is made the way 1.x made it, by an app without this plugin; then
 * this version boots on it and the same TikTok accounts log in as the same users, with no duplicate.
 */
import type { Core } from '@strapi/strapi';

import { createTestDatabase, type TestDatabase } from './support/database';
import { FakeTikTok, type FakeAccount } from './support/fake-tiktok';
import { startStrapi, type TestApp } from './support/strapi';

const IOS = { clientKey: 'aw-upgraded-ios', clientSecret: 'upgraded-secret-9b3e', redirectUri: 'https://app.example/tiktok/ios' };
const USERS = 'plugin::users-permissions.user';

let database: TestDatabase;
let tiktok: FakeTikTok;
let app: TestApp;

/** The accounts that used the app under 1.x, and the users 1.x made for them. */
const legacy = {} as Record<'jane' | 'kenji' | 'blocked', { account: FakeAccount; userId: number }>;
/** A JWT users-permissions issued under 1.x (1.x answered `{ jwt, user }` from `jwt.issue({ id })`). */
let jwtFrom1x: string;
let squatted: FakeAccount;
let squatter: number;
/** The users as 1.x left them, and as this version found them at its first boot. */
let usersAs1xLeftThem: Array<Record<string, unknown>>;
let usersBefore: Array<Record<string, unknown>>;

/**
 * What 1.x's connect service wrote for a first login (its services/tiktok-auth.js): the user/info
 * profile, lower-cased pseudo-email, provider `tiktok`, confirmed, users-permissions' default role.
 */
const createUserAs1x = async (strapi: Core.Strapi, account: FakeAccount, extra: Record<string, unknown> = {}) => {
  const advanced = (await strapi.store({ type: 'plugin', name: 'users-permissions', key: 'advanced' }).get({})) as { default_role: string };
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: advanced.default_role } });
  return strapi.db.query(USERS).create({
    data: {
      username: decodeURIComponent(account.displayName),
      verified: account.isVerified, // not a users-permissions attribute: the query engine drops it
      email: `${account.unionId}@tiktok.com`.toLowerCase(),
      provider: 'tiktok',
      role: role.id,
      confirmed: true,
      ...extra,
    },
  });
};

beforeAll(async () => {
  database = await createTestDatabase();
  tiktok = await FakeTikTok.start();
  tiktok.registerClient({ clientKey: IOS.clientKey, clientSecret: IOS.clientSecret, redirectUris: [IOS.redirectUri] });
  const jane = tiktok.addAccount({ displayName: 'Jane Doe' });
  // 1.x lower-cased the whole pseudo-email: a union_id with capitals still finds its user.
  const kenji = tiktok.addAccount({ unionId: 'C9C60F44-A68E-4F5D-84DD-CE22FAEB0BA1', displayName: 'Kenji Sato' });
  const blocked = tiktok.addAccount({ displayName: 'Blocked Under 1x' });

  // The app as 1.x left it: users-permissions' tables, no table of this plugin.
  const before = await startStrapi({ TIKTOK_PLUGIN_ENABLED: 'false' }, { database });
  try {
    const store = before.strapi.store({ type: 'plugin', name: 'users-permissions', key: 'advanced' });
    await store.set({ value: { ...((await store.get({})) as object), allow_register: true } });
    for (const [name, account, extra] of [['jane', jane, {}], ['kenji', kenji, {}], ['blocked', blocked, { blocked: true }]] as const) {
      legacy[name] = { account, userId: (await createUserAs1x(before.strapi, account, extra)).id };
    }
    // An email-and-password user who holds a TikTok account's pseudo-email: 1.x refused that account's
    // first login with "Email is already taken." when users-permissions' unique_email was on.
    squatted = tiktok.addAccount({ displayName: 'Squatted Address' });
    squatter = (
      await before.strapi.db.query(USERS).create({
        data: { username: 'email-user', email: `${squatted.unionId}@tiktok.com`, provider: 'local', confirmed: true },
      })
    ).id;
    usersAs1xLeftThem = await before.strapi.db.query(USERS).findMany({ orderBy: { id: 'asc' } });
    jwtFrom1x = await before.strapi.plugin('users-permissions').service('jwt').issue({ id: legacy.jane.userId });
    expect(before.strapi.plugin('tiktok-auth-mobile')).toBeUndefined();
  } finally {
    await before.destroy();
  }

  // This version, on the same database, with a code-flow client; access tokens are still accepted, as
  // the 1.x apps in use send them.
  app = await startStrapi(
    { TIKTOK_API_BASE_URL: tiktok.url, TIKTOK_AUTHORIZE_URL: `${tiktok.url}/v2/auth/authorize/`, TIKTOK_CLIENTS: JSON.stringify([IOS]) },
    { database }
  );
  usersBefore = await app.strapi.db.query(USERS).findMany({ orderBy: { id: 'asc' } });
});
afterAll(async () => {
  await app?.destroy();
  await tiktok?.close();
  await database?.drop();
});

const connect = (body: object) => app.request().post('/api/tiktok-auth-mobile/connect').send(body);
const codeBody = (account: FakeAccount) => {
  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: IOS.clientKey });
  return { code, code_verifier: codeVerifier, client_key: IOS.clientKey };
};
const userCount = () => app.strapi.db.query(USERS).count();

describe('users the 1.x plugin created', () => {
  it('were booted on: this version created no user and changed none', async () => {
    expect(usersBefore).toHaveLength(4);
    expect(usersBefore).toEqual(usersAs1xLeftThem);
    expect(await app.strapi.db.query('plugin::tiktok-auth-mobile.identity').count()).toBe(0);
  });

  it("log in with an access token, the 1.x app's request, as themselves: { jwt, user } as 1.x answered, plus profile", async () => {
    const { account, userId } = legacy.jane;

    const res = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: userId, username: 'Jane Doe', email: `${account.unionId}@tiktok.com`, provider: 'tiktok' });
    expect(res.body.profile).toMatchObject({ union_id: account.unionId, display_name: 'Jane Doe' });
    const me = await app.request().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);
    expect(me.body.id).toBe(userId);
  });

  it('log in with the code flow as themselves, found by the lower-cased pseudo-email', async () => {
    const { account, userId } = legacy.kenji;

    const res = await connect(codeBody(account));

    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: userId, username: 'Kenji Sato', email: 'c9c60f44-a68e-4f5d-84dd-ce22faeb0ba1@tiktok.com' });
  });

  it('keep logging in as themselves once linked, whichever flow', async () => {
    for (const body of [codeBody(legacy.jane.account), { access_token: tiktok.issueAccessToken(legacy.kenji.account) }]) {
      const res = await connect(body);
      expect(res.status).toBe(200);
    }

    const identities = await app.strapi.db.query('plugin::tiktok-auth-mobile.identity').findMany({ populate: { user: true } });
    expect(identities.map((identity) => [identity.unionId, identity.user.id]).sort()).toEqual(
      [
        [legacy.jane.account.unionId, legacy.jane.userId],
        [legacy.kenji.account.unionId, legacy.kenji.userId],
      ].sort()
    );
    expect(await userCount()).toBe(usersBefore.length);
  });

  it('keep the JWTs issued under 1.x: users-permissions still accepts them', async () => {
    const me = await app.request().get('/api/users/me').set('Authorization', `Bearer ${jwtFrom1x}`);

    expect(me.status).toBe(200);
    expect(me.body.id).toBe(legacy.jane.userId);
  });

  it('stay blocked: 403 user_blocked (1.x answered 400)', async () => {
    const res = await connect({ access_token: tiktok.issueAccessToken(legacy.blocked.account) });

    expect(res.status).toBe(403);
    expect(res.body.error.details.code).toBe('user_blocked');
  });

});

describe('other users of the upgraded database', () => {
  it('an email-and-password user holding a pseudo-email is not taken: that TikTok account gets a user of its own', async () => {
    const res = await connect(codeBody(squatted));

    expect(res.status).toBe(200);
    expect(res.body.user.id).not.toBe(squatter);
    expect(res.body.user).toMatchObject({ email: `${squatted.unionId}@tiktok.com`, provider: 'tiktok' });
    expect(await app.strapi.db.query(USERS).findOne({ where: { id: squatter } })).toMatchObject({ provider: 'local', username: 'email-user' });
  });

  it('a TikTok account new since the upgrade gets a user of the kind 1.x made', async () => {
    const newcomer = tiktok.addAccount({ displayName: 'New After Upgrade' });

    const res = await connect(codeBody(newcomer));

    expect(res.body.user).toMatchObject({ email: `${newcomer.unionId}@tiktok.com`, provider: 'tiktok', username: 'New After Upgrade' });
    expect(await userCount()).toBe(usersBefore.length + 2);
  });
});
