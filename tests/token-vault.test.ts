/**
 * The token vault: with storeTokens on, a code-flow login keeps the user's TikTok tokens (encrypted),
 * and the tokens service hands the host app a valid access token, refreshing it (TikTok rotates refresh
 * tokens) or telling it the user must sign in again. Revoking goes to TikTok and deletes the local copy.
 */
import { FakeTikTok, type FakeAccount, type Scope } from './support/fake-tiktok';
import { setAdvancedSettings, startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const IOS = { clientKey: 'aw-vault-ios', clientSecret: 'vault-ios-secret-3c1d', redirectUri: 'https://app.example/tiktok/ios' };
const ANDROID = { clientKey: 'aw-vault-android', clientSecret: 'vault-android-secret-77ab', redirectUri: 'https://app.example/tiktok/android' };
const TIMEOUT_MS = 800;
const PUBLIC_URL = 'https://api.example.test';
const AUTHORIZATION_UID = 'plugin::tiktok-auth-mobile.authorization';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok(
    {
      TIKTOK_STORE_TOKENS: 'true',
      TIKTOK_TIMEOUT_MS: String(TIMEOUT_MS),
      TIKTOK_SCOPES: 'user.info.basic',
      PUBLIC_URL,
      TIKTOK_APP_REDIRECTS: JSON.stringify(['myapp://auth']),
    },
    [IOS, ANDROID]
  ));
  // The browser login's callback is registered at TikTok for the iOS client too.
  tiktok.registerClient({ ...IOS, redirectUris: [IOS.redirectUri, `${PUBLIC_URL}/api/tiktok-auth-mobile/callback`] });
});
afterAll(() => stopAll({ app, tiktok }));

beforeEach(() => {
  tiktok.resetCounters();
  tiktok.accessTokenLifetimeS = 86400;
  tiktok.refreshTokenLifetimeS = 31536000;
});

interface TokensService {
  getAccessToken(userId: number, options?: { clientKey?: string; minValidity?: number }): Promise<{
    accessToken: string;
    scopes: string[];
    expiresAt: Date;
    clientKey: string;
    openId: string;
  }>;
  revoke(userId: number, options?: { clientKey?: string }): Promise<number>;
  deleteAll(): Promise<number>;
}

const tokens = () => app.strapi.plugin('tiktok-auth-mobile').service('tokens') as TokensService;
/** The raw rows, as the database holds them: what someone with a copy of the database would see. */
const rawRows = (unionId: string) => app.strapi.db.connection('tiktok_authorizations').where({ union_id: unionId }).orderBy('client_key');
const rows = (unionId: string) => app.strapi.db.query(AUTHORIZATION_UID).findMany({ where: { unionId }, orderBy: { clientKey: 'asc' } });

/** The user a code-flow login makes, and the /connect answer. */
async function codeLogin(account: FakeAccount, client = IOS, scopes: Scope[] = ['user.info.basic']) {
  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: client.clientKey, scopes });
  const res = await app.request().post('/api/tiktok-auth-mobile/connect').send({ code, code_verifier: codeVerifier, client_key: client.clientKey });
  expect(res.status).toBe(200);
  return res;
}

