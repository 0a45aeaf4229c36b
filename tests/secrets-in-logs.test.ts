/**
 * Everything Strapi logs (plugin, request logger, users-permissions) over a full run of logins,
 * code exchanges, TikTok faults and settings changes: no credential may appear in it.
 */
import type { FakeTikTok } from './support/fake-tiktok';
import { registerSuperAdmin } from './support/admin';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const CLIENT = { clientKey: 'aw-logs', clientSecret: 'log-test-client-secret-91c2', redirectUri: 'https://app.example/tiktok/logs' };
const NEW_SECRET = 'log-test-rotated-secret-4aa8';
const PUBLIC_URL = 'https://api.example.test';
const CALLBACK = `${PUBLIC_URL}/api/tiktok-auth-mobile/callback`;
const APP_REDIRECT = 'myapp://auth';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok(
    {
      TIKTOK_TIMEOUT_MS: '500',
      UP_JWT_MANAGEMENT: 'refresh',
      PUBLIC_URL,
      TIKTOK_APP_REDIRECTS: JSON.stringify([APP_REDIRECT]),
      TIKTOK_STORE_TOKENS: 'true',
    },
    [CLIENT]
  ));
});
afterAll(() => stopAll({ app, tiktok }));

it("never logs an access token, code, code_verifier, client secret, JWT or refresh token, TikTok's stored tokens included", async () => {
  const secrets: string[] = [CLIENT.clientSecret, NEW_SECRET];
  const connect = (body: object) => app.request().post('/api/tiktok-auth-mobile/connect').send(body);
  let refreshToken: string | undefined;
  const remember = <T extends { body: { jwt?: string; refreshToken?: string } }>(res: T) => {
    for (const value of [res.body.jwt, res.body.refreshToken]) if (value) secrets.push(value);
    refreshToken = res.body.refreshToken ?? refreshToken;
    return res;
  };
  const account = tiktok.addAccount();

  // Access-token logins: success, rejected token, every kind of TikTok fault.
  const token = tiktok.issueAccessToken(account);
  secrets.push(token);
  expect(remember(await connect({ access_token: token })).status).toBe(200);
  const revoked = tiktok.issueAccessToken(account);
  tiktok.revoke(revoked);
  secrets.push(revoked);
  expect((await connect({ access_token: revoked })).status).toBe(400);
  for (const fault of [
    { kind: 'status', status: 500, code: 'internal_error' },
    { kind: 'status', status: 429, code: 'rate_limit_exceeded' },
    { kind: 'reset' },
    { kind: 'hang' },
    { kind: 'malformed' },
  ] as const) {
    const faulted = tiktok.issueAccessToken(account);
    secrets.push(faulted);
    tiktok.failNext(fault, 2);
    expect((await connect({ access_token: faulted })).status).toBeGreaterThanOrEqual(500);
    tiktok.resetCounters();
  }

  // Code logins: success, wrong verifier, replay, token-endpoint faults.
  const good = tiktok.authorize(account, { clientKey: CLIENT.clientKey });
  secrets.push(good.code, good.codeVerifier);
  expect(remember(await connect({ code: good.code, code_verifier: good.codeVerifier })).status).toBe(200);
  expect((await connect({ code: good.code, code_verifier: good.codeVerifier })).status).toBe(400);
  const wrong = tiktok.authorize(account, { clientKey: CLIENT.clientKey });
  secrets.push(wrong.code, wrong.codeVerifier);
  expect((await connect({ code: wrong.code, code_verifier: 'x'.repeat(43) })).status).toBe(400);
  const faulted = tiktok.authorize(account, { clientKey: CLIENT.clientKey });
  secrets.push(faulted.code, faulted.codeVerifier);
  tiktok.failNextToken({ kind: 'oauth-error', status: 401, error: 'invalid_client' });
  expect((await connect({ code: faulted.code, code_verifier: faulted.codeVerifier })).status).toBe(502);

  // A refresh with the last login's refresh token, a replay of it, then settings changes with secrets,
  // including a rejected one.
  const used = refreshToken;
  expect(used).toEqual(expect.any(String));
  const refreshed = remember(await app.request().post('/api/auth/refresh').send({ refreshToken: used }));
  expect(refreshed.status).toBe(200);
  expect(refreshed.body.refreshToken).not.toBe(used);
  expect((await app.request().post('/api/auth/refresh').send({ refreshToken: used })).status).toBe(401);
  const adminToken = await registerSuperAdmin(app);
  secrets.push(adminToken);
  const save = (clientSecret: string) =>
    app
      .request()
      .put('/tiktok-auth-mobile/settings')
      .set('Authorization', `Bearer ${adminToken}`)
      .send({ clients: [{ ...CLIENT, clientSecret }], scopes: ['user.info.basic'], allowAccessToken: true });
  expect((await save(NEW_SECRET)).status).toBe(200);
  expect((await save(`${NEW_SECRET}${'z'.repeat(600)}`)).status).toBe(400);
  tiktok.registerClient({ clientKey: CLIENT.clientKey, clientSecret: NEW_SECRET, redirectUris: [CLIENT.redirectUri] });
  const afterRotation = tiktok.authorize(account, { clientKey: CLIENT.clientKey });
  secrets.push(afterRotation.code, afterRotation.codeVerifier);
  expect(remember(await connect({ code: afterRotation.code, code_verifier: afterRotation.codeVerifier })).status).toBe(200);

  // A refresh token set as users-permissions' httpOnly cookie.
  const cookieLogin = await app
    .request()
    .post('/api/tiktok-auth-mobile/connect')
    .set('x-strapi-refresh-cookie', 'httpOnly')
    .send({ access_token: tiktok.issueAccessToken(account) });
  const cookie = ([] as string[]).concat(cookieLogin.headers['set-cookie'] ?? []).find((value) => value.startsWith('strapi_up_refresh='));
  expect(cookie).toBeDefined();
  secrets.push(cookie!.split(';')[0].split('=')[1], cookieLogin.body.jwt);

  // A browser login: TikTok's code and state in the callback URL, the login code in the app redirect.
  tiktok.registerClient({ clientKey: CLIENT.clientKey, clientSecret: NEW_SECRET, redirectUris: [CLIENT.redirectUri, CALLBACK] });
  const start = await app.request().get('/api/tiktok-auth-mobile/authorize').query({ app_redirect: APP_REDIRECT });
  const back = new URL(tiktok.approveWebLogin(start.headers.location, account));
  secrets.push(back.searchParams.get('code') as string, back.searchParams.get('state') as string);
  const callback = await app.request().get(`${back.pathname}${back.search}`);
  const loginCode = new URL(callback.headers.location).searchParams.get('login_code') as string;
  secrets.push(loginCode);
  expect(remember(await connect({ login_code: loginCode })).status).toBe(200);

  // The token vault: TikTok's tokens of the logins above, refreshed, a refused refresh, a failed revoke.
  const tokens = app.strapi.plugin('tiktok-auth-mobile').service('tokens');
  const encryption = app.strapi.service('admin::encryption') as unknown as { decrypt(value: string): string };
  const storedTokens = async () => {
    const rows = await app.strapi.db.query('plugin::tiktok-auth-mobile.authorization').findMany({ where: { refreshToken: { $notNull: true } } });
    for (const row of rows) secrets.push(encryption.decrypt(row.accessToken), encryption.decrypt(row.refreshToken));
  };
  const userId = (await app.strapi.db.query('plugin::users-permissions.user').findOne({ where: { email: `${account.unionId}@tiktok.com` } })).id;
  await storedTokens();
  tiktok.failNextRefresh({ kind: 'status', status: 500, code: 'internal_error' });
  await expect(tokens.getAccessToken(userId, { minValidity: 10 ** 9 })).rejects.toMatchObject({ code: 'tiktok_unavailable' });
  secrets.push((await tokens.getAccessToken(userId, { minValidity: 10 ** 9 })).accessToken);
  await storedTokens();
  tiktok.failNextRevoke({ kind: 'status', status: 500, code: 'internal_error' });
  expect(await tokens.revoke(userId)).toBe(1);
  const again = tiktok.authorize(account, { clientKey: CLIENT.clientKey });
  expect(remember(await connect({ code: again.code, code_verifier: again.codeVerifier })).status).toBe(200);
  await storedTokens();
  tiktok.failNextRefresh({ kind: 'oauth-error', status: 400, error: 'invalid_grant' });
  await expect(tokens.getAccessToken(userId, { minValidity: 10 ** 9 })).rejects.toMatchObject({ code: 'tiktok_reauth_required' });

  // The capture sees each entry's metadata, not only its message.
  app.strapi.log.debug('[probe]', { probe: 'log-metadata-is-captured' });

  const logs = app.logs.join('\n');
  expect(logs).toContain('log-metadata-is-captured');
  expect(logs).toContain('[tiktok-auth-mobile]');
  expect(logs).toContain('POST /api/tiktok-auth-mobile/connect');
  expect(logs).toContain('GET /api/tiktok-auth-mobile/callback');
  expect(logs).toContain('oauth/token (refresh)');
  expect(logs).toContain('were not revoked at TikTok');
  expect(secrets.length).toBeGreaterThan(20);
  for (const secret of secrets) expect(logs).not.toContain(secret);
});
