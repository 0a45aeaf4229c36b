/**
 * The authorization-code flow of TikTok's iOS and Android Login Kit: the app posts the code and the
 * PKCE verifier, the server exchanges them with its client secret. This server runs with
 * allowAccessToken: false, so the code flow is the only way in.
 */
import { FakeTikTok, trickleOutliving, type FakeAccount, type Fault, type Scope, type TokenFault } from './support/fake-tiktok';
import { createUpUser, snapshotAccounts, startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const IOS = { clientKey: 'aw-ios-app', clientSecret: 'ios-secret-1f0c9b7e', redirectUri: 'https://app.example/tiktok/ios', label: 'iOS' };
const ANDROID = { clientKey: 'aw-android-app', clientSecret: 'android-secret-8d2a6c4f', redirectUri: 'https://app.example/tiktok/android', label: 'Android' };
const TIMEOUT_MS = 2000;

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok(
    { TIKTOK_ALLOW_ACCESS_TOKEN: 'false', TIKTOK_TIMEOUT_MS: String(TIMEOUT_MS) },
    [IOS, ANDROID]
  ));
});
afterAll(() => stopAll({ app, tiktok }));

beforeEach(() => tiktok.resetCounters());

const connect = (body: object) => app.request().post('/api/tiktok-auth-mobile/connect').send(body);
const users = () => app.strapi.db.query('plugin::users-permissions.user');
const identities = () => app.strapi.db.query('plugin::tiktok-auth-mobile.identity');
const countUsersFor = (account: FakeAccount) => users().count({ where: { email: `${account.unionId}@tiktok.com` } });

/** What the app posts after TikTok's SDK returned. */
const loginBody = (
  account: FakeAccount,
  client = IOS,
  options: { scopes?: Scope[]; codeVerifier?: string; sendClientKey?: boolean } = {}
) => {
  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: client.clientKey, ...options });
  return {
    code,
    code_verifier: codeVerifier,
    ...(options.sendClientKey === false ? {} : { client_key: client.clientKey }),
  };
};

describe('a successful code login', () => {
  it('exchanges the code once, reads the user once, and answers { jwt, user, profile }', async () => {
    const account = tiktok.addAccount({ displayName: 'Code User' });
    const body = loginBody(account, IOS, { codeVerifier: 'A'.repeat(43) + '-._~' + 'z'.repeat(20) });

    const res = await connect(body);

    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'profile', 'user']);
    expect(res.body.user).toMatchObject({ email: `${account.unionId}@tiktok.com`, provider: 'tiktok', username: 'Code User' });
    expect(res.body.profile).toEqual({
      union_id: account.unionId,
      open_id: account.openIds[IOS.clientKey],
      display_name: 'Code User',
      avatar_url: account.avatarUrl,
    });
    expect(tiktok.counters).toMatchObject({ token: 1, userInfo: 1 });
    const me = await app.request().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);
  });

  it("accepts Android's 32-character verifier and codes holding * and !", async () => {
    const account = tiktok.addAccount();
    const body = loginBody(account, ANDROID);
    expect(body.code_verifier).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(body.code).toMatch(/\*!/);

    const res = await connect(body);

    expect(res.status).toBe(200);
  });

  it('uses the first configured client when the app sends no client_key', async () => {
    const account = tiktok.addAccount();

    const res = await connect(loginBody(account, IOS, { sendClientKey: false }));

    expect(res.status).toBe(200);
    expect(res.body.profile.open_id).toBe(account.openIds[IOS.clientKey]);
  });

  it("accepts a redirect_uri equal to the client's", async () => {
    const account = tiktok.addAccount();

    const res = await connect({ ...loginBody(account, ANDROID), redirect_uri: ANDROID.redirectUri });

    expect(res.status).toBe(200);
  });

  it('maps the iOS and the Android app of one developer to the same user through the union_id', async () => {
    const account = tiktok.addAccount();

    const ios = await connect(loginBody(account, IOS));
    const android = await connect(loginBody(account, ANDROID));

    expect([ios.status, android.status]).toEqual([200, 200]);
    expect(ios.body.profile.open_id).not.toBe(android.body.profile.open_id);
    expect(android.body.user.id).toBe(ios.body.user.id);
    expect(await countUsersFor(account)).toBe(1);
    const identity = await identities().findOne({ where: { unionId: account.unionId } });
    expect(identity.openIds).toEqual({
      [IOS.clientKey]: account.openIds[IOS.clientKey],
      [ANDROID.clientKey]: account.openIds[ANDROID.clientKey],
    });
  });
});

