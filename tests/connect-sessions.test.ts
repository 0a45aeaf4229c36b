/**
 * users-permissions' refresh mode (`jwtManagement: 'refresh'`): a TikTok login opens a session the way
 * /api/auth/local does, with its deviceId, and puts the refresh token where /api/auth/local puts it.
 */
import type { Response } from 'supertest';

import { FakeTikTok } from './support/fake-tiktok';
import { bootForDescribe, type TestApp } from './support/strapi';

const CONNECT = '/api/tiktok-auth-mobile/connect';
const PASSWORD = 'Local-Passw0rd!';

let tiktok: FakeTikTok;

beforeAll(async () => {
  tiktok = await FakeTikTok.start();
});
afterAll(() => tiktok?.close());

const sessionsOf = (app: TestApp, userId: number) =>
  app.strapi.db.query('admin::session').findMany({ where: { userId: String(userId), origin: 'users-permissions' } });

const counts = async (app: TestApp) => ({
  users: await app.strapi.db.query('plugin::users-permissions.user').count(),
  identities: await app.strapi.db.query('plugin::tiktok-auth-mobile.identity').count(),
  sessions: await app.strapi.db.query('admin::session').count(),
  userInfo: tiktok.counters.userInfo,
});

/** The refresh cookie a response sets: its name, and its attributes without the value. */
const refreshCookie = (res: Response) => {
  const header = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((cookie) => /refresh/.test(cookie));
  if (!header) return undefined;
  const [pair, ...attributes] = header.split(/;\s*/);
  const [name, value] = pair.split('=');
  return { name, value, attributes: attributes.filter((attribute) => !/^expires=/i.test(attribute)).sort() };
};

/** A users-permissions user with a password, logged in through /api/auth/local. */
const localLogin = async (app: TestApp, headers: Record<string, string> = {}) => {
  const email = `local-${Math.random().toString(36).slice(2)}@example.com`;
  const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  // users-permissions' own service, which hashes the password.
  await app.strapi
    .plugin('users-permissions')
    .service('user')
    .add({ username: email, email, provider: 'local', password: PASSWORD, confirmed: true, blocked: false, role: role.id });
  return app.request().post('/api/auth/local').set(headers).send({ identifier: email, password: PASSWORD });
};

describe('refresh mode, refresh token in the body (users-permissions default)', () => {
  const app = bootForDescribe(() => tiktok, { UP_JWT_MANAGEMENT: 'refresh' });

  it('passes deviceId to the session, as /api/auth/local does', async () => {
    const res = await app()
      .request()
      .post(CONNECT)
      .send({ access_token: tiktok.issueAccessToken(tiktok.addAccount()), deviceId: 'iPhone-4F2A' });

    expect(res.status).toBe(200);
    expect(typeof res.body.refreshToken).toBe('string');
    expect(refreshCookie(res)).toBeUndefined();
    const sessions = await sessionsOf(app(), res.body.user.id);
    expect(sessions.map((session: { deviceId: string }) => session.deviceId)).toEqual(['iPhone-4F2A']);
  });

  it.each([
    ['a number', 42],
    ['an empty string', ''],
    ['over 128 characters', 'd'.repeat(129)],
    ['a space', 'my device'],
    ['a line break', 'device\n1'],
    ['non-ASCII characters', 'appareil-é'],
    ['an object', { id: 'x' }],
  ])('refuses a deviceId that is %s before anything is written or TikTok is called', async (_label, deviceId) => {
    const before = await counts(app());

    const res = await app()
      .request()
      .post(CONNECT)
      .send({ access_token: tiktok.issueAccessToken(tiktok.addAccount()), deviceId });

    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({
      code: 'invalid_request',
      errors: [{ path: 'deviceId', message: expect.stringContaining('deviceId') }],
    });
    expect(await counts(app())).toEqual(before);
  });

  it('answers with the keys /api/auth/local answers with, plus profile', async () => {
    const local = await localLogin(app());
    const tiktokLogin = await app().request().post(CONNECT).send({ access_token: tiktok.issueAccessToken(tiktok.addAccount()) });

    expect(local.status).toBe(200);
    expect(Object.keys(tiktokLogin.body).sort()).toEqual([...Object.keys(local.body), 'profile'].sort());
  });

  it("lets the login's session access token use the user's own routes (GET /me)", async () => {
    const account = tiktok.addAccount();
    const login = await app().request().post(CONNECT).send({ access_token: tiktok.issueAccessToken(account) });

    const me = await app().request().get('/api/tiktok-auth-mobile/me').set('Authorization', `Bearer ${login.body.jwt}`);

    expect(me.status).toBe(200);
    expect(me.body.union_id).toBe(account.unionId);
  });

  it('puts the refresh token in users-permissions\' cookie when the request asks for it', async () => {
    const header = { 'x-strapi-refresh-cookie': 'httpOnly' };
    const local = await localLogin(app(), header);

    const res = await app()
      .request()
      .post(CONNECT)
      .set(header)
      .send({ access_token: tiktok.issueAccessToken(tiktok.addAccount()) });

    expect(res.status).toBe(200);
    expect(res.body.refreshToken).toBeUndefined();
    expect(Object.keys(res.body).sort()).toEqual([...Object.keys(local.body), 'profile'].sort());
    const cookie = refreshCookie(res);
    expect(cookie).toMatchObject({ name: 'strapi_up_refresh', attributes: refreshCookie(local)?.attributes });
    const refreshed = await app().request().post('/api/auth/refresh').set('Cookie', `strapi_up_refresh=${cookie?.value}`).send({});
    expect(refreshed.status).toBe(200);
  });
});

