/**
 * The admin API of TikTok accounts: the read-only list (never a token), the revoke of one account's
 * stored tokens at TikTok, the deletion of every stored token, and who may do what.
 */
import type { FakeAccount, FakeTikTok, Scope } from './support/fake-tiktok';
import { createRole, loginAdminWithRole, registerSuperAdmin } from './support/admin';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const IOS = { clientKey: 'aw-admin-ios', clientSecret: 'admin-ios-secret-41c2', redirectUri: 'https://app.example/tiktok/ios' };
const ANDROID = { clientKey: 'aw-admin-android', clientSecret: 'admin-android-secret-9e07', redirectUri: 'https://app.example/tiktok/android' };
const AUTHORIZATION = 'plugin::tiktok-auth-mobile.authorization';
const IDENTITY = 'plugin::tiktok-auth-mobile.identity';
const READ = 'plugin::tiktok-auth-mobile.identities.read';
const REVOKE = 'plugin::tiktok-auth-mobile.identities.revoke';
const DELETE = 'plugin::tiktok-auth-mobile.tokens.delete';
const SCOPES: Scope[] = ['user.info.basic', 'user.info.profile'];
const TOKEN_COLUMNS = ['accessToken', 'accessTokenExpiresAt', 'refreshToken', 'refreshTokenExpiresAt', 'tokensIssuedAt'];

let tiktok: FakeTikTok;
let app: TestApp;
let superToken: string;
/** Every token TikTok issued in this file, decrypted: none may show up in an answer or a log line. */
const issued = new Set<string>();

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok({ TIKTOK_STORE_TOKENS: 'true', TIKTOK_SCOPES: SCOPES.join(',') }, [IOS, ANDROID]));
  superToken = await registerSuperAdmin(app);
});
afterAll(() => stopAll({ app, tiktok }));
beforeEach(() => tiktok.resetCounters());

type Req = ReturnType<ReturnType<TestApp['request']>['get']>;
const as = (req: Req, token: string | null) => (token ? req.set('Authorization', `Bearer ${token}`) : req);
const list = (query: Record<string, string | number> = {}, token: string | null = superToken) =>
  as(app.request().get('/tiktok-auth-mobile/identities').query(query), token);
const revoke = (id: number | string, body: object = {}, token: string | null = superToken) =>
  as(app.request().post(`/tiktok-auth-mobile/identities/${id}/revoke`), token).send(body);
const deleteAll = (token: string | null = superToken) => as(app.request().delete('/tiktok-auth-mobile/tokens'), token);

const authorizations = () => app.strapi.db.query(AUTHORIZATION);
const authorizationOf = (account: FakeAccount, client = IOS) =>
  authorizations().findOne({ where: { unionId: account.unionId, clientKey: client.clientKey } });

/** The tokens the plugin stored for this account and client, decrypted: the ones TikTok issued. */
async function storedTokens(account: FakeAccount, client = IOS) {
  const row = await authorizationOf(account, client);
  const encryption = app.strapi.service('admin::encryption');
  const tokens = { accessToken: encryption.decrypt(row.accessToken) as string, refreshToken: encryption.decrypt(row.refreshToken) as string };
  expect(tokens).toEqual({ accessToken: expect.stringMatching(/^act\./), refreshToken: expect.stringMatching(/^rft\./) });
  issued.add(tokens.accessToken).add(tokens.refreshToken);
  return tokens;
}

/** A code-flow login (tokens stored); returns the user's id and the tokens TikTok issued. */
async function codeLogin(account: FakeAccount, client = IOS) {
  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: client.clientKey, scopes: SCOPES });
  const res = await app.request().post('/api/tiktok-auth-mobile/connect').send({ code, code_verifier: codeVerifier, client_key: client.clientKey });
  expect(res.status).toBe(200);
  return { userId: res.body.user.id as number, ...(await storedTokens(account, client)) };
}

const identityIdOf = async (account: FakeAccount) =>
  (await app.strapi.db.query(IDENTITY).findOne({ where: { unionId: account.unionId } })).id as number;

/** The list entry of this account, found by searching its union_id. */
async function listed(account: FakeAccount) {
  const res = await list({ q: account.unionId });
  expect(res.status).toBe(200);
  expect(res.body.data).toHaveLength(1);
  return res.body.data[0];
}

const expectNoToken = (text: string) => {
  for (const token of issued) expect(text).not.toContain(token);
  expect(text).not.toMatch(/v1:[0-9a-f]+:[0-9a-f]+:[0-9a-f]+/);
};

const within = (iso: string, expectedMs: number) => expect(Math.abs(new Date(iso).getTime() - expectedMs)).toBeLessThan(60_000);

