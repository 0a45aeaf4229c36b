/**
 * With Strapi's GraphQL plugin, the plugin's content API is in the GraphQL schema too: tiktokConnect
 * (users-permissions' login mutation is the model), tiktokMe, tiktokLink and tiktokUnlink, with every
 * failure carrying the REST answer's code.
 */
import { FakeTikTok, type FakeAccount } from './support/fake-tiktok';
import { bootForDescribe, type TestApp } from './support/strapi';

const IOS = { clientKey: 'aw-graphql-ios', clientSecret: 'graphql-ios-secret-0b1e', redirectUri: 'https://app.example/tiktok/ios' };

let tiktok: FakeTikTok;
/** The Strapi of the running describe. */
let app: () => TestApp;

beforeAll(async () => {
  tiktok = await FakeTikTok.start();
  tiktok.registerClient({ clientKey: IOS.clientKey, clientSecret: IOS.clientSecret, redirectUris: [IOS.redirectUri] });
});
afterAll(() => tiktok.close());

const bootWith = (env: Record<string, string>) => {
  const booted = bootForDescribe(() => tiktok, { TIKTOK_CLIENTS: JSON.stringify([IOS]), ...env });
  beforeAll(() => {
    app = booted;
  });
};

const graphql = (query: string, variables: Record<string, unknown> = {}, jwt?: string) => {
  const req = app().request().post('/graphql').send({ query, variables });
  return jwt ? req.set('Authorization', `Bearer ${jwt}`) : req;
};

const CONNECT = `
  mutation Connect($input: TiktokConnectInput!) {
    tiktokConnect(input: $input) {
      jwt
      refreshToken
      user { id username email confirmed blocked }
      profile { unionId openId displayName avatarUrl username }
    }
  }`;

const codeInput = (account: FakeAccount) => {
  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: IOS.clientKey });
  return { code, codeVerifier, clientKey: IOS.clientKey };
};

describe('tiktokConnect', () => {
  bootWith({ GRAPHQL_ENABLED: 'true' });

  it('logs a TikTok user in with a code, answering jwt, user and profile like /connect', async () => {
    const account = tiktok.addAccount({ displayName: 'GraphQL Person' });

    const res = await graphql(CONNECT, { input: codeInput(account) });

    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const { jwt, refreshToken, user, profile } = res.body.data.tiktokConnect;
    expect(refreshToken).toBeNull();
    expect(user).toMatchObject({ username: 'GraphQL Person', email: `${account.unionId}@tiktok.com`, confirmed: true, blocked: false });
    expect(profile).toEqual({
      unionId: account.unionId,
      openId: account.openIds[IOS.clientKey],
      displayName: 'GraphQL Person',
      avatarUrl: account.avatarUrl,
      username: null,
    });
    const me = await app().request().get('/api/users/me').set('Authorization', `Bearer ${jwt}`);
    expect(me.body.id).toBe(Number(user.id));
    expect(tiktok.counters).toMatchObject({ token: 1, userInfo: 1 });
  });

  it.each([
    ['a spent code', async (account: FakeAccount) => {
      const input = codeInput(account);
      await graphql(CONNECT, { input });
      return input;
    }, 'tiktok_code_invalid', 400],
    ['an unknown client', async () => ({ code: 'x', codeVerifier: 'y', clientKey: 'aw-unknown' }), 'unknown_client', 400],
    ['no proof at all', async () => ({}), 'invalid_request', 400],
  ])('answers %s with a GraphQL error carrying the REST code', async (_label, makeInput, code, status) => {
    const input = await makeInput(tiktok.addAccount());

    const res = await graphql(CONNECT, { input });

    expect(res.body.data).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].extensions).toMatchObject({
      code: 'STRAPI_CONNECT_ERROR',
      error: { name: 'ConnectError', details: { code, status } },
    });
  });
});

