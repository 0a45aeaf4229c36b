/** A login code redeemed in users-permissions' refresh mode opens a session, as every other proof does. */
import type { FakeTikTok } from './support/fake-tiktok';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const PUBLIC_URL = 'https://api.example.test';
const CALLBACK = `${PUBLIC_URL}/api/tiktok-auth-mobile/callback`;
const WEB = { clientKey: 'aw-web-sessions', clientSecret: 'web-sessions-secret-51d0', redirectUri: 'https://app.example/tiktok/web' };

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok(
    { PUBLIC_URL, UP_JWT_MANAGEMENT: 'refresh', TIKTOK_APP_REDIRECTS: JSON.stringify(['myapp://auth']) },
    [WEB]
  ));
  tiktok.registerClient({ clientKey: WEB.clientKey, clientSecret: WEB.clientSecret, redirectUris: [WEB.redirectUri, CALLBACK] });
});
afterAll(() => stopAll({ app, tiktok }));

it('answers a login code with { jwt, refreshToken, user, profile }, and the refresh token renews the session', async () => {
  const start = await app.request().get('/api/tiktok-auth-mobile/authorize').query({ app_redirect: 'myapp://auth' });
  const back = new URL(tiktok.approveWebLogin(start.headers.location, tiktok.addAccount()));
  const callback = await app.request().get(`${back.pathname}${back.search}`);
  const loginCode = new URL(callback.headers.location).searchParams.get('login_code');

  const login = await app.request().post('/api/tiktok-auth-mobile/connect').send({ login_code: loginCode, deviceId: 'expo-device-1' });

  expect(login.status).toBe(200);
  expect(Object.keys(login.body).sort()).toEqual(['jwt', 'profile', 'refreshToken', 'user']);
  const sessions = await app.strapi.db.query('admin::session').findMany({ where: { userId: String(login.body.user.id) } });
  expect(sessions.map((session: { deviceId: string }) => session.deviceId)).toEqual(['expo-device-1']);
  const refreshed = await app.request().post('/api/auth/refresh').send({ refreshToken: login.body.refreshToken });
  expect(refreshed.status).toBe(200);
  const me = await app.request().get('/api/users/me').set('Authorization', `Bearer ${refreshed.body.jwt}`);
  expect(me.body.id).toBe(login.body.user.id);
});