/** Whether the fake TikTok takes this access token (user/info answers for it). */
async function worksAtTikTok(accessToken: string) {
  const res = await fetch(`${tiktok.url}/v2/user/info/?fields=open_id`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return ((await res.json()) as { error: { code: string } }).error.code === 'ok';
}

const reauthError = (reason: string) =>
  expect.objectContaining({ name: 'TikTokReauthRequiredError', code: 'tiktok_reauth_required', reason });

describe('storing', () => {
  it('keeps the tokens of a code login encrypted, with absolute expiries from the answer, and never answers them', async () => {
    tiktok.accessTokenLifetimeS = 7200;
    tiktok.refreshTokenLifetimeS = 15552000;
    const account = tiktok.addAccount();
    const before = Date.now();
    const res = await codeLogin(account);
    const after = Date.now();

    const [raw] = await rawRows(account.unionId);
    const { accessToken } = await tokens().getAccessToken(res.body.user.id);
    expect(await worksAtTikTok(accessToken)).toBe(true);
    expect(raw.access_token).toMatch(/^v1:/);
    expect(raw.refresh_token).toMatch(/^v1:/);
    expect(JSON.stringify(raw)).not.toContain(accessToken);
    expect(JSON.stringify(raw)).not.toMatch(/act\.|rft\./);
    expect(JSON.stringify(res.body)).not.toMatch(/act\.|rft\./);

    const [row] = await rows(account.unionId);
    expect(row).toMatchObject({ clientKey: IOS.clientKey, openId: account.openIds[IOS.clientKey], scopes: ['user.info.basic'] });
    const accessExpiry = new Date(row.accessTokenExpiresAt).getTime();
    const refreshExpiry = new Date(row.refreshTokenExpiresAt).getTime();
    expect(accessExpiry).toBeGreaterThanOrEqual(before + 7200_000 - 1000);
    expect(accessExpiry).toBeLessThanOrEqual(after + 7200_000 + 1000);
    expect(refreshExpiry).toBeGreaterThanOrEqual(before + 15552000_000 - 1000);
    expect(refreshExpiry).toBeLessThanOrEqual(after + 15552000_000 + 1000);
    expect(tiktok.counters.refresh).toBe(0);
  });

  it('keeps the tokens of a browser login, exchanged at the callback', async () => {
    const account = tiktok.addAccount();
    const start = await app.request().get('/api/tiktok-auth-mobile/authorize').query({ app_redirect: 'myapp://auth', client_key: IOS.clientKey });
    const back = new URL(tiktok.approveWebLogin(start.headers.location, account));
    const callback = await app.request().get(`${back.pathname}${back.search}`);
    const loginCode = new URL(callback.headers.location).searchParams.get('login_code');
    const res = await app.request().post('/api/tiktok-auth-mobile/connect').send({ login_code: loginCode });

    expect(res.status).toBe(200);
    const token = await tokens().getAccessToken(res.body.user.id);
    expect(token).toMatchObject({ clientKey: IOS.clientKey, openId: account.openIds[IOS.clientKey] });
    expect(await worksAtTikTok(token.accessToken)).toBe(true);
    expect(callback.headers.location).not.toMatch(/act\.|rft\./);
  });

  it('keeps one row per TikTok account and client, and a later login with a client replaces its tokens', async () => {
    const account = tiktok.addAccount();
    const first = await codeLogin(account, IOS);
    const userId = first.body.user.id;
    const iosToken = (await tokens().getAccessToken(userId, { clientKey: IOS.clientKey })).accessToken;
    await codeLogin(account, ANDROID);
    const androidToken = await tokens().getAccessToken(userId, { clientKey: ANDROID.clientKey });

    expect((await rows(account.unionId)).map((row) => row.clientKey)).toEqual([ANDROID.clientKey, IOS.clientKey]);
    expect(androidToken.openId).toBe(account.openIds[ANDROID.clientKey]);
    // Without a client key: the tokens of the latest login.
    expect((await tokens().getAccessToken(userId)).accessToken).toBe(androidToken.accessToken);

    await codeLogin(account, IOS);
    const newIosToken = (await tokens().getAccessToken(userId, { clientKey: IOS.clientKey })).accessToken;
    expect(newIosToken).not.toBe(iosToken);
    expect(await rows(account.unionId)).toHaveLength(2);
  });

  it('stores nothing for a code login that fails after the exchange (sign-ups off)', async () => {
    const account = tiktok.addAccount();
    await setAdvancedSettings(app.strapi, { allow_register: false });
    try {
      const { code, codeVerifier } = tiktok.authorize(account, { clientKey: IOS.clientKey });
      const res = await app.request().post('/api/tiktok-auth-mobile/connect').send({ code, code_verifier: codeVerifier, client_key: IOS.clientKey });

      expect(res.status).toBe(400);
      expect(res.body.error.details.code).toBe('registration_disabled');
      expect(tiktok.counters.token).toBe(1);
      expect(await rows(account.unionId)).toEqual([]);
    } finally {
      await setAdvancedSettings(app.strapi, { allow_register: true });
    }
  });

  it('stores nothing for an access-token login', async () => {
    const account = tiktok.addAccount();
    const res = await app.request().post('/api/tiktok-auth-mobile/connect').send({ access_token: tiktok.issueAccessToken(account) });

    expect(res.status).toBe(200);
    expect(await rows(account.unionId)).toEqual([]);
    await expect(tokens().getAccessToken(res.body.user.id)).rejects.toEqual(reauthError('no_tokens'));
  });

  it('tells a user without a TikTok account apart', async () => {
    const role = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    const user = await app.strapi.db
      .query('plugin::users-permissions.user')
      .create({ data: { username: 'email-only', email: 'email-only@example.com', provider: 'local', confirmed: true, role: role.id } });

    await expect(tokens().getAccessToken(user.id)).rejects.toEqual(reauthError('not_linked'));
    await expect(tokens().getAccessToken('not-an-id' as unknown as number)).rejects.toThrow(TypeError);
  });
});

describe('getAccessToken', () => {
  it('returns a token that is not about to expire as it is, without calling TikTok', async () => {
    const res = await codeLogin(tiktok.addAccount());
    tiktok.resetCounters();

    const first = await tokens().getAccessToken(res.body.user.id);
    const second = await tokens().getAccessToken(res.body.user.id);

    expect(second.accessToken).toBe(first.accessToken);
    expect(first.scopes).toEqual(['user.info.basic']);
    expect(tiktok.counters).toMatchObject({ refresh: 0, token: 0, userInfo: 0 });
  });

  it('refreshes a token that expires within the margin, keeps the rotated refresh token, and refreshes again with it', async () => {
    tiktok.accessTokenLifetimeS = 120;
    const account = tiktok.addAccount();
    const res = await codeLogin(account);
    const [stored] = await rows(account.unionId);

    const refreshed = await tokens().getAccessToken(res.body.user.id);
    expect(tiktok.counters.refresh).toBe(1);
    expect(await worksAtTikTok(refreshed.accessToken)).toBe(true);
    const [afterFirst] = await rows(account.unionId);
    expect(afterFirst.refreshToken).not.toBe(stored.refreshToken);
    expect(afterFirst.refreshLeaseUntil).toBeNull();

    // TikTok retired the first refresh token: a second refresh works only with the rotated one.
    const again = await tokens().getAccessToken(res.body.user.id);
    expect(tiktok.counters.refresh).toBe(2);
    expect(again.accessToken).not.toBe(refreshed.accessToken);
    expect(await worksAtTikTok(again.accessToken)).toBe(true);

    // With a smaller margin, the same token is fresh enough.
    const lenient = await tokens().getAccessToken(res.body.user.id, { minValidity: 60 });
    expect(lenient.accessToken).toBe(again.accessToken);
    expect(tiktok.counters.refresh).toBe(2);
  });

  it('runs one refresh for concurrent callers in one process, and all of them get the new token', async () => {
    tiktok.accessTokenLifetimeS = 120;
    const res = await codeLogin(tiktok.addAccount());
    tiktok.accessTokenLifetimeS = 86400;
    tiktok.latencyMs = 100;
    try {
      const results = await Promise.all(Array.from({ length: 20 }, () => tokens().getAccessToken(res.body.user.id)));
      expect(tiktok.counters.refresh).toBe(1);
      expect(new Set(results.map((result) => result.accessToken)).size).toBe(1);
    } finally {
      tiktok.latencyMs = 0;
    }
  });

  it("waits for another process's refresh lease, and takes over when it ends without new tokens (a crashed process)", async () => {
    tiktok.accessTokenLifetimeS = 120;
    const account = tiktok.addAccount();
    const res = await codeLogin(account);
    const leaseEnd = Date.now() + 400;
    await app.strapi.db.query(AUTHORIZATION_UID).updateMany({ where: { unionId: account.unionId }, data: { refreshLeaseUntil: new Date(leaseEnd) } });

    const token = await tokens().getAccessToken(res.body.user.id);

    expect(Date.now()).toBeGreaterThanOrEqual(leaseEnd);
    expect(tiktok.counters.refresh).toBe(1);
    expect(await worksAtTikTok(token.accessToken)).toBe(true);
  });

  it('drops the tokens and asks for a new TikTok login when TikTok refuses the refresh token (invalid_grant)', async () => {
    tiktok.accessTokenLifetimeS = 120;
    const account = tiktok.addAccount();
    const res = await codeLogin(account);
    tiktok.failNextRefresh({ kind: 'oauth-error', status: 400, error: 'invalid_grant' });

    await expect(tokens().getAccessToken(res.body.user.id)).rejects.toEqual(reauthError('refresh_token_rejected'));

    const [raw] = await rawRows(account.unionId);
    expect(raw).toMatchObject({ access_token: null, refresh_token: null, access_token_expires_at: null, refresh_token_expires_at: null });
    await expect(tokens().getAccessToken(res.body.user.id)).rejects.toEqual(reauthError('no_tokens'));
    expect(tiktok.counters.refresh).toBe(1);
  });

  it('drops the tokens without calling TikTok when the refresh token has expired', async () => {
    tiktok.accessTokenLifetimeS = 120;
    const account = tiktok.addAccount();
    const res = await codeLogin(account);
    await app.strapi.db.query(AUTHORIZATION_UID).updateMany({ where: { unionId: account.unionId }, data: { refreshTokenExpiresAt: new Date(Date.now() - 1000) } });

    await expect(tokens().getAccessToken(res.body.user.id)).rejects.toEqual(reauthError('refresh_token_expired'));

    expect(tiktok.counters.refresh).toBe(0);
    expect((await rows(account.unionId))[0]).toMatchObject({ accessToken: null, refreshToken: null });
  });

  it.each([
    ['answers 500', { kind: 'status', status: 500, code: 'internal_error' } as const],
    ['is not answering in time', { kind: 'hang' } as const],
    ['answers temporarily_unavailable', { kind: 'oauth-error', status: 503, error: 'temporarily_unavailable' } as const],
  ])('keeps the tokens and throws a TikTokUnavailableError when TikTok %s; the next call refreshes', async (_label, fault) => {
    tiktok.accessTokenLifetimeS = 120;
    const account = tiktok.addAccount();
    const res = await codeLogin(account);
    const [before] = await rows(account.unionId);
    tiktok.failNextRefresh(fault);

    await expect(tokens().getAccessToken(res.body.user.id)).rejects.toEqual(
      expect.objectContaining({ name: 'TikTokUnavailableError', code: 'tiktok_unavailable', status: 503 })
    );
    const [after] = await rows(account.unionId);
    expect(after).toMatchObject({ accessToken: before.accessToken, refreshToken: before.refreshToken, refreshLeaseUntil: null });

    const next = await tokens().getAccessToken(res.body.user.id);
    expect(await worksAtTikTok(next.accessToken)).toBe(true);
  });
});

describe('revoke', () => {
  it('revokes the access token at TikTok with its client and deletes the stored tokens', async () => {
    const account = tiktok.addAccount();
    const res = await codeLogin(account);
    const { accessToken } = await tokens().getAccessToken(res.body.user.id);

    expect(await tokens().revoke(res.body.user.id)).toBe(1);

    expect(tiktok.revocations).toEqual([{ clientKey: IOS.clientKey, token: accessToken, result: 'revoked' }]);
    expect(await worksAtTikTok(accessToken)).toBe(false);
    const [row] = await rows(account.unionId);
    expect(row).toMatchObject({ accessToken: null, refreshToken: null, removedBy: 'app', removedReason: null });
    expect(row.removedAt).not.toBeNull();
    await expect(tokens().getAccessToken(res.body.user.id)).rejects.toEqual(reauthError('no_tokens'));
  });

  it('deletes the local copy anyway, with a warning, when TikTok fails the revoke', async () => {
    const account = tiktok.addAccount();
    const res = await codeLogin(account);
    const { accessToken } = await tokens().getAccessToken(res.body.user.id);
    tiktok.failNextRevoke({ kind: 'status', status: 500, code: 'internal_error' });

    expect(await tokens().revoke(res.body.user.id)).toBe(1);

    expect(tiktok.revocations).toHaveLength(1);
    expect(tiktok.revocations[0]).toMatchObject({ clientKey: IOS.clientKey, result: 'fault' });
    expect((await rows(account.unionId))[0]).toMatchObject({ accessToken: null, refreshToken: null, removedBy: 'app' });
    expect(app.logs.some((line) => /^warn: .*client_key aw-vault-ios were not revoked at TikTok.*deleting the stored copy anyway/.test(line))).toBe(true);
    expect(app.logs.join('\n')).not.toContain(accessToken);
  });

  it('revokes one client only when asked to', async () => {
    const account = tiktok.addAccount();
    await codeLogin(account, IOS);
    const res = await codeLogin(account, ANDROID);

    expect(await tokens().revoke(res.body.user.id, { clientKey: ANDROID.clientKey })).toBe(1);

    expect(tiktok.revocations.map((revocation) => revocation.clientKey)).toEqual([ANDROID.clientKey]);
    expect((await tokens().getAccessToken(res.body.user.id)).clientKey).toBe(IOS.clientKey);
  });
});

describe('turning storeTokens off', () => {
  it('stops storing, keeps what is stored until deleted, and deleteAll deletes every stored token', async () => {
    const stored = tiktok.addAccount();
    const storedLogin = await codeLogin(stored);
    const settings = app.strapi.plugin('tiktok-auth-mobile').service('settings');
    const current = (await settings.getForAdmin()).data;
    await settings.update({
      clients: current.clients.map(({ clientKey, redirectUri }: { clientKey: string; redirectUri: string }) => ({ clientKey, redirectUri })),
      scopes: current.scopes,
      allowAccessToken: current.allowAccessToken,
      storeTokens: false,
    });
    try {
      const later = tiktok.addAccount();
      await codeLogin(later);
      const [row] = await rows(later.unionId);
      expect(row).toMatchObject({ clientKey: IOS.clientKey, openId: later.openIds[IOS.clientKey], accessToken: null, refreshToken: null });

      // The earlier login's tokens stay until an admin deletes them.
      const kept = await tokens().getAccessToken(storedLogin.body.user.id);
      await codeLogin(stored);
      expect((await tokens().getAccessToken(storedLogin.body.user.id)).accessToken).toBe(kept.accessToken);

      const withTokens = await app.strapi.db.query(AUTHORIZATION_UID).count({ where: { refreshToken: { $notNull: true } } });
      expect(withTokens).toBeGreaterThan(0);
      expect(await tokens().deleteAll()).toBe(withTokens);
      expect(await app.strapi.db.query(AUTHORIZATION_UID).count({ where: { refreshToken: { $notNull: true } } })).toBe(0);
      expect(tiktok.revocations).toEqual([]);
    } finally {
      await settings.update({ ...current, clients: current.clients.map(({ clientKey, redirectUri }: { clientKey: string; redirectUri: string }) => ({ clientKey, redirectUri })), storeTokens: true });
    }
  });
});

describe("the host app's route (playground GET /api/tiktok-stats)", () => {
  it("reads the signed-in user's TikTok stats with the stored token, and asks for a new login once it is gone", async () => {
    tiktok.accessTokenLifetimeS = 120;
    const account = tiktok.addAccount({ stats: { follower_count: 1200, following_count: 3, likes_count: 45000, video_count: 17 } });
    const login = await codeLogin(account, IOS, ['user.info.basic', 'user.info.stats']);
    const stats = () => app.request().get('/api/tiktok-stats').set('Authorization', `Bearer ${login.body.jwt}`);

    const res = await stats();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ follower_count: 1200, following_count: 3, likes_count: 45000, video_count: 17 });
    expect(tiktok.counters.refresh).toBe(1);

    await tokens().revoke(login.body.user.id);
    const after = await stats();
    expect(after.status).toBe(403);
    expect(after.body.error.details).toEqual({ code: 'tiktok_reauth_required', reason: 'no_tokens' });
  });

  it('answers 403 tiktok_scope_missing when the user did not grant user.info.stats', async () => {
    const login = await codeLogin(tiktok.addAccount());
    const res = await app.request().get('/api/tiktok-stats').set('Authorization', `Bearer ${login.body.jwt}`);

    expect(res.status).toBe(403);
    expect(res.body.error.details).toEqual({ code: 'tiktok_scope_missing' });
  });
});

it('never logs a token', async () => {
  const everything = app.logs.join('\n');
  expect(everything).not.toMatch(/act\.[0-9a-f]{8}|rft\.[0-9a-f]{8}/);
});
