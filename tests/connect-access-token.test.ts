import { randomUUID } from 'node:crypto';

import type { FakeTikTok } from './support/fake-tiktok';
import { createUpUser, setAdvancedSettings, startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const USER_UID = 'plugin::users-permissions.user';
const IDENTITY_UID = 'plugin::tiktok-auth-mobile.identity';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => ({ tiktok, app } = await startWithFakeTikTok()));
afterAll(() => stopAll({ app, tiktok }));

beforeEach(() => tiktok.resetCounters());

const connect = (body: unknown) =>
  app.request().post('/api/tiktok-auth-mobile/connect').send(body as object);
const users = () => app.strapi.db.query(USER_UID);
const identities = () => app.strapi.db.query(IDENTITY_UID);
const countUsersFor = (unionId: string) =>
  users().count({ where: { email: `${unionId}@tiktok.com` } });

const loginAs = async (overrides: Parameters<FakeTikTok['addAccount']>[0] = {}) => {
  const account = tiktok.addAccount(overrides);
  const res = await connect({ access_token: tiktok.issueAccessToken(account) });
  return { account, res };
};

describe('first login', () => {
  it('creates a users-permissions user and answers like /api/auth/local', async () => {
    const { account, res } = await loginAs({ displayName: 'Jane Doe' });

    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['jwt', 'profile', 'user']);
    expect(res.body.profile).toEqual({
      union_id: account.unionId,
      open_id: account.openIds['aw-default-client'],
      display_name: 'Jane Doe',
      avatar_url: account.avatarUrl,
    });
    expect(res.body.user).toMatchObject({
      username: 'Jane Doe',
      email: `${account.unionId}@tiktok.com`,
      provider: 'tiktok',
      confirmed: true,
      blocked: false,
    });
    for (const secret of ['password', 'resetPasswordToken', 'confirmationToken']) {
      expect(res.body.user).not.toHaveProperty(secret);
    }
    expect(tiktok.counters.userInfo).toBe(1);

    const stored = await users().findOne({ where: { id: res.body.user.id }, populate: ['role'] });
    expect(stored).toMatchObject({
      email: `${account.unionId}@tiktok.com`,
      provider: 'tiktok',
      confirmed: true,
      blocked: false,
    });
    expect(stored.role.type).toBe('authenticated');
  });

  it('issues a JWT that works on GET /api/users/me', async () => {
    const { res } = await loginAs();

    const me = await app.request().get('/api/users/me').set('Authorization', `Bearer ${res.body.jwt}`);

    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);
    expect(me.body.provider).toBe('tiktok');
  });

  it('lower-cases the pseudo-email', async () => {
    const unionId = 'C9C60F44-A68E-4F5D-84DD-CE22FAEB0BA1';
    const { res } = await loginAs({ unionId });

    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(`${unionId.toLowerCase()}@tiktok.com`);
  });

  it("gives the user users-permissions' configured default role", async () => {
    const role = await app.strapi.db
      .query('plugin::users-permissions.role')
      .create({ data: { name: 'TikTok fans', type: 'tiktok-fans', description: 'test role' } });
    await setAdvancedSettings(app.strapi, { default_role: 'tiktok-fans' });
    try {
      const { res } = await loginAs();

      expect(res.status).toBe(200);
      const stored = await users().findOne({ where: { id: res.body.user.id }, populate: ['role'] });
      expect(stored.role.id).toBe(role.id);
    } finally {
      await setAdvancedSettings(app.strapi, { default_role: 'authenticated' });
    }
  });

  it('stores a TikTok identity linked to the user', async () => {
    const { account, res } = await loginAs({ displayName: 'Linked', avatarUrl: 'https://cdn.example/a.jpg' });

    const identity = await identities().findOne({ where: { unionId: account.unionId }, populate: ['user'] });
    expect(identity).toMatchObject({
      unionId: account.unionId,
      displayName: 'Linked',
      avatarUrl: 'https://cdn.example/a.jpg',
    });
    expect(identity.user.id).toBe(res.body.user.id);
    expect(identity.firstLoginAt).toBeTruthy();
  });
});

