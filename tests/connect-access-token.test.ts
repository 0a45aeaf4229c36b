import { FakeTikTok } from './support/fake-tiktok';
import { setAdvancedSettings, startStrapi, type TestApp } from './support/strapi';

const USER_UID = 'plugin::users-permissions.user';
const IDENTITY_UID = 'plugin::tiktok-auth-mobile.identity';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => {
  tiktok = await FakeTikTok.start();
  app = await startStrapi({ TIKTOK_API_BASE_URL: tiktok.url });
});

afterAll(async () => {
  await app?.destroy();
  await tiktok?.close();
});

beforeEach(() => tiktok.resetCounters());

const connect = (body: unknown) => app.request().post('/api/tiktok-auth-mobile/connect').send(body as object);
const users = () => app.strapi.db.query(USER_UID);

describe('POST /api/tiktok-auth-mobile/connect with an access_token', () => {
  it('creates a users-permissions user on the first login and answers like /api/auth/local', async () => {
    const account = tiktok.addAccount({ displayName: 'Jane Doe' });
    const token = tiktok.issueAccessToken(account);

    const res = await connect({ access_token: token });

    expect(res.status).toBe(200);
    expect(typeof res.body.jwt).toBe('string');
    expect(res.body.user).toMatchObject({
      username: 'Jane Doe',
      email: `${account.unionId}@tiktok.com`,
      provider: 'tiktok',
      confirmed: true,
      blocked: false,
    });
    expect(res.body.user).not.toHaveProperty('password');
    expect(res.body.user).not.toHaveProperty('resetPasswordToken');
    expect(tiktok.counters.userInfo).toBe(1);

    const stored = await users().findOne({ where: { id: res.body.user.id }, populate: ['role'] });
    expect(stored).toMatchObject({ email: `${account.unionId}@tiktok.com`, provider: 'tiktok', confirmed: true });
    expect(stored.role.type).toBe('authenticated');

    const me = await app.request().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);
  });
});