describe('the TikTok identity', () => {
  it('stores the profile, open_id per client, granted scopes and login times, and refreshes them', async () => {
    const account = tiktok.addAccount({ displayName: 'First Name', avatarUrl: 'https://cdn.example/1.jpg' });
    const first = await connect(loginBody(account, IOS, { scopes: ['user.info.basic', 'user.info.stats'] }));
    const stored = await identities().findOne({ where: { unionId: account.unionId }, populate: ['user'] });

    expect(stored).toMatchObject({
      unionId: account.unionId,
      displayName: 'First Name',
      avatarUrl: 'https://cdn.example/1.jpg',
      openIds: { [IOS.clientKey]: account.openIds[IOS.clientKey] },
      grantedScopes: ['user.info.basic', 'user.info.stats'],
    });
    expect(stored.user.id).toBe(first.body.user.id);
    expect(new Date(stored.firstLoginAt).getTime()).toBe(new Date(stored.lastLoginAt).getTime());

    account.displayName = 'Second Name';
    account.avatarUrl = 'https://cdn.example/2.jpg';
    // An hour-old lastLoginAt, so that the second login visibly moves it on.
    await identities().updateMany({ where: { unionId: account.unionId }, data: { lastLoginAt: new Date(Date.now() - 3_600_000) } });
    const secondStartedAt = Date.now();
    const second = await connect(loginBody(account, ANDROID));
    const refreshed = await identities().findOne({ where: { unionId: account.unionId } });

    expect(second.status).toBe(200);
    expect(second.body.profile.display_name).toBe('Second Name');
    expect(refreshed).toMatchObject({ displayName: 'Second Name', avatarUrl: 'https://cdn.example/2.jpg', grantedScopes: ['user.info.basic'] });
    expect(new Date(refreshed.firstLoginAt).getTime()).toBe(new Date(stored.firstLoginAt).getTime());
    expect(new Date(refreshed.lastLoginAt).getTime()).toBeGreaterThanOrEqual(secondStartedAt - 1000);
    expect(Object.keys(refreshed.openIds).sort()).toEqual([ANDROID.clientKey, IOS.clientKey].sort());
  });

  it('writes nothing when the same client logs the same profile in again within a minute', async () => {
    const account = tiktok.addAccount();
    await connect(loginBody(account, IOS));
    const before = await identities().findOne({ where: { unionId: account.unionId } });

    const again = await connect(loginBody(account, IOS));

    expect(again.status).toBe(200);
    expect(await identities().findOne({ where: { unionId: account.unionId } })).toEqual(before);
  });

  it('links a user created by the original plugin', async () => {
    const account = tiktok.addAccount();
    const legacy = await createUpUser(app.strapi, {
      username: 'from-the-js-plugin',
      email: `${account.unionId}@tiktok.com`,
      provider: 'tiktok',
    });

    const res = await connect(loginBody(account));

    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(legacy.id);
    expect(await countUsersFor(account)).toBe(1);
    const identity = await identities().findOne({ where: { unionId: account.unionId }, populate: ['user'] });
    expect(identity.user.id).toBe(legacy.id);
  });

  it('gives a fresh user and identity to an account whose user was deleted', async () => {
    const account = tiktok.addAccount();
    const first = await connect(loginBody(account, IOS));
    const before = await identities().findOne({ where: { unionId: account.unionId } });
    await users().delete({ where: { id: first.body.user.id } });
    expect(await identities().count({ where: { unionId: account.unionId } })).toBe(0);

    const again = await connect(loginBody(account, ANDROID));

    expect(again.status).toBe(200);
    expect(again.body.user.id).not.toBe(first.body.user.id);
    const after = await identities().findMany({ where: { unionId: account.unionId }, populate: ['user'] });
    expect(after).toHaveLength(1);
    expect(after[0].id).not.toBe(before.id);
    expect(after[0].user.id).toBe(again.body.user.id);
    expect(Object.keys(after[0].openIds)).toEqual([ANDROID.clientKey]);
  });

  it('replaces an identity left without its user (a user deleted with SQL), keeping its history', async () => {
    const account = tiktok.addAccount();
    const first = await connect(loginBody(account, IOS));
    const before = await identities().findOne({ where: { unionId: account.unionId } });
    await app.strapi.db.connection('up_users').where({ id: first.body.user.id }).delete();

    const again = await connect(loginBody(account, ANDROID));

    expect(again.status).toBe(200);
    expect(again.body.user.id).not.toBe(first.body.user.id);
    const after = await identities().findMany({ where: { unionId: account.unionId }, populate: ['user'] });
    expect(after).toHaveLength(1);
    expect(after[0].user.id).toBe(again.body.user.id);
    expect(new Date(after[0].firstLoginAt).getTime()).toBe(new Date(before.firstLoginAt).getTime());
    expect(Object.keys(after[0].openIds).sort()).toEqual([ANDROID.clientKey, IOS.clientKey].sort());
  });

  it('20 concurrent first code logins of one account create one user and one identity', async () => {
    const account = tiktok.addAccount();
    const bodies = Array.from({ length: 20 }, (_, i) => loginBody(account, i % 2 ? ANDROID : IOS));

    const answers = await Promise.all(bodies.map(connect));

    expect(answers.map((res) => res.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((res) => res.body.user.id)).size).toBe(1);
    expect(await countUsersFor(account)).toBe(1);
    expect(await identities().count({ where: { unionId: account.unionId } })).toBe(1);
  });
});