describe('tiktokMe, tiktokLink, tiktokUnlink', () => {
  bootWith({ GRAPHQL_ENABLED: 'true', TIKTOK_STORE_TOKENS: 'true' });
  const ME = 'query { tiktokMe { unionId displayName scopes linkedAt clients { clientKey tokensStored accessTokenExpiresAt } } }';
  const LINK = 'mutation Link($input: TiktokConnectInput!) { tiktokLink(input: $input) { unionId } }';
  const UNLINK = 'mutation Unlink($confirm: Boolean) { tiktokUnlink(confirm: $confirm) }';

  it('let an email user link TikTok, see the link, and unlink it', async () => {
    const registered = await app()
      .request()
      .post('/api/auth/local/register')
      .send({ username: 'graphql-linker', email: 'graphql-linker@example.com', password: 'Passw0rd-Example' });
    const { jwt } = registered.body;
    const account = tiktok.addAccount();

    const none = await graphql(ME, {}, jwt);
    expect(none.body.errors[0].extensions.error.details.code).toBe('identity_not_found');

    const linked = await graphql(LINK, { input: codeInput(account) }, jwt);
    expect(linked.body).toEqual({ data: { tiktokLink: { unionId: account.unionId } } });

    const me = await graphql(ME, {}, jwt);
    expect(me.body.data.tiktokMe).toMatchObject({
      unionId: account.unionId,
      scopes: ['user.info.basic'],
      clients: [{ clientKey: IOS.clientKey, tokensStored: true, accessTokenExpiresAt: expect.any(String) }],
    });

    const taken = await graphql(LINK, { input: codeInput(tiktok.addAccount()) }, jwt);
    expect(taken.body.errors[0].extensions.error.details.code).toBe('user_already_linked');

    expect((await graphql(UNLINK, {}, jwt)).body).toEqual({ data: { tiktokUnlink: true } });
    expect(tiktok.revocations).toHaveLength(1);
  });

  it('asks a TikTok-only user to confirm, and turns anonymous callers away', async () => {
    const login = await graphql(CONNECT, { input: codeInput(tiktok.addAccount()) });
    const { jwt } = login.body.data.tiktokConnect;

    const refused = await graphql(UNLINK, {}, jwt);
    expect(refused.body.errors[0].extensions.error.details.code).toBe('last_login_method');
    expect((await graphql(UNLINK, { confirm: true }, jwt)).body).toEqual({ data: { tiktokUnlink: true } });

    const anonymous = await graphql(ME);
    expect(anonymous.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe("refresh mode and the login rate limit", () => {
  bootWith({ GRAPHQL_ENABLED: 'true', UP_JWT_MANAGEMENT: 'refresh', UP_RATELIMIT_ENABLED: 'true', UP_RATELIMIT_MAX: '3', SERVER_PROXY: 'true' });

  it('answers a refreshToken that works on /api/auth/refresh', async () => {
    const res = await graphql(CONNECT, { input: { ...codeInput(tiktok.addAccount()), deviceId: 'graphql-device' } }).set('X-Forwarded-For', '198.51.100.10');

    const { jwt, refreshToken } = res.body.data.tiktokConnect;
    expect(typeof jwt).toBe('string');
    const refreshed = await app().request().post('/api/auth/refresh').send({ refreshToken });
    expect(refreshed.status).toBe(200);
  });

  it("counts tiktokConnect in /connect's bucket per IP, before TikTok is called", async () => {
    const ip = '198.51.100.20';
    const rest = () => app().request().post('/api/tiktok-auth-mobile/connect').set('X-Forwarded-For', ip).send({});
    const viaGraphql = () => graphql(CONNECT, { input: {} }).set('X-Forwarded-For', ip);

    expect((await rest()).status).toBe(400);
    expect((await viaGraphql()).body.errors[0].extensions.error.details.code).toBe('invalid_request');
    expect((await rest()).status).toBe(400);
    const limited = await viaGraphql();
    expect(limited.body.errors[0].extensions).toMatchObject({ code: 'STRAPI_RATE_LIMIT_ERROR', error: { name: 'RateLimitError' } });
    expect((await rest()).status).toBe(429);
    expect(tiktok.counters.token).toBe(0);
  });
});

describe('without the GraphQL plugin', () => {
  bootWith({});

  it('adds nothing: there is no /graphql', async () => {
    expect((await app().request().post('/graphql').send({ query: '{ __typename }' })).status).toBe(405);
  });
});
