/**
 * The browser login (Login Kit for Web): /authorize → TikTok's authorize page (the fake decides as TikTok
 * does) → /callback → the app redirect with a login code → /connect { login_code }.
 */
import { createHash } from 'node:crypto';

import type { FakeAccount, FakeTikTok } from './support/fake-tiktok';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const PUBLIC_URL = 'https://api.example.test';
const CALLBACK = `${PUBLIC_URL}/api/tiktok-auth-mobile/callback`;
const WEB = { clientKey: 'aw-web', clientSecret: 'web-secret-3f9a', redirectUri: 'https://app.example/tiktok/web' };
const OTHER = { clientKey: 'aw-other', clientSecret: 'other-secret-77c1', redirectUri: 'https://app.example/tiktok/other' };
const APP_REDIRECTS = ['myapp://auth', 'exp://192.168.1.20:8081/--/auth', 'https://web.example/auth/tiktok', 'http://127.0.0.1:3000/cb'];
const PENDING = 'plugin::tiktok-auth-mobile.pending-login';
const CODES = 'plugin::tiktok-auth-mobile.login-code';
const USERS = 'plugin::users-permissions.user';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok({ PUBLIC_URL, TIKTOK_APP_REDIRECTS: JSON.stringify(APP_REDIRECTS) }, [WEB, OTHER]));
  // The callback is registered at TikTok for both clients, next to their mobile redirect URIs.
  for (const { clientKey, clientSecret, redirectUri } of [WEB, OTHER]) {
    tiktok.registerClient({ clientKey, clientSecret, redirectUris: [redirectUri, CALLBACK] });
  }
});
afterAll(() => stopAll({ app, tiktok }));

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const db = (uid: string) => app.strapi.db.query(uid);
const authorize = (query: Record<string, string | string[]>) => app.request().get('/api/tiktok-auth-mobile/authorize').query(query);
/** The browser following TikTok's redirect to the callback (a URL on PUBLIC_URL, served by the test app). */
const followToCallback = (location: string) => {
  const { pathname, search } = new URL(location);
  return app.request().get(`${pathname}${search}`);
};
const connect = (body: object) => app.request().post('/api/tiktok-auth-mobile/connect').send(body);
const query = (location: string) => new URL(location).searchParams;

/**
 * Runs `request` while another request (of this process or another) takes the same record first: right
 * after this request reads it, the other one deletes it, as a concurrent callback or redemption would.
 */
const whileAnotherCallbackSpends = async <T>(uid: string, where: Record<string, string>, request: () => Promise<T>) => {
  let spent = false;
  const unsubscribe = app.strapi.db.lifecycles.subscribe({
    models: [uid],
    async afterFindOne(event) {
      const [field, value] = Object.entries(where)[0];
      if (spent || (event.params.where as Record<string, unknown>)?.[field] !== value) return;
      spent = true;
      await db(uid).deleteMany({ where });
    },
  });
  try {
    const res = await request();
    expect(spent).toBe(true);
    return res;
  } finally {
    unsubscribe();
  }
};

/** /authorize, then TikTok's decision for `account` (null: the user declines); answers the callback's response. */
const browserLogin = async (account: FakeAccount | null, params: Record<string, string> = {}) => {
  const start = await authorize({ app_redirect: 'myapp://auth', ...params });
  expect(start.status).toBe(302);
  return followToCallback(tiktok.approveWebLogin(start.headers.location, account));
};

describe('the sweep of expired records (runs at the first start in a process)', () => {
  it('deletes expired states and login codes without any cron', async () => {
    const past = new Date(Date.now() - 1000);
    await db(PENDING).create({ data: { stateHash: 'expired', codeVerifier: 'x', clientKey: WEB.clientKey, appRedirect: 'myapp://auth', expiresAt: past } });
    await db(CODES).create({ data: { codeHash: 'expired', userId: 1, profile: {}, expiresAt: past } });

    expect((await authorize({ app_redirect: 'myapp://auth' })).status).toBe(302);

    expect(await db(PENDING).count({ where: { stateHash: 'expired' } })).toBe(0);
    expect(await db(CODES).count({ where: { codeHash: 'expired' } })).toBe(0);
    expect(await db(PENDING).count()).toBe(1);
  });
});