describe('codes and clients the server refuses', () => {
  let usersBefore: number;

  beforeEach(async () => {
    usersBefore = await users().count();
  });

  afterEach(async () => {
    expect(await users().count()).toBe(usersBefore);
  });

  const expectError = (res: { status: number; body: any }, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ data: null, error: { status, details: { code } } });
  };

  it('a wrong code_verifier: 400 tiktok_code_invalid', async () => {
    const account = tiktok.addAccount();
    const body = loginBody(account);

    const res = await connect({ ...body, code_verifier: 'B'.repeat(43) });

    expectError(res, 400, 'tiktok_code_invalid');
    expect(tiktok.counters).toMatchObject({ token: 1, userInfo: 0 });
  });

  it('a code used twice: the second login gets 400 tiktok_code_invalid', async () => {
    const account = tiktok.addAccount();
    const body = loginBody(account);
    expect((await connect(body)).status).toBe(200);
    usersBefore = await users().count();

    const replay = await connect(body);

    expectError(replay, 400, 'tiktok_code_invalid');
    expect(tiktok.counters.token).toBe(2);
  });

  it('a code issued to another client: 400 tiktok_code_invalid', async () => {
    const account = tiktok.addAccount();
    const body = loginBody(account, IOS);

    const res = await connect({ ...body, client_key: ANDROID.clientKey });

    expectError(res, 400, 'tiktok_code_invalid');
  });

  it('an unknown client_key: 400 unknown_client, TikTok not called', async () => {
    const account = tiktok.addAccount();

    const res = await connect({ ...loginBody(account), client_key: 'aw-somebody-else' });

    expectError(res, 400, 'unknown_client');
    expect(tiktok.counters).toMatchObject({ token: 0, userInfo: 0 });
  });

  it("a redirect_uri other than the client's: 400 redirect_uri_mismatch, TikTok not called", async () => {
    const account = tiktok.addAccount();

    const res = await connect({ ...loginBody(account), redirect_uri: 'https://evil.example/cb' });

    expectError(res, 400, 'redirect_uri_mismatch');
    expect(tiktok.counters).toMatchObject({ token: 0, userInfo: 0 });
  });

  it('an access_token while allowAccessToken is false: 400 access_token_disabled', async () => {
    const account = tiktok.addAccount();

    const res = await connect({ access_token: tiktok.issueAccessToken(account) });

    expectError(res, 400, 'access_token_disabled');
    expect(tiktok.counters.userInfo).toBe(0);
  });

  it('a token whose open_id is not the user/info one: 400 tiktok_code_invalid', async () => {
    const account = tiktok.addAccount();
    tiktok.failNextToken({ kind: 'open-id-mismatch' });

    const res = await connect(loginBody(account));

    expectError(res, 400, 'tiktok_code_invalid');
    expect(tiktok.counters).toMatchObject({ token: 1, userInfo: 1 });
  });
});

