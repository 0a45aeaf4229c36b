/**
 * The credentials a login answers with, as users-permissions issues them. In legacy mode, the JWT that
 * users-permissions' own jwt.issue would sign, or the app's jwt.issue when it replaced it. In refresh mode
 * (`jwtManagement: 'refresh'`), a session opened the way /api/auth/local opens one, with its deviceId, and
 * the refresh token where /api/auth/local puts it.
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

/** A JWT's header and payload, decoded without checking anything. */
const decodeJwt = (token: string) => {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  return { header, payload };
};

const JWT_UID = 'plugin::users-permissions.jwt';
type JwtService = { issue(payload: object, options?: object): string | Promise<string> };

describe('legacy mode: the JWT users-permissions signs', () => {
  const app = bootForDescribe(() => tiktok, { UP_JWT_MANAGEMENT: 'legacy-support' });
  const jwtService = () => app().strapi.plugin('users-permissions').service('jwt') as JwtService;

  it("is the very token users-permissions' jwt.issue signs for the user at that second", async () => {
    const res = await app().request().post(CONNECT).send({ access_token: tiktok.issueAccessToken(tiktok.addAccount()) });

    expect(res.status).toBe(200);
    const { payload } = decodeJwt(res.body.jwt);
    expect(Object.keys(payload).sort()).toEqual(['exp', 'iat', 'id']);
    expect(payload.id).toBe(res.body.user.id);
    // jsonwebtoken takes iat from the payload when it has one: same payload, secret and options, same token.
    expect(res.body.jwt).toBe(await jwtService().issue({ id: payload.id, iat: payload.iat }));
    const me = await app().request().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);
    expect(me.body.id).toBe(res.body.user.id);
  });

  it.each([
    ['a decorator (services registry extend)', (app: TestApp, issue: JwtService['issue']) => {
      const stock = app.strapi.plugin('users-permissions').service('jwt') as JwtService;
      app.strapi.get('services').extend(JWT_UID, () => ({ ...stock, issue }));
      return () => app.strapi.get('services').extend(JWT_UID, () => stock);
    }],
    ['an assignment on the service', (app: TestApp, issue: JwtService['issue']) => {
      const service = app.strapi.plugin('users-permissions').service('jwt') as JwtService;
      const stockIssue = service.issue;
      service.issue = issue;
      return () => {
        service.issue = stockIssue;
      };
    }],
  ])("calls the app's own jwt.issue when %s replaced it, and the stock one again once it is back", async (_label, replace) => {
    const stockIssue = jwtService().issue;
    const calls: object[] = [];
    const restore = replace(app(), async function (this: JwtService, payload, options) {
      calls.push(payload);
      return stockIssue.call(this, { ...payload, tenant: 'acme' }, options);
    });
    try {
      const account = tiktok.addAccount();
      const res = await app().request().post(CONNECT).send({ access_token: tiktok.issueAccessToken(account) });

      expect(res.status).toBe(200);
      expect(calls).toEqual([{ id: res.body.user.id }]);
      expect(decodeJwt(res.body.jwt).payload).toMatchObject({ id: res.body.user.id, tenant: 'acme' });
    } finally {
      restore();
    }
    const again = await app().request().post(CONNECT).send({ access_token: tiktok.issueAccessToken(tiktok.addAccount()) });
    expect(calls).toHaveLength(1);
    expect(Object.keys(decodeJwt(again.body.jwt).payload).sort()).toEqual(['exp', 'iat', 'id']);
  });
});

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