describe('GET /authorize', () => {
  it("redirects to TikTok's authorize page with the callback, a state and an S256 challenge, keeping only a hash and an encrypted verifier", async () => {
    const before = await db(PENDING).count();

    const res = await authorize({ app_redirect: 'myapp://auth' });

    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('no-store');
    const location = new URL(res.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe(`${tiktok.url}/v2/auth/authorize/`);
    const params = Object.fromEntries(location.searchParams);
    expect(params).toEqual({
      client_key: WEB.clientKey,
      scope: 'user.info.basic',
      response_type: 'code',
      redirect_uri: CALLBACK,
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge: expect.stringMatching(/^[0-9a-f]{64}$/),
      code_challenge_method: 'S256',
    });
    expect(await db(PENDING).count()).toBe(before + 1);
    const stored = await db(PENDING).findOne({ where: { stateHash: sha256(params.state) } });
    expect(stored).toMatchObject({ clientKey: WEB.clientKey, appRedirect: 'myapp://auth' });
    expect(stored.codeVerifier).toMatch(/^v1:/);
    expect(JSON.stringify(await db(PENDING).findMany())).not.toContain(params.state);
  });

  it('uses the client named by client_key', async () => {
    const res = await authorize({ app_redirect: 'myapp://auth', client_key: OTHER.clientKey });

    expect(query(res.headers.location).get('client_key')).toBe(OTHER.clientKey);
  });

  it.each([
    ['not on the list', 'otherapp://auth'],
    ['with a trailing slash', 'myapp://auth/'],
    ['with a longer path', 'https://web.example/auth/tiktok/more'],
    ['with a query', 'https://web.example/auth/tiktok?next=/'],
    ['on another port', 'https://web.example:8443/auth/tiktok'],
    ['with another scheme', 'http://web.example/auth/tiktok'],
    ['in another case', 'MYAPP://auth'],
    ['with userinfo in front', 'https://evil.example@web.example/auth/tiktok'],
    ['with the listed host as userinfo', 'https://web.example@evil.example/auth/tiktok'],
    ['on a look-alike host', 'https://web.example.evil.example/auth/tiktok'],
    ['on another loopback port', 'http://127.0.0.1:3001/cb'],
    ['as localhost instead of 127.0.0.1', 'http://localhost:3000/cb'],
  ])('refuses an app_redirect %s with 400 app_redirect_not_allowed, storing nothing', async (_label, appRedirect) => {
    const before = await db(PENDING).count();

    const res = await authorize({ app_redirect: appRedirect });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ data: null, error: { status: 400, details: { code: 'app_redirect_not_allowed' } } });
    expect(JSON.stringify(res.body)).not.toContain(appRedirect);
    expect(await db(PENDING).count()).toBe(before);
  });

  it.each([
    ['no app_redirect', {}, 'app_redirect'],
    ['app_redirect twice', { app_redirect: ['myapp://auth', 'myapp://auth'] }, 'app_redirect'],
    ['an app_state with spaces', { app_redirect: 'myapp://auth', app_state: 'a b' }, 'app_state'],
  ])('answers 400 invalid_request for %s', async (_label, params, path) => {
    const res = await authorize(params);

    expect(res.status).toBe(400);
    expect(res.body.error.details).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path })] });
  });

  it('answers 400 unknown_client for a client_key that is not configured, storing nothing', async () => {
    const before = await db(PENDING).count();

    const res = await authorize({ app_redirect: 'myapp://auth', client_key: 'aw-unknown' });

    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('unknown_client');
    expect(await db(PENDING).count()).toBe(before);
  });
});