describe('returning login', () => {
  it('maps the same union_id to the same user, whatever token is used', async () => {
    const account = tiktok.addAccount();
    const first = await connect({ access_token: tiktok.issueAccessToken(account) });
    const second = await connect({ access_token: tiktok.issueAccessToken(account) });
    const otherApp = await connect({ access_token: tiktok.issueAccessToken(account, { clientKey: 'aw-android' }) });

    expect([first.status, second.status, otherApp.status]).toEqual([200, 200, 200]);
    expect(second.body.user.id).toBe(first.body.user.id);
    expect(otherApp.body.user.id).toBe(first.body.user.id);
    expect(await countUsersFor(account.unionId)).toBe(1);
    expect(await identities().count({ where: { unionId: account.unionId } })).toBe(1);
    expect(tiktok.counters.userInfo).toBe(3);
  });

  it('tells apart union_ids that differ only in case: another account, another user', async () => {
    const unionId = `case-${randomUUID()}`;
    const { res: first } = await loginAs({ unionId });
    const { res: second } = await loginAs({ unionId: unionId.toUpperCase() });

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.user.id).not.toBe(first.body.user.id);
    expect(await identities().count({ where: { unionId } })).toBe(1);
    expect(await identities().count({ where: { unionId: unionId.toUpperCase() } })).toBe(1);
  });

  it('refreshes the stored profile fields but not the username', async () => {
    const account = tiktok.addAccount({ displayName: 'Before' });
    const first = await connect({ access_token: tiktok.issueAccessToken(account) });
    account.displayName = 'After';
    account.avatarUrl = 'https://cdn.example/new.jpg';

    const second = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(second.status).toBe(200);
    expect(second.body.user.username).toBe(first.body.user.username);
    const identity = await identities().findOne({ where: { unionId: account.unionId } });
    expect(identity).toMatchObject({ displayName: 'After', avatarUrl: 'https://cdn.example/new.jpg' });
  });

  it('writes nothing for a returning login with an unchanged profile less than a minute after the last write', async () => {
    const account = tiktok.addAccount();
    await connect({ access_token: tiktok.issueAccessToken(account) });
    const before = await identities().findOne({ where: { unionId: account.unionId } });

    const again = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(again.status).toBe(200);
    expect(await identities().findOne({ where: { unionId: account.unionId } })).toEqual(before);
  });

  it('moves lastLoginAt on once the last write is over a minute old', async () => {
    const account = tiktok.addAccount();
    await connect({ access_token: tiktok.issueAccessToken(account) });
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await identities().updateMany({ where: { unionId: account.unionId }, data: { lastLoginAt: twoMinutesAgo } });

    const startedAt = Date.now();
    const again = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(again.status).toBe(200);
    const identity = await identities().findOne({ where: { unionId: account.unionId } });
    expect(new Date(identity.lastLoginAt).getTime()).toBeGreaterThanOrEqual(startedAt - 5);
  });

  it('finds a user created by the original plugin instead of duplicating it, and links it', async () => {
    const account = tiktok.addAccount();
    const legacy = await createUpUser(app.strapi, {
      username: 'legacy-user',
      email: `${account.unionId}@tiktok.com`,
      provider: 'tiktok',
    });

    const res = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(legacy.id);
    expect(res.body.user.username).toBe('legacy-user');
    // The same fields as /api/auth/local answers: no populated role.
    expect(res.body.user).not.toHaveProperty('role');
    expect(await countUsersFor(account.unionId)).toBe(1);
    const identity = await identities().findOne({ where: { unionId: account.unionId }, populate: ['user'] });
    expect(identity.user.id).toBe(legacy.id);
  });

  it("does not link a user of the original plugin's shape that another TikTok account already logs in as", async () => {
    const owner = tiktok.addAccount();
    const ownerLogin = await connect({ access_token: tiktok.issueAccessToken(owner) });
    const account = tiktok.addAccount();
    // Someone with rights on users gives the owner's user the address the account's legacy user would have.
    await app.strapi.db
      .query(USER_UID)
      .updateMany({ where: { id: ownerLogin.body.user.id }, data: { email: `${account.unionId}@tiktok.com` } });

    const res = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(res.status).toBe(200);
    expect(res.body.user.id).not.toBe(ownerLogin.body.user.id);
    const again = await connect({ access_token: tiktok.issueAccessToken(owner) });
    expect(again.body.user.id).toBe(ownerLogin.body.user.id);
  });

  it('does not take over a local account that happens to use the same address', async () => {
    const account = tiktok.addAccount();
    const local = await createUpUser(app.strapi, {
      username: 'local-owner',
      email: `${account.unionId}@tiktok.com`,
      provider: 'local',
    });

    const res = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(res.status).toBe(200);
    expect(res.body.user.id).not.toBe(local.id);
    expect(res.body.user.provider).toBe('tiktok');
  });
});