describe('GET /tiktok-auth-mobile/identities', () => {
  it('lists an account with its user and, per client, its stored tokens expiries and scopes, never a token', async () => {
    const account = tiktok.addAccount({ displayName: 'Listed Person', username: 'listed.person', isVerified: true });
    const { userId } = await codeLogin(account, IOS);
    await codeLogin(account, ANDROID);
    const now = Date.now();

    const res = await list({ q: account.unionId });

    expect(res.status).toBe(200);
    expect(res.body.meta.pagination).toEqual({ page: 1, pageSize: 10, pageCount: 1, total: 1 });
    const [identity] = res.body.data;
    expect(identity).toEqual({
      id: await identityIdOf(account),
      unionId: account.unionId,
      displayName: 'Listed Person',
      username: 'listed.person',
      isVerified: true,
      grantedScopes: ['user.info.basic', 'user.info.profile'],
      firstLoginAt: expect.any(String),
      lastLoginAt: expect.any(String),
      user: { id: userId, documentId: expect.any(String), username: 'listed.person', email: `${account.unionId}@tiktok.com` },
      authorizations: [ANDROID, IOS].map(({ clientKey }) => ({
        clientKey,
        openId: account.openIds[clientKey],
        scopes: ['user.info.basic', 'user.info.profile'],
        authorizedAt: expect.any(String),
        tokensStored: true,
        accessTokenExpiresAt: expect.any(String),
        refreshTokenExpiresAt: expect.any(String),
        tokensIssuedAt: expect.any(String),
        removedAt: null,
        removedBy: null,
        removedReason: null,
      })),
      logins: [ANDROID, IOS].map(({ clientKey }) => ({
        at: expect.any(String),
        clientKey,
        flow: 'code',
        ip: expect.stringMatching(/127\.0\.0\.1/),
        userAgent: null,
      })),
    });
    within(identity.authorizations[1].accessTokenExpiresAt, now + tiktok.accessTokenLifetimeS * 1000);
    within(identity.authorizations[1].refreshTokenExpiresAt, now + tiktok.refreshTokenLifetimeS * 1000);
    expectNoToken(JSON.stringify(res.body));
  });

  it('finds an account by part of its union_id, display name, TikTok username or user email, in any case', async () => {
    const account = tiktok.addAccount({ displayName: 'Searchable Zebra', username: 'zebra.stripes_42' });
    await codeLogin(account);
    tiktok.addAccount({ displayName: 'Never logged in Zebra' });

    for (const q of [account.unionId.slice(4, 16).toUpperCase(), 'SEARCHABLE zeb', 'stripes_4', `${account.unionId.slice(-6)}@TIKTOK.c`]) {
      const res = await list({ q });
      expect(res.status).toBe(200);
      expect(res.body.data.map((row: { unionId: string }) => row.unionId)).toEqual([account.unionId]);
    }
    // LIKE wildcards are plain characters.
    expect((await list({ q: 'zebra%stripes' })).body.data).toEqual([]);
    expect((await list({ q: 'nobody-has-this' })).body).toEqual({
      data: [],
      meta: { pagination: { page: 1, pageSize: 10, pageCount: 0, total: 0 } },
    });
  });

  it('pages, the last logged in first', async () => {
    const accounts = [tiktok.addAccount({ displayName: 'Pager One' }), tiktok.addAccount({ displayName: 'Pager Two' })];
    for (const account of accounts) await codeLogin(account);

    const first = await list({ q: 'Pager', page: 1, pageSize: 1 });
    const second = await list({ q: 'pager', page: '2', pageSize: '1' });

    expect(first.body.meta.pagination).toEqual({ page: 1, pageSize: 1, pageCount: 2, total: 2 });
    expect(first.body.data.map((row: { displayName: string }) => row.displayName)).toEqual(['Pager Two']);
    expect(second.body.data.map((row: { displayName: string }) => row.displayName)).toEqual(['Pager One']);
  });

  it.each<[string, Record<string, string>, string]>([
    ['a search over 100 characters', { q: 'q'.repeat(101) }, 'q'],
    ['a page that is not a number', { page: 'two' }, 'page'],
    ['a page below 1', { page: '0' }, 'page'],
    ['a page size over 100', { pageSize: '101' }, 'pageSize'],
    ['a fractional page size', { pageSize: '2.5' }, 'pageSize'],
    ['an unknown parameter', { sort: 'email' }, ''],
  ])('refuses %s', async (_label, query, path) => {
    const res = await list(query);

    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('ValidationError');
    if (path) expect(res.body.error.details.errors[0].path).toEqual([path]);
  });

  it('refuses a search given twice', async () => {
    const res = await app.request().get('/tiktok-auth-mobile/identities?q=a&q=b').set('Authorization', `Bearer ${superToken}`);
    expect(res.status).toBe(400);
  });
});