describe('the whole login', () => {
  it('sends the browser back to the app with a login code only, which /connect turns into a JWT once', async () => {
    const account = tiktok.addAccount({ displayName: 'Browser User' });
    tiktok.resetCounters();

    const callback = await browserLogin(account);

    expect(callback.status).toBe(302);
    expect(callback.headers['cache-control']).toBe('no-store');
    expect(callback.headers['referrer-policy']).toBe('no-referrer');
    const back = new URL(callback.headers.location);
    expect(`${back.protocol}//${back.host}${back.pathname}`).toBe('myapp://auth');
    expect([...back.searchParams.keys()]).toEqual(['login_code']);
    const loginCode = back.searchParams.get('login_code') as string;
    expect(tiktok.counters).toMatchObject({ token: 1, userInfo: 1 });
    // Only its hash is kept.
    expect(await db(CODES).count({ where: { codeHash: sha256(loginCode) } })).toBe(1);
    expect(JSON.stringify(await db(CODES).findMany())).not.toContain(loginCode);

    const login = await connect({ login_code: loginCode });

    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({
      user: { email: `${account.unionId}@tiktok.com`, provider: 'tiktok' },
      profile: { union_id: account.unionId, open_id: account.openIds[WEB.clientKey], display_name: 'Browser User' },
    });
    const me = await app.request().get('/api/users/me').set('Authorization', `Bearer ${login.body.jwt}`);
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(login.body.user.id);
    expect(tiktok.counters).toMatchObject({ token: 1, userInfo: 1 });

    const replay = await connect({ login_code: loginCode });
    expect(replay.status).toBe(400);
    expect(replay.body.error.details.code).toBe('login_code_invalid');
  });

  it("gives the app its own state back, and logs a returning account in as the same user", async () => {
    const account = tiktok.addAccount();
    const first = await browserLogin(account, { app_redirect: 'exp://192.168.1.20:8081/--/auth', app_state: 'expo-7f3a' });
    const firstLogin = await connect({ login_code: query(first.headers.location).get('login_code') as string });

    const second = await browserLogin(account, { app_redirect: 'https://web.example/auth/tiktok', app_state: 'web-91' });

    expect(first.headers.location).toMatch(/^exp:\/\/192\.168\.1\.20:8081\/--\/auth\?login_code=[A-Za-z0-9_-]{43}&state=expo-7f3a$/);
    expect(query(second.headers.location).get('state')).toBe('web-91');
    const secondLogin = await connect({ login_code: query(second.headers.location).get('login_code') as string });
    expect(secondLogin.body.user.id).toBe(firstLogin.body.user.id);
  });
});

describe('GET /callback with a state it cannot use', () => {
  const expectStatePage = (res: { status: number; type: string; headers: Record<string, string>; text: string }) => {
    expect(res.status).toBe(400);
    expect(res.type).toBe('text/html');
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('expired or was already used');
  };

  it('answers a forged or missing state with the 400 page, calling TikTok for nothing', async () => {
    const users = await db(USERS).count();
    tiktok.resetCounters();

    for (const path of ['/api/tiktok-auth-mobile/callback?code=abc&state=forged', '/api/tiktok-auth-mobile/callback?code=abc', '/api/tiktok-auth-mobile/callback?error=access_denied&state=forged']) {
      expectStatePage(await app.request().get(path));
    }
    expect(tiktok.counters).toMatchObject({ token: 0, userInfo: 0 });
    expect(await db(USERS).count()).toBe(users);
  });

  it('answers a replayed state with the 400 page', async () => {
    const start = await authorize({ app_redirect: 'myapp://auth' });
    const back = tiktok.approveWebLogin(start.headers.location, tiktok.addAccount());
    expect((await followToCallback(back)).status).toBe(302);
    tiktok.resetCounters();

    expectStatePage(await followToCallback(back));
    expect(tiktok.counters.token).toBe(0);
  });

  it('answers an expired state with the 400 page and forgets it', async () => {
    const start = await authorize({ app_redirect: 'myapp://auth' });
    const state = query(start.headers.location).get('state') as string;
    await db(PENDING).updateMany({ where: { stateHash: sha256(state) }, data: { expiresAt: new Date(Date.now() - 1) } });
    tiktok.resetCounters();

    expectStatePage(await followToCallback(tiktok.approveWebLogin(start.headers.location, tiktok.addAccount())));
    expect(tiktok.counters.token).toBe(0);
    expect(await db(PENDING).count({ where: { stateHash: sha256(state) } })).toBe(0);
  });

  it('spends a state once: a callback that loses the race to another one (in any process) does nothing', async () => {
    const start = await authorize({ app_redirect: 'myapp://auth' });
    const back = tiktok.approveWebLogin(start.headers.location, tiktok.addAccount());
    const stateHash = sha256(query(start.headers.location).get('state') as string);
    tiktok.resetCounters();

    const res = await whileAnotherCallbackSpends(PENDING, { stateHash }, () => followToCallback(back));

    expectStatePage(res);
    expect(tiktok.counters.token).toBe(0);
  });
});