describe('refresh mode with sessions.httpOnly on (what create-strapi 5.54 writes)', () => {
  const app = bootForDescribe(() => tiktok, {
    UP_JWT_MANAGEMENT: 'refresh',
    UP_SESSIONS: JSON.stringify({ httpOnly: true, cookie: { name: 'app_refresh', sameSite: 'strict', path: '/api/auth' } }),
  });

  it('sets the cookie named in the config, with its options, and leaves the token out of the body', async () => {
    const local = await localLogin(app());
    const res = await app().request().post(CONNECT).send({ access_token: tiktok.issueAccessToken(tiktok.addAccount()), deviceId: 'pixel-8' });

    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'profile', 'user']);
    expect(Object.keys(res.body).sort()).toEqual([...Object.keys(local.body), 'profile'].sort());
    const cookie = refreshCookie(res);
    expect(cookie?.name).toBe('app_refresh');
    expect(cookie?.attributes).toEqual(refreshCookie(local)?.attributes);
    expect(cookie?.attributes).toEqual(expect.arrayContaining(['httponly', 'path=/api/auth', 'samesite=strict']));

    const me = await app().request().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);
    expect(me.body.id).toBe(res.body.user.id);
    const refreshed = await app().request().post('/api/auth/refresh').set('Cookie', `app_refresh=${cookie?.value}`).send({});
    expect(refreshed.status).toBe(200);
  });
});

describe('refresh mode when users-permissions cannot open a session', () => {
  // A negative idle lifespan makes every new refresh token expired at once.
  const app = bootForDescribe(() => tiktok, {
    UP_JWT_MANAGEMENT: 'refresh',
    UP_SESSIONS: JSON.stringify({ idleRefreshTokenLifespan: -60 }),
  });

  it('answers 503 session_unavailable and logs why', async () => {
    const logsBefore = app().logs.length;

    const res = await app().request().post(CONNECT).send({ access_token: tiktok.issueAccessToken(tiktok.addAccount()) });

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ data: null, error: { status: 503, name: 'ServiceUnavailableError', details: { code: 'session_unavailable' } } });
    expect(res.body.jwt).toBeUndefined();
    const logged = app().logs.slice(logsBefore).filter((line) => line.startsWith('error: [tiktok-auth-mobile]'));
    expect(logged).toEqual([expect.stringContaining('could not issue an access token')]);
  });
});