describe('a linked user that was deleted', () => {
  afterEach(() => setAdvancedSettings(app.strapi, { allow_register: true }));

  it('gets a fresh user on the next login, linked to the same identity', async () => {
    const account = tiktok.addAccount();
    const first = await connect({ access_token: tiktok.issueAccessToken(account) });
    await users().delete({ where: { id: first.body.user.id } });

    const again = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(again.status).toBe(200);
    expect(again.body.user.id).not.toBe(first.body.user.id);
    const identity = await identities().findOne({ where: { unionId: account.unionId }, populate: ['user'] });
    expect(identity.user.id).toBe(again.body.user.id);
    expect(await identities().count({ where: { unionId: account.unionId } })).toBe(1);
  });

  it('answers registration_disabled when registration is off, and leaves an identity without its user (deleted with SQL) alone', async () => {
    const account = tiktok.addAccount();
    const first = await connect({ access_token: tiktok.issueAccessToken(account) });
    await app.strapi.db.connection('up_users').where({ id: first.body.user.id }).delete();
    await setAdvancedSettings(app.strapi, { allow_register: false });

    const again = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(again.status).toBe(400);
    expect(again.body.error.details.code).toBe('registration_disabled');
    expect(await countUsersFor(account.unionId)).toBe(0);
    const identity = await identities().findOne({ where: { unionId: account.unionId }, populate: ['user'] });
    expect(identity.user).toBeNull();
  });
});

describe('registration and blocked users', () => {
  afterEach(() => setAdvancedSettings(app.strapi, { allow_register: true }));

  it('refuses to create a user when users-permissions registration is disabled', async () => {
    await setAdvancedSettings(app.strapi, { allow_register: false });
    const before = await users().count();

    const { account, res } = await loginAs();

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ data: null, error: { status: 400, details: { code: 'registration_disabled' } } });
    expect(await users().count()).toBe(before);
    expect(await identities().count({ where: { unionId: account.unionId } })).toBe(0);
  });

  it('still logs in existing users when registration is disabled', async () => {
    const account = tiktok.addAccount();
    const first = await connect({ access_token: tiktok.issueAccessToken(account) });
    await setAdvancedSettings(app.strapi, { allow_register: false });

    const again = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(again.status).toBe(200);
    expect(again.body.user.id).toBe(first.body.user.id);
  });

  it('answers 403 user_blocked for a blocked user and changes nothing', async () => {
    const account = tiktok.addAccount({ displayName: 'Blocked Before' });
    const first = await connect({ access_token: tiktok.issueAccessToken(account) });
    await users().update({ where: { id: first.body.user.id }, data: { blocked: true } });
    const userBefore = await users().findOne({ where: { id: first.body.user.id } });
    account.displayName = 'Blocked After';

    const res = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ data: null, error: { status: 403, details: { code: 'user_blocked' } } });
    expect(res.body).not.toHaveProperty('jwt');
    expect(await users().findOne({ where: { id: first.body.user.id } })).toEqual(userBefore);
    const identity = await identities().findOne({ where: { unionId: account.unionId } });
    expect(identity.displayName).toBe('Blocked Before');
  });

  it('answers 403 for a blocked user of the original plugin without linking it', async () => {
    const account = tiktok.addAccount();
    await createUpUser(app.strapi, {
      username: 'blocked-legacy',
      email: `${account.unionId}@tiktok.com`,
      provider: 'tiktok',
      blocked: true,
    });

    const res = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(res.status).toBe(403);
    expect(res.body.error.details.code).toBe('user_blocked');
    expect(await identities().count({ where: { unionId: account.unionId } })).toBe(0);
  });
});

