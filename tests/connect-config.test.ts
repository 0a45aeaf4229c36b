/**
 * Plugin and users-permissions options that change what /connect does. Each describe boots its own
 * Strapi with that configuration (one Strapi per process at a time).
 */
import { FakeTikTok } from './support/fake-tiktok';
import { bootForDescribe, createUpUser, startStrapi } from './support/strapi';

const CONNECT = '/api/tiktok-auth-mobile/connect';

let tiktok: FakeTikTok;

beforeAll(async () => {
  tiktok = await FakeTikTok.start();
});

afterAll(() => tiktok?.close());

const bootWith = (env: Record<string, string>) => bootForDescribe(() => tiktok, env);

describe('allowAccessToken: false', () => {
  const app = bootWith({ TIKTOK_ALLOW_ACCESS_TOKEN: 'false' });

  it('answers 400 access_token_disabled without calling TikTok', async () => {
    const account = tiktok.addAccount();

    const res = await app().request().post(CONNECT).send({ access_token: tiktok.issueAccessToken(account) });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ data: null, error: { status: 400, details: { code: 'access_token_disabled' } } });
    expect(tiktok.counters.userInfo).toBe(0);
    expect(await app().strapi.db.query('plugin::users-permissions.user').count()).toBe(0);
  });

  it('still validates the body first', async () => {
    const res = await app().request().post(CONNECT).send({ access_token: 42 });
    expect(res.body.error.details.code).toBe('invalid_request');
  });
});

describe('scopes: user.info.basic and user.info.profile', () => {
  const app = bootWith({ TIKTOK_SCOPES: 'user.info.basic,user.info.profile' });

  it('asks TikTok for username and is_verified, and names the user after the TikTok username', async () => {
    const account = tiktok.addAccount({ displayName: 'Display Name', username: 'real.handle', isVerified: true });

    const res = await app()
      .request()
      .post(CONNECT)
      .send({ access_token: tiktok.issueAccessToken(account, { scopes: ['user.info.basic', 'user.info.profile'] }) });

    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe('real.handle');
    expect(res.body.profile).toMatchObject({ union_id: account.unionId, username: 'real.handle' });
    const identity = await app()
      .strapi.db.query('plugin::tiktok-auth-mobile.identity')
      .findOne({ where: { unionId: account.unionId } });
    expect(identity).toMatchObject({ username: 'real.handle', isVerified: true, displayName: 'Display Name' });
  });

  it('answers 400 tiktok_scope_missing when the user granted only user.info.basic', async () => {
    const account = tiktok.addAccount();

    const res = await app().request().post(CONNECT).send({ access_token: tiktok.issueAccessToken(account) });

    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('tiktok_scope_missing');
    expect(res.body.error.message).toContain('user.info.profile');
    expect(await app().strapi.db.query('plugin::users-permissions.user').count({ where: { email: `${account.unionId}@tiktok.com` } })).toBe(0);
  });
});

describe('linkLegacyUsers: false', () => {
  const app = bootWith({ TIKTOK_LINK_LEGACY_USERS: 'false' });

  it('creates a new user instead of linking one the original plugin created', async () => {
    const account = tiktok.addAccount();
    const legacy = await createUpUser(app().strapi, { username: 'legacy-user', email: `${account.unionId}@tiktok.com`, provider: 'tiktok' });

    const res = await app().request().post(CONNECT).send({ access_token: tiktok.issueAccessToken(account) });

    expect(res.status).toBe(200);
    expect(res.body.user.id).not.toBe(legacy.id);
    expect(res.body.user).toMatchObject({ provider: 'tiktok', email: `${account.unionId}@tiktok.com` });
    const identity = await app()
      .strapi.db.query('plugin::tiktok-auth-mobile.identity')
      .findOne({ where: { unionId: account.unionId }, populate: { user: { select: ['id'] } } });
    expect(identity.user.id).toBe(res.body.user.id);
  });
});

describe("users-permissions jwtManagement: 'refresh'", () => {
  const app = bootWith({ UP_JWT_MANAGEMENT: 'refresh' });

  it('answers { jwt, refreshToken, user } and the refresh token works on /api/auth/refresh', async () => {
    const account = tiktok.addAccount();

    const res = await app()
      .request()
      .post(CONNECT)
      .set('User-Agent', 'TikTokLoginTest/1.0')
      .send({ access_token: tiktok.issueAccessToken(account), deviceId: 'device-1' });

    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'profile', 'refreshToken', 'user']);

    const me = await app().request().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);

    const refreshed = await app().request().post('/api/auth/refresh').send({ refreshToken: res.body.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(typeof refreshed.body.jwt).toBe('string');
    const meAgain = await app().request().get('/api/users/me').set('Authorization', `Bearer ${refreshed.body.jwt}`);
    expect(meAgain.status).toBe(200);
    expect(meAgain.body.id).toBe(res.body.user.id);
  });
});

describe('startup validation of the plugin config', () => {
  it.each([
    ['an unknown scope', { TIKTOK_SCOPES: 'user.info.basic,video.list' }, /scopes\[1\] must be one of/],
    ['scopes without user.info.basic', { TIKTOK_SCOPES: 'user.info.profile' }, /must include user.info.basic/],
    ['a timeout that is not a number', { TIKTOK_TIMEOUT_MS: 'soon' }, /timeout/],
    [
      'a client with an http redirect URI',
      { TIKTOK_CLIENTS: JSON.stringify([{ clientKey: 'k', clientSecret: 's', redirectUri: 'http://app.example/cb' }]) },
      /redirectUri must be an absolute https URI/,
    ],
    ['an http apiBaseUrl that is not loopback', { TIKTOK_API_BASE_URL: 'http://tiktok-proxy.example' }, /apiBaseUrl must be an https URL/],
  ])('refuses to start with %s, naming the problem', async (_label, env, message) => {
    await expect(startStrapi({ TIKTOK_API_BASE_URL: tiktok.url, ...env })).rejects.toThrow(
      new RegExp(`tiktok-auth-mobile config: invalid plugin config: .*${message.source}`)
    );
  });
});