describe('POST /tiktok-auth-mobile/identities/:id/revoke', () => {
  it("revokes one client's tokens at TikTok, deletes them, and answers the account's fresh status", async () => {
    const account = tiktok.addAccount();
    const ios = await codeLogin(account, IOS);
    await codeLogin(account, ANDROID);
    const id = await identityIdOf(account);

    const res = await revoke(id, { clientKey: IOS.clientKey });

    expect(res.status).toBe(200);
    expect(tiktok.revocations).toEqual([{ clientKey: IOS.clientKey, token: ios.accessToken, result: 'revoked' }]);
    expect(res.body.data.revoked).toBe(1);
    expect(res.body.data.identity).toMatchObject({ id, unionId: account.unionId });
    const [android, iosStatus] = res.body.data.identity.authorizations;
    expect(iosStatus).toMatchObject({
      clientKey: IOS.clientKey,
      tokensStored: false,
      accessTokenExpiresAt: null,
      refreshTokenExpiresAt: null,
      removedBy: 'app',
      removedReason: null,
    });
    within(iosStatus.removedAt, Date.now());
    expect(android).toMatchObject({ clientKey: ANDROID.clientKey, tokensStored: true, removedAt: null });
    const row = await authorizationOf(account, IOS);
    for (const column of TOKEN_COLUMNS) expect(row[column]).toBeNull();
    expect(row.removedBy).toBe('app');
    expect((await authorizationOf(account, ANDROID)).refreshToken).not.toBeNull();
    expectNoToken(JSON.stringify(res.body));
  });

  it('revokes every client without clientKey, also for an account left without its user (deleted with SQL)', async () => {
    const account = tiktok.addAccount();
    const { userId } = await codeLogin(account, IOS);
    const android = await codeLogin(account, ANDROID);
    await app.strapi.db.connection('up_users').where({ id: userId }).delete();

    const res = await revoke(await identityIdOf(account));

    expect(res.status).toBe(200);
    expect(res.body.data.revoked).toBe(2);
    expect(res.body.data.identity.user).toBeNull();
    expect(res.body.data.identity.authorizations.map((status: { tokensStored: boolean }) => status.tokensStored)).toEqual([false, false]);
    expect(tiktok.revocations).toEqual(
      expect.arrayContaining([{ clientKey: ANDROID.clientKey, token: android.accessToken, result: 'revoked' }])
    );
    expect(tiktok.revocations).toHaveLength(2);
  });

  it('takes clientKey from the query string too, and answers 0 when that client has no tokens', async () => {
    const account = tiktok.addAccount();
    await codeLogin(account, IOS);
    const id = await identityIdOf(account);

    const other = await as(app.request().post(`/tiktok-auth-mobile/identities/${id}/revoke?clientKey=${ANDROID.clientKey}`), superToken);
    const ios = await as(app.request().post(`/tiktok-auth-mobile/identities/${id}/revoke?clientKey=${IOS.clientKey}`), superToken);

    expect(other.body.data.revoked).toBe(0);
    expect(ios.body.data.revoked).toBe(1);
    expect(tiktok.revocations.map((revocation) => revocation.clientKey)).toEqual([IOS.clientKey]);
  });

  it('deletes the stored tokens when TikTok fails the revoke, and logs a warning without the token', async () => {
    const account = tiktok.addAccount();
    const { accessToken } = await codeLogin(account);
    tiktok.failNextRevoke({ kind: 'status', status: 500, code: 'internal_error' });
    const logsBefore = app.logs.length;

    const res = await revoke(await identityIdOf(account));

    expect(res.status).toBe(200);
    expect(res.body.data.revoked).toBe(1);
    expect(tiktok.revocations).toEqual([{ clientKey: IOS.clientKey, token: accessToken, result: 'fault' }]);
    const row = await authorizationOf(account);
    for (const column of TOKEN_COLUMNS) expect(row[column]).toBeNull();
    expect(row.removedBy).toBe('app');
    const warnings = app.logs.slice(logsBefore).filter((line) => line.startsWith('warn: '));
    expect(warnings).toContainEqual(
      expect.stringMatching(/client_key aw-admin-ios were not revoked at TikTok \(.*HTTP 500.*\): deleting the stored copy anyway \{/)
    );
  });

  it('answers 404 for an unknown identity', async () => {
    const res = await revoke(987654);

    expect(res.status).toBe(404);
    expect(res.body.error.name).toBe('NotFoundError');
    expect(tiktok.counters.revoke).toBe(0);
  });

  it.each<[string, string, object]>([
    ['an id that is not a number', 'abc', {}],
    ['an id below 1', '0', {}],
    ['a clientKey that is a number', '1', { clientKey: 42 }],
    ['an empty clientKey', '1', { clientKey: '' }],
    ['an unknown field', '1', { userId: 1 }],
  ])('refuses %s', async (_label, id, body) => {
    const res = await revoke(id, body);

    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(tiktok.counters.revoke).toBe(0);
  });
});

describe('DELETE /tiktok-auth-mobile/tokens', () => {
  it('clears the token columns of every row without calling TikTok, answers the count and logs it', async () => {
    const accounts = [tiktok.addAccount(), tiktok.addAccount()];
    for (const account of accounts) await codeLogin(account);
    await codeLogin(accounts[0], ANDROID);
    const holding = await authorizations().count({ where: { refreshToken: { $notNull: true } } });
    const logsBefore = app.logs.length;

    const res = await deleteAll();

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { deleted: holding } });
    expect(holding).toBeGreaterThanOrEqual(3);
    for (const row of await authorizations().findMany()) {
      for (const column of TOKEN_COLUMNS) expect(row[column]).toBeNull();
    }
    expect(tiktok.counters.revoke).toBe(0);
    expect(app.logs.slice(logsBefore).filter((line) => line.includes('[tiktok-auth-mobile]'))).toEqual([
      expect.stringMatching(new RegExp(`^info: \\[tiktok-auth-mobile\\] an admin deleted the stored TikTok tokens of ${holding} authorization\\(s\\) \\{`)),
    ]);
    expect((await deleteAll()).body).toEqual({ data: { deleted: 0 } });
  });
});