describe('users-permissions roles', () => {
  afterEach(() => setAdvancedSettings(app.strapi, { default_role: 'authenticated', allow_register: true }));

  it('answers 403 user_role_missing for a user whose role was removed, and logs it', async () => {
    const { account, res } = await loginAs();
    await users().update({ where: { id: res.body.user.id }, data: { role: null } });
    const logsBefore = app.logs.length;

    const again = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ data: null, error: { status: 403, details: { code: 'user_role_missing' } } });
    expect(app.logs.slice(logsBefore).join('\n')).toMatch(new RegExp(`error: .*user ${res.body.user.id} has no users-permissions role`));
  });

  it('answers 503 registration_unavailable when the default role no longer exists, creating nothing', async () => {
    await setAdvancedSettings(app.strapi, { default_role: 'deleted-role' });
    const before = await users().count();
    const logsBefore = app.logs.length;

    const { account, res } = await loginAs();

    expect(res.status).toBe(503);
    expect(res.body.error.details.code).toBe('registration_unavailable');
    expect(await users().count()).toBe(before);
    expect(await identities().count({ where: { unionId: account.unionId } })).toBe(0);
    expect(app.logs.slice(logsBefore).join('\n')).toMatch(/error: .*default role "deleted-role" does not exist/);
  });

  it('still logs existing users in when the default role no longer exists', async () => {
    const account = tiktok.addAccount();
    const first = await connect({ access_token: tiktok.issueAccessToken(account) });
    await setAdvancedSettings(app.strapi, { default_role: 'deleted-role' });

    const again = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(again.status).toBe(200);
    expect(again.body.user.id).toBe(first.body.user.id);
  });
});

describe('usernames', () => {
  it.each([
    ['an empty display name', ''],
    ['only whitespace and control characters', ' \u0000\u0007\n\t\u200b '],
    ['a one-character name', 'J'],
    ['emoji', '🦄✨'],
    ['right-to-left text', 'مرحبا'],
    ['a very long name', 'x'.repeat(5000)],
    ['a lone surrogate', '\ud800abc'],
  ])('makes a valid username from %s', async (_label, displayName) => {
    const { res } = await loginAs({ displayName });

    expect(res.status).toBe(200);
    const { username } = res.body.user;
    expect(typeof username).toBe('string');
    expect(username.length).toBeGreaterThanOrEqual(3);
    expect(username.length).toBeLessThanOrEqual(60);
    expect(username).not.toMatch(/[\u0000-\u001f\u200b]/);
  });

  it('keeps readable names as they are', async () => {
    const { res } = await loginAs({ displayName: '  Zoë   Ångström 🎸 ' });

    expect(res.body.user.username).toBe('Zoë Ångström 🎸');
  });

  it('makes taken usernames unique', async () => {
    const first = await loginAs({ displayName: 'Same Name' });
    const second = await loginAs({ displayName: 'Same Name' });

    expect([first.res.status, second.res.status]).toEqual([200, 200]);
    expect(first.res.body.user.username).toBe('Same Name');
    expect(second.res.body.user.username).not.toBe('Same Name');
    expect(second.res.body.user.username.startsWith('Same Name')).toBe(true);
    expect(second.res.body.user.id).not.toBe(first.res.body.user.id);
  });
});