describe('TikTok token-endpoint failures', () => {
  /** Plugin log lines other than debug ones, since `from`. */
  const pluginLogs = (from: number) =>
    app.logs.slice(from).filter((line) => line.includes('[tiktok-auth-mobile]') && !line.startsWith('debug:'));

  // [error, TikTok's usual HTTP status for it, answer status, details.code, log level]: the table under TikTok faults and timeouts in docs/endpoint.md.
  const OAUTH_ERRORS: Array<[string, number, number, string, 'info' | 'warn' | 'error']> = [
    ['access_denied', 400, 400, 'tiktok_code_invalid', 'info'],
    ['invalid_grant', 400, 400, 'tiktok_code_invalid', 'info'],
    ['invalid_request', 400, 400, 'tiktok_code_invalid', 'info'],
    ['invalid_client', 401, 502, 'tiktok_unavailable', 'error'],
    ['invalid_scope', 400, 502, 'tiktok_unavailable', 'error'],
    ['unauthorized_client', 403, 502, 'tiktok_unavailable', 'error'],
    ['unsupported_grant_type', 400, 502, 'tiktok_unavailable', 'error'],
    ['server_error', 500, 502, 'tiktok_unavailable', 'warn'],
    ['temporarily_unavailable', 503, 502, 'tiktok_unavailable', 'warn'],
    ['rate_limit_exceeded', 429, 503, 'tiktok_rate_limited', 'warn'],
  ];
  // TikTok has answered these errors with HTTP 200 too: each is tried with both.
  const withHttp200 = OAUTH_ERRORS.flatMap(([error, httpStatus, ...answer]) => [
    [error, httpStatus, ...answer] as const,
    [error, 200, ...answer] as const,
  ]);

  it.each(withHttp200)(
    '%s with HTTP %d: %d %s, logged at %s level, the code exchanged once, nothing written',
    async (error, httpStatus, status, code, level) => {
      const returning = tiktok.addAccount();
      expect((await connect(loginBody(returning))).status).toBe(200);
      const before = await snapshotAccounts(app.strapi);
      const logsBefore = app.logs.length;
      tiktok.resetCounters();

      for (const account of [returning, tiktok.addAccount()]) {
        account.displayName = 'Changed by a failed login';
        tiktok.failNextToken({ kind: 'oauth-error', status: httpStatus, error });

        const res = await connect(loginBody(account));

        expect(res.status).toBe(status);
        expect(res.body).toMatchObject({ data: null, error: { status, details: { code } } });
      }

      expect(tiktok.counters).toMatchObject({ token: 2, userInfo: 0 });
      expect(await snapshotAccounts(app.strapi)).toEqual(before);
      const logs = pluginLogs(logsBefore);
      expect(logs).toHaveLength(2);
      logs.forEach((line) => expect(line).toMatch(new RegExp(`^${level}: \\[tiktok-auth-mobile\\] TikTok oauth/token: `)));
    }
  );

  it.each([
    ['an HTML 502 page', { kind: 'html', status: 502 }, false],
    ['a body that is not JSON', { kind: 'malformed' }, false],
    ['a reset connection', { kind: 'reset' }, false],
    ['a token answer whose open_id is over 128 characters', { kind: 'answer', fields: { open_id: 'o'.repeat(129) } }, false],
    ['a token answer whose open_id holds NUL', { kind: 'answer', fields: { open_id: 'open\u0000id' } }, false],
    ['a token answer whose access_token holds a line break', { kind: 'answer', fields: { access_token: 'act.1\r\nX-Injected: 1' } }, false],
    ['no answer within the timeout', { kind: 'hang' }, true],
    ['an answer trickling in a byte at a time past the timeout', trickleOutliving(TIMEOUT_MS), true],
  ] as Array<[string, TokenFault, boolean]>)(
    '%s: 502 tiktok_unavailable, the code exchanged once, nothing written',
    async (_label, fault, givesUp) => {
      const account = tiktok.addAccount();
      const before = await snapshotAccounts(app.strapi);
      tiktok.failNextToken(fault);

      const res = await connect(loginBody(account));

      expect(res.status).toBe(502);
      expect(res.body.error.details.code).toBe('tiktok_unavailable');
      await tiktok.settled();
      expect(tiktok.counters).toMatchObject({ token: 1, userInfo: 0, abandoned: givesUp ? 1 : 0 });
      expect(await snapshotAccounts(app.strapi)).toEqual(before);
    }
  );

  it('a client secret TikTok refuses: 502 for the app, a configuration error in the log, no secret anywhere', async () => {
    tiktok.registerClient({ clientKey: IOS.clientKey, clientSecret: 'rotated-on-tiktok', redirectUris: [IOS.redirectUri] });
    const logsBefore = app.logs.length;
    try {
      const account = tiktok.addAccount();
      const body = loginBody(account);

      const res = await connect(body);

      expect(res.status).toBe(502);
      expect(res.body.error.details.code).toBe('tiktok_unavailable');
      expect(JSON.stringify(res.body)).not.toContain(IOS.clientSecret);
      const logs = app.logs.slice(logsBefore).join('\n');
      expect(logs).toMatch(/error: .*invalid_client/);
      expect(logs).toContain(IOS.clientKey);
      for (const secret of [IOS.clientSecret, body.code, body.code_verifier]) expect(logs).not.toContain(secret);
    } finally {
      tiktok.registerClient({ clientKey: IOS.clientKey, clientSecret: IOS.clientSecret, redirectUris: [IOS.redirectUri] });
    }
  });
});

