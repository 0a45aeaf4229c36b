import type { FakeTikTok } from './support/fake-tiktok';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok({
    UP_RATELIMIT_ENABLED: 'true',
    UP_RATELIMIT_MAX: '2',
    UP_RATELIMIT_INTERVAL_MS: '60000',
    // The plugin's rateLimit.max, over users-permissions' max.
    TIKTOK_RATE_LIMIT_MAX: '4',
  }));
});
afterAll(() => stopAll({ app, tiktok }));

it("takes max from the plugin's rateLimit option over users-permissions' ratelimit, with the same 429 and headers", async () => {
  const account = tiktok.addAccount();
  const answers = [];
  for (let i = 0; i < 5; i += 1) {
    answers.push(await app.request().post('/api/tiktok-auth-mobile/connect').send({ access_token: tiktok.issueAccessToken(account) }));
  }

  expect(answers.map((res) => res.status)).toEqual([200, 200, 200, 200, 429]);
  expect(answers[4].body).toMatchObject({ data: null, error: { status: 429, name: 'RateLimitError' } });
  expect(answers[0].headers['x-ratelimit-limit']).toBe('4');
  expect(tiktok.counters.userInfo).toBe(4);
});