describe('TikTok ids and avatars', () => {
  it('keeps union_id and open_id up to 128 characters', async () => {
    const unionId = 'u'.repeat(128);
    const { res } = await loginAs({ unionId, openIds: { 'aw-default-client': 'o'.repeat(128) } });

    expect(res.status).toBe(200);
    expect(res.body.profile).toMatchObject({ union_id: unionId, open_id: 'o'.repeat(128) });
    expect(res.body.user.email).toBe(`${unionId}@tiktok.com`);
  });

  it.each([
    ['an http URL', 'http://p16-sign.tiktokcdn.example/a.jpeg'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a data: URL', 'data:image/png;base64,AAAA'],
    ['a relative path', '/avatar.jpeg'],
    ['an https URL holding a line break', 'https://cdn.example/a.jpeg\nSet-Cookie: x'],
    ['an https URL over 2048 characters', `https://cdn.example/${'a'.repeat(2048)}`],
  ])('answers and stores %s as a null avatar', async (_label, avatarUrl) => {
    const { account, res } = await loginAs({ avatarUrl });

    expect(res.status).toBe(200);
    expect(res.body.profile.avatar_url).toBeNull();
    const identity = await identities().findOne({ where: { unionId: account.unionId } });
    expect(identity.avatarUrl).toBeNull();
  });

  it('replaces a stored avatar with null when TikTok later sends one that is not https', async () => {
    const { account } = await loginAs({ avatarUrl: 'https://cdn.example/first.jpeg' });
    account.avatarUrl = 'http://cdn.example/second.jpeg';

    const res = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(res.body.profile.avatar_url).toBeNull();
    expect((await identities().findOne({ where: { unionId: account.unionId } })).avatarUrl).toBeNull();
  });
});

describe('tokens TikTok rejects', () => {
  it('answers 400 tiktok_token_invalid for an unknown or revoked token and creates nothing', async () => {
    const account = tiktok.addAccount();
    const token = tiktok.issueAccessToken(account);
    tiktok.revoke(token);
    const before = await users().count();

    const res = await connect({ access_token: token });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      data: null,
      error: { status: 400, details: { code: 'tiktok_token_invalid' } },
    });
    expect(tiktok.counters.userInfo).toBe(1);
    expect(await users().count()).toBe(before);
    expect(app.logs.join('\n')).toContain(tiktok.errorLogIds[0]);
    expect(app.logs.join('\n')).not.toContain(token);
  });

  it('sends the token as a bearer header and the fields with literal commas', async () => {
    // The fake answers invalid_params to an encoded comma; a 200 proves the request shape.
    const { res } = await loginAs();
    expect(res.status).toBe(200);
    expect(tiktok.errorLogIds).toEqual([]);
  });
});

it('answers 400 unknown_client to a code login when no TikTok client is configured', async () => {
  const res = await connect({ code: 'some-code', code_verifier: 'a'.repeat(43) });

  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ data: null, error: { status: 400, details: { code: 'unknown_client' } } });
  expect(res.body.error.message).toMatch(/no TikTok client is configured/i);
  expect(tiktok.counters.token).toBe(0);
});

it('has the browser login off by default: no app redirect is allowed', async () => {
  const res = await app.request().get('/api/tiktok-auth-mobile/authorize').query({ app_redirect: 'myapp://auth' });

  expect(res.status).toBe(400);
  expect(res.body.error.details.code).toBe('app_redirect_not_allowed');
  expect(await app.strapi.db.query('plugin::tiktok-auth-mobile.pending-login').count()).toBe(0);
});