describe('a code injected into another browser login', () => {
  it("is refused: the code is bound to its own login's PKCE challenge, so no login code is issued", async () => {
    // The victim's login waits at TikTok; the attacker approved a login of their own and holds its code.
    const victimStart = await authorize({ app_redirect: 'myapp://auth' });
    const attackerStart = await authorize({ app_redirect: 'myapp://auth' });
    const attackerBack = new URL(tiktok.approveWebLogin(attackerStart.headers.location, tiktok.addAccount({ displayName: 'Attacker' })));
    const injected = new URL(CALLBACK);
    injected.searchParams.set('code', attackerBack.searchParams.get('code') as string);
    injected.searchParams.set('state', query(victimStart.headers.location).get('state') as string);
    const before = { users: await db(USERS).count(), codes: await db(CODES).count() };

    const res = await followToCallback(injected.toString());

    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('myapp://auth?error=tiktok_code_invalid');
    expect({ users: await db(USERS).count(), codes: await db(CODES).count() }).toEqual(before);
  });
});

describe('failures sent back to the app', () => {
  it.each([
    ['access_denied', 'access_denied'],
    ['something not an error code', 'tiktok_error'],
  ])('passes TikTok\'s error %s on as error=%s, creating nothing', async (tiktokError, expected) => {
    const start = await authorize({ app_redirect: 'myapp://auth', app_state: 's1' });
    const back = new URL(tiktok.approveWebLogin(start.headers.location, null));
    back.searchParams.set('error', tiktokError);
    const users = await db(USERS).count();

    const res = await followToCallback(back.toString());

    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`myapp://auth?error=${expected}&state=s1`);
    expect(await db(USERS).count()).toBe(users);
  });

  it.each([
    [{ kind: 'oauth-error', status: 400, error: 'invalid_grant' } as const, 'tiktok_code_invalid'],
    [{ kind: 'oauth-error', status: 401, error: 'invalid_client' } as const, 'tiktok_unavailable'],
    [{ kind: 'status', status: 500, code: 'internal_error' } as const, 'tiktok_unavailable'],
  ])('sends a failed exchange back as error=<code> (%j), creating nothing', async (fault, code) => {
    const start = await authorize({ app_redirect: 'https://web.example/auth/tiktok' });
    const back = tiktok.approveWebLogin(start.headers.location, tiktok.addAccount());
    tiktok.failNextToken(fault);
    const before = { users: await db(USERS).count(), codes: await db(CODES).count() };

    const res = await followToCallback(back);

    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(`https://web.example/auth/tiktok?error=${code}`);
    expect({ users: await db(USERS).count(), codes: await db(CODES).count() }).toEqual(before);
  });
});

describe('POST /connect { login_code }', () => {
  const loginCodeFor = async (account: FakeAccount) =>
    query((await browserLogin(account)).headers.location).get('login_code') as string;

  it.each([
    ['unknown', 'A'.repeat(43)],
    ['made up of the right characters', 'Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg'],
  ])('answers 400 login_code_invalid to an %s code', async (_label, loginCode) => {
    const res = await connect({ login_code: loginCode });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ data: null, error: { status: 400, details: { code: 'login_code_invalid' } } });
  });

  it('answers 400 login_code_invalid to an expired code', async () => {
    const loginCode = await loginCodeFor(tiktok.addAccount());
    await db(CODES).updateMany({ where: { codeHash: sha256(loginCode) }, data: { expiresAt: new Date(Date.now() - 1) } });

    const res = await connect({ login_code: loginCode });

    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('login_code_invalid');
  });

  it('refuses a code whose user was blocked meanwhile, and one whose user was deleted', async () => {
    const blockedCode = await loginCodeFor(tiktok.addAccount());
    const deletedCode = await loginCodeFor(tiktok.addAccount());
    const userOf = async (loginCode: string) => (await db(CODES).findOne({ where: { codeHash: sha256(loginCode) } })).userId;
    await db(USERS).updateMany({ where: { id: await userOf(blockedCode) }, data: { blocked: true } });
    await db(USERS).delete({ where: { id: await userOf(deletedCode) } });

    const blocked = await connect({ login_code: blockedCode });
    const deleted = await connect({ login_code: deletedCode });

    expect(blocked.status).toBe(403);
    expect(blocked.body.error.details.code).toBe('user_blocked');
    expect(deleted.status).toBe(400);
    expect(deleted.body.error.details.code).toBe('login_code_invalid');
  });

  it('redeems a code once: a redemption that loses the race to another one (in any process) gets no JWT', async () => {
    const loginCode = await loginCodeFor(tiktok.addAccount());

    const res = await whileAnotherCallbackSpends(CODES, { codeHash: sha256(loginCode) }, () => connect({ login_code: loginCode }));

    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('login_code_invalid');
    expect(res.body.jwt).toBeUndefined();
  });
});