describe('authentication and RBAC', () => {
  let identityId: number;
  beforeAll(async () => {
    const account = tiktok.addAccount();
    await codeLogin(account);
    identityId = await identityIdOf(account);
  });

  it('answers 401 without an admin token, and to a users-permissions JWT', async () => {
    const accessToken = tiktok.issueAccessToken(tiktok.addAccount(), { scopes: SCOPES });
    const login = await app.request().post('/api/tiktok-auth-mobile/connect').send({ access_token: accessToken });
    expect(login.status).toBe(200);
    for (const token of [null, login.body.jwt as string]) {
      expect((await list({}, token)).status).toBe(401);
      expect((await revoke(identityId, {}, token)).status).toBe(401);
      expect((await deleteAll(token)).status).toBe(401);
    }
    expect(tiktok.counters.revoke).toBe(0);
    expect(await authorizations().count({ where: { refreshToken: { $notNull: true } } })).toBeGreaterThan(0);
  });

  it('answers 403 to an Editor on every route, and changes nothing', async () => {
    const editorRole = await app.strapi.service('admin::role').findOne({ code: 'strapi-editor' });
    const editor = await loginAdminWithRole(app, editorRole.id, 'accounts-editor@example.com');

    expect((await list({}, editor)).status).toBe(403);
    expect((await revoke(identityId, {}, editor)).status).toBe(403);
    expect((await deleteAll(editor)).status).toBe(403);
    expect(tiktok.counters.revoke).toBe(0);
    expect(await authorizations().count({ where: { refreshToken: { $notNull: true } } })).toBeGreaterThan(0);
  });

  it('gives each action its route only', async () => {
    const reader = await loginAdminWithRole(app, await createRole(app, 'Account readers', [READ]), 'accounts-reader@example.com');
    const revoker = await loginAdminWithRole(app, await createRole(app, 'Token revokers', [REVOKE]), 'accounts-revoker@example.com');
    const deleter = await loginAdminWithRole(app, await createRole(app, 'Token deleters', [DELETE]), 'accounts-deleter@example.com');

    expect((await list({}, reader)).status).toBe(200);
    expect((await revoke(identityId, {}, reader)).status).toBe(403);
    expect((await deleteAll(reader)).status).toBe(403);
    expect((await list({}, revoker)).status).toBe(403);
    expect((await deleteAll(revoker)).status).toBe(403);
    expect((await list({}, deleter)).status).toBe(403);
    expect((await revoke(identityId, {}, deleter)).status).toBe(403);
    expect(tiktok.counters.revoke).toBe(0);

    expect((await revoke(identityId, {}, revoker)).body.data.revoked).toBe(1);
    expect((await deleteAll(deleter)).status).toBe(200);
  });
});

// Last: every token issued above has been seen by now.
it('never wrote a token into a log line', () => {
  expect(issued.size).toBeGreaterThan(10);
  expectNoToken(app.logs.join('\n'));
});