describe('user/info failing after a successful code exchange', () => {
  it.each([
    ['a 500 internal_error, twice', 2, 502, 'tiktok_unavailable', { kind: 'status', status: 500, code: 'internal_error' }],
    ['HTTP 401 scope_not_authorized', 1, 400, 'tiktok_scope_missing', { kind: 'status', status: 401, code: 'scope_not_authorized' }],
    // The token TikTok just issued: TikTok's inconsistency, not a bad token from the app.
    ['HTTP 401 access_token_invalid', 1, 502, 'tiktok_unavailable', { kind: 'status', status: 401, code: 'access_token_invalid' }],
  ] as Array<[string, number, number, string, Fault]>)(
    '%s: user/info called %d times, %d %s, nothing written',
    async (_label, userInfoCalls, status, code, fault) => {
      const returning = tiktok.addAccount();
      expect((await connect(loginBody(returning))).status).toBe(200);
      const before = await snapshotAccounts(app.strapi);
      tiktok.resetCounters();

      for (const account of [returning, tiktok.addAccount()]) {
        account.displayName = 'Changed by a failed login';
        tiktok.failNext(fault, userInfoCalls);

        const res = await connect(loginBody(account));

        expect(res.status).toBe(status);
        expect(res.body).toMatchObject({ data: null, error: { status, details: { code } } });
      }

      expect(tiktok.counters).toMatchObject({ token: 2, userInfo: 2 * userInfoCalls });
      expect(await snapshotAccounts(app.strapi)).toEqual(before);
    }
  );
});
