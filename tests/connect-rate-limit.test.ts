import type { FakeTikTok } from './support/fake-tiktok';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok({
    UP_RATELIMIT_ENABLED: 'true',
    UP_RATELIMIT_MAX: '3',
    UP_RATELIMIT_INTERVAL_MS: '60000',
    // The tests choose their client IP with X-Forwarded-For.
    SERVER_PROXY: 'true',
  }));
});
afterAll(() => stopAll({ app, tiktok }));

it("limits /connect per IP with users-permissions' rate limit, before TikTok is called", async () => {
  const account = tiktok.addAccount();
  const connect = (body: object) => app.request().post('/api/tiktok-auth-mobile/connect').send(body);

  const allowed = [
    await connect({ access_token: tiktok.issueAccessToken(account) }),
    await connect({ access_token: 'not-a-token' }),
    await connect({}),
  ];
  expect(allowed.map((res) => res.status)).toEqual([200, 400, 400]);
  const tikTokCalls = tiktok.counters.userInfo;

  // Varying body.email must not open a fresh bucket.
  const limited = [
    await connect({ access_token: tiktok.issueAccessToken(account) }),
    await connect({ access_token: tiktok.issueAccessToken(account), email: 'a@example.com' }),
    await connect({ access_token: tiktok.issueAccessToken(account), email: 'b@example.com' }),
  ];

  for (const res of limited) {
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ data: null, error: { status: 429, name: 'RateLimitError' } });
  }
  expect(tiktok.counters.userInfo).toBe(tikTokCalls);
});

it("does not limit users-permissions' other routes through /connect's bucket", async () => {
  const res = await app.request().post('/api/auth/local').send({ identifier: 'nobody@example.com', password: 'x' });
  expect(res.status).toBe(400);
});

it('counts every form of the path Koa routes to /connect in one bucket per IP', async () => {
  const account = tiktok.addAccount();
  const forms = ['/api/tiktok-auth-mobile/connect/', '/API/TikTok-Auth-Mobile/Connect', '/api/tiktok-auth-mobile/CONNECT/', '/api/tiktok-auth-mobile/connect?via=query'];
  const send = (path: string, ip: string) =>
    app.request().post(path).set('X-Forwarded-For', ip).send({ access_token: tiktok.issueAccessToken(account) });

  // Each form reaches the handler (a fresh IP each, so no limit applies yet).
  for (const [index, path] of forms.entries()) {
    expect((await send(path, `198.51.100.${index + 1}`)).status).toBe(200);
  }

  // From one IP, the three requests allowed are spent whatever the form, and the rest are refused.
  const statuses = [];
  for (const path of [...forms, '/api/tiktok-auth-mobile/connect']) statuses.push((await send(path, '203.0.113.7')).status);
  expect(statuses).toEqual([200, 200, 200, 429, 429]);
});

it('counts browser-login starts in the same bucket as /connect', async () => {
  const ip = '203.0.113.99';
  const starts = [];
  for (let i = 0; i < 3; i += 1) {
    starts.push((await app.request().get('/api/tiktok-auth-mobile/authorize?app_redirect=myapp://auth').set('X-Forwarded-For', ip)).status);
  }
  const connect = await app.request().post('/api/tiktok-auth-mobile/connect').set('X-Forwarded-For', ip).send({ access_token: 'x' });

  // The browser login is off here (no app redirect allowed): refused, but counted.
  expect(starts).toEqual([400, 400, 400]);
  expect(connect.status).toBe(429);
});

it('counts /link in the same bucket per IP as /connect', async () => {
  const ip = '203.0.113.77';
  const registered = await app
    .request()
    .post('/api/auth/local/register')
    .set('X-Forwarded-For', '203.0.113.200')
    .send({ username: 'rate-limited-linker', email: 'rate-limited-linker@example.com', password: 'Passw0rd-Example' });
  expect(registered.status).toBe(200);
  const connect = () => app.request().post('/api/tiktok-auth-mobile/connect').set('X-Forwarded-For', ip).send({});
  const link = () =>
    app.request().post('/api/tiktok-auth-mobile/link').set('X-Forwarded-For', ip).set('Authorization', `Bearer ${registered.body.jwt}`).send({});

  expect([(await connect()).status, (await link()).status, (await connect()).status]).toEqual([400, 400, 400]);
  expect([(await link()).status, (await connect()).status]).toEqual([429, 429]);
});
