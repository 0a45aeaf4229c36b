/**
 * A user's own TikTok link: GET /me, POST /link (verified with TikTok exactly as /connect), DELETE /me,
 * governed by users-permissions' route permissions; and what deleting a user takes with it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { signWebhook, type FakeAccount, type FakeTikTok } from './support/fake-tiktok';
import { realUnixSeconds, webhookBody } from './support/fake-tiktok-webhooks';
import { registerSuperAdmin } from './support/admin';
import { startStrapi, startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';
import type { TestDatabase } from './support/database';
import { createTestDatabase } from './support/database';

const IOS = { clientKey: 'aw-links-ios', clientSecret: 'links-ios-secret-5e2b', redirectUri: 'https://app.example/tiktok/ios' };
const IDENTITY_UID = 'plugin::tiktok-auth-mobile.identity';
const AUTHORIZATION_UID = 'plugin::tiktok-auth-mobile.authorization';
const USER_UID = 'plugin::users-permissions.user';

let tiktok: FakeTikTok;
let app: TestApp;
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ tiktok, app } = await startWithFakeTikTok({ TIKTOK_STORE_TOKENS: 'true', ...database.env }, [IOS]));
});
afterAll(async () => {
  await stopAll({ app, tiktok });
  await database.drop();
});
beforeEach(() => tiktok.resetCounters());

let superAdmin: Promise<string> | undefined;
/** The super admin's token, registered once. */
const adminToken = () => (superAdmin ??= registerSuperAdmin(app));

const identities = () => app.strapi.db.query(IDENTITY_UID);
const authorizations = () => app.strapi.db.query(AUTHORIZATION_UID);
const snapshot = async () => ({
  identities: await identities().findMany({ orderBy: { id: 'asc' }, populate: { user: { select: ['id'] } } }),
  authorizations: await authorizations().findMany({ orderBy: { id: 'asc' } }),
  users: await app.strapi.db.query(USER_UID).count(),
});

/** What TikTok's SDK hands the app for this account: the body of /connect and /link. */
const codeBody = (account: FakeAccount) => {
  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: IOS.clientKey });
  return { code, code_verifier: codeVerifier, client_key: IOS.clientKey };
};

let emailUsers = 0;
/** A user who signed up with email and password. */
async function emailUser() {
  emailUsers += 1;
  const res = await app
    .request()
    .post('/api/auth/local/register')
    .send({ username: `email-user-${emailUsers}`, email: `email-user-${emailUsers}@example.com`, password: 'Passw0rd-Example' });
  expect(res.status).toBe(200);
  return { id: res.body.user.id as number, jwt: res.body.jwt as string };
}

/** A user who signed up with TikTok: the /connect answer. */
async function tiktokUser(account = tiktok.addAccount()) {
  const res = await app.request().post('/api/tiktok-auth-mobile/connect').send(codeBody(account));
  expect(res.status).toBe(200);
  return { id: res.body.user.id as number, jwt: res.body.jwt as string, account };
}

const as = (jwt: string) => ({
  me: () => app.request().get('/api/tiktok-auth-mobile/me').set('Authorization', `Bearer ${jwt}`),
  link: (body: object) => app.request().post('/api/tiktok-auth-mobile/link').set('Authorization', `Bearer ${jwt}`).send(body),
  unlink: (query = '') => app.request().delete(`/api/tiktok-auth-mobile/me${query}`).set('Authorization', `Bearer ${jwt}`),
});

describe('linking', () => {
  it('links TikTok to an email user, who then logs in with TikTok as themselves', async () => {
    const user = await emailUser();
    const account = tiktok.addAccount({ displayName: 'Linked Later' });

    const linked = await as(user.jwt).link(codeBody(account));

    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({
      union_id: account.unionId,
      display_name: 'Linked Later',
      avatar_url: account.avatarUrl,
      scopes: ['user.info.basic'],
      last_login_at: null,
      clients: [{ client_key: IOS.clientKey, tokens_stored: true, access_token_expires_at: expect.any(String), refresh_token_expires_at: expect.any(String) }],
    });
    expect(new Date(linked.body.linked_at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.stringify(linked.body)).not.toMatch(/act\.|rft\./);
    expect(tiktok.counters).toMatchObject({ token: 1, userInfo: 1 });

    const login = await app.request().post('/api/tiktok-auth-mobile/connect').send(codeBody(account));
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(user.id);
    expect(login.body.user.email).toBe(`email-user-${emailUsers}@example.com`);

    const me = await as(user.jwt).me();
    expect(me.status).toBe(200);
    expect(me.body.union_id).toBe(account.unionId);
    expect(me.body.last_login_at).toEqual(expect.any(String));
  });

  it('answers 200 and duplicates nothing when the account is already linked to the caller', async () => {
    const user = await tiktokUser();
    const before = await snapshot();

    const again = await as(user.jwt).link(codeBody(user.account));

    expect(again.status).toBe(200);
    expect(again.body.union_id).toBe(user.account.unionId);
    const after = await snapshot();
    expect(after.identities.map((row) => row.id)).toEqual(before.identities.map((row) => row.id));
    expect(after.authorizations).toHaveLength(before.authorizations.length);
    expect(after.users).toBe(before.users);
  });

  it('refuses a TikTok account linked to another user with 409 identity_already_linked, changing nothing and naming no one', async () => {
    const owner = await tiktokUser();
    const other = await emailUser();
    const before = await snapshot();

    const res = await as(other.jwt).link(codeBody(owner.account));

    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual({ code: 'identity_already_linked' });
    expect(JSON.stringify(res.body)).not.toContain(String(owner.id));
    expect(JSON.stringify(res.body)).not.toContain(owner.account.unionId);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a second TikTok account with 409 user_already_linked, changing nothing', async () => {
    const user = await tiktokUser();
    const second = tiktok.addAccount();
    const before = await snapshot();

    const res = await as(user.jwt).link(codeBody(second));

    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual({ code: 'user_already_linked' });
    expect(await snapshot()).toEqual(before);
    expect(await identities().count({ where: { unionId: second.unionId } })).toBe(0);
  });

  it('verifies like /connect: a bad code is refused and a login code cannot link', async () => {
    const user = await emailUser();
    const before = await snapshot();

    const bad = await as(user.jwt).link({ code: 'not-a-code', code_verifier: 'x'.repeat(43), client_key: IOS.clientKey });
    const loginCode = await as(user.jwt).link({ login_code: 'a'.repeat(43) });
    const empty = await as(user.jwt).link({});

    expect(bad.status).toBe(400);
    expect(bad.body.error.details.code).toBe('tiktok_code_invalid');
    expect(loginCode.status).toBe(400);
    expect(loginCode.body.error.details.code).toBe('invalid_request');
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.code).toBe('invalid_request');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an access token while access tokens are off, without asking TikTok: another app\'s token cannot link', async () => {
    // user/info cannot tell which app a token was minted for; only the code flow binds a link to this app.
    const user = await emailUser();
    const victim = tiktok.addAccount();
    const before = await snapshot();
    const userInfoCalls = tiktok.counters.userInfo;
    const config = 'plugin::tiktok-auth-mobile.allowAccessToken';
    app.strapi.config.set(config, false);
    let res;
    try {
      res = await as(user.jwt).link({ access_token: tiktok.issueAccessToken(victim) });
    } finally {
      app.strapi.config.set(config, true);
    }

    expect(res.status).toBe(400);
    expect(res.body.error.details.code).toBe('access_token_disabled');
    expect(tiktok.counters.userInfo).toBe(userInfoCalls);
    expect(await snapshot()).toEqual(before);
    // The victim's own first login still creates their own user.
    const login = await app.request().post('/api/tiktok-auth-mobile/connect').send(codeBody(victim));
    expect(login.status).toBe(200);
    expect(login.body.user.id).not.toBe(user.id);
  });

  it('refuses a user blocked while TikTok was being asked with 403 user_blocked, linking nothing', async () => {
    const user = await emailUser();
    const account = tiktok.addAccount();
    tiktok.failNext({ kind: 'delay', ms: 300 });

    const pending = as(user.jwt).link({ access_token: tiktok.issueAccessToken(account) }).then((res) => res);
    while (tiktok.counters.userInfo === 0) await new Promise((resolve) => setImmediate(resolve));
    await app.strapi.db.query(USER_UID).updateMany({ where: { id: user.id }, data: { blocked: true } });
    const res = await pending;

    expect(res.status).toBe(403);
    expect(res.body.error.details).toEqual({ code: 'user_blocked' });
    expect(await identities().count({ where: { unionId: account.unionId } })).toBe(0);
    // users-permissions itself turns a blocked user away before the plugin runs.
    expect((await as(user.jwt).unlink()).status).toBe(401);
  });
});

describe('GET /me', () => {
  it('answers 404 identity_not_found for a user without TikTok', async () => {
    const user = await emailUser();
    const res = await as(user.jwt).me();

    expect(res.status).toBe(404);
    expect(res.body.error.details).toEqual({ code: 'identity_not_found' });
  });
});

describe('unlinking', () => {
  it('revokes and deletes the stored tokens, removes the link and keeps the user', async () => {
    const user = await emailUser();
    const account = tiktok.addAccount();
    expect((await as(user.jwt).link(codeBody(account))).status).toBe(200);
    tiktok.resetCounters();

    const res = await as(user.jwt).unlink();

    expect(res.status).toBe(204);
    expect(tiktok.revocations).toEqual([expect.objectContaining({ clientKey: IOS.clientKey, result: 'revoked' })]);
    expect(await identities().count({ where: { unionId: account.unionId } })).toBe(0);
    expect(await authorizations().count({ where: { unionId: account.unionId } })).toBe(0);
    expect(await app.strapi.db.query(USER_UID).count({ where: { id: user.id } })).toBe(1);
    expect((await as(user.jwt).me()).status).toBe(404);
    expect((await as(user.jwt).unlink()).body.error.details).toEqual({ code: 'identity_not_found' });

    // The TikTok account is free again: its next login makes a user of its own.
    const login = await app.request().post('/api/tiktok-auth-mobile/connect').send(codeBody(account));
    expect(login.status).toBe(200);
    expect(login.body.user.id).not.toBe(user.id);
  });

  it('unlinks without stored tokens, without calling TikTok', async () => {
    const user = await emailUser();
    const account = tiktok.addAccount();
    expect((await as(user.jwt).link({ access_token: tiktok.issueAccessToken(account) })).status).toBe(200);

    expect((await as(user.jwt).unlink()).status).toBe(204);
    expect(tiktok.revocations).toEqual([]);
    expect(await identities().count({ where: { unionId: account.unionId } })).toBe(0);
  });

  it('asks a TikTok-only user to confirm with 409 last_login_method, then unlinks with ?confirm=true', async () => {
    const user = await tiktokUser();
    const before = await snapshot();

    const refused = await as(user.jwt).unlink();
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual({ code: 'last_login_method' });
    expect(await snapshot()).toEqual(before);
    expect(tiktok.revocations).toEqual([]);

    const confirmed = await as(user.jwt).unlink('?confirm=true');
    expect(confirmed.status).toBe(204);
    expect(tiktok.revocations).toHaveLength(1);
    expect(await identities().count({ where: { unionId: user.account.unionId } })).toBe(0);

    // With linkLegacyUsers on (the default), the next TikTok login finds the same user by its pseudo-email.
    const back = await app.request().post('/api/tiktok-auth-mobile/connect').send(codeBody(user.account));
    expect(back.status).toBe(200);
    expect(back.body.user.id).toBe(user.id);
  });
});

describe('route permissions', () => {
  it('turns anonymous callers away', async () => {
    // users-permissions' Public role has no right to them.
    expect((await app.request().get('/api/tiktok-auth-mobile/me')).status).toBe(403);
    expect((await app.request().post('/api/tiktok-auth-mobile/link').send({ access_token: 'x' })).status).toBe(403);
    expect((await app.request().delete('/api/tiktok-auth-mobile/me')).status).toBe(403);
    expect(tiktok.counters.userInfo).toBe(0);
  });

  it('answers 403 to a role without the permission', async () => {
    const role = await app.strapi.db
      .query('plugin::users-permissions.role')
      .create({ data: { name: 'No TikTok', description: 'test', type: 'no-tiktok' } });
    const user = await tiktokUser();
    await app.strapi.db.query(USER_UID).update({ where: { id: user.id }, data: { role: role.id } });

    expect((await as(user.jwt).me()).status).toBe(403);
    expect((await as(user.jwt).unlink('?confirm=true')).status).toBe(403);
    expect((await as(user.jwt).link(codeBody(tiktok.addAccount()))).status).toBe(403);
    expect(await identities().count({ where: { unionId: user.account.unionId } })).toBe(1);
  });
});

describe('deleting a user', () => {
  it('through the admin API takes the identity and stored tokens with it, and revokes them at TikTok', async () => {
    const user = await tiktokUser();
    const token = await adminToken();
    const documentId = (await app.strapi.db.query(USER_UID).findOne({ where: { id: user.id } })).documentId;

    const res = await app
      .request()
      .delete(`/content-manager/collection-types/${USER_UID}/${documentId}`)
      .set('Authorization', `Bearer ${token}`);

    expect(res.status).toBe(200);
    expect(await app.strapi.db.query(USER_UID).count({ where: { id: user.id } })).toBe(0);
    expect(await identities().count({ where: { unionId: user.account.unionId } })).toBe(0);
    expect(await authorizations().count({ where: { unionId: user.account.unionId } })).toBe(0);
    // The revoke runs once the delete is committed.
    while (tiktok.revocations.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(tiktok.revocations).toEqual([expect.objectContaining({ clientKey: IOS.clientKey, result: 'revoked' })]);
  });

  it('from code (the query engine) too, for several users at once', async () => {
    const first = await tiktokUser();
    const second = await tiktokUser();

    await app.strapi.db.query(USER_UID).deleteMany({ where: { id: { $in: [first.id, second.id] } } });

    expect(await identities().count({ where: { unionId: { $in: [first.account.unionId, second.account.unionId] } } })).toBe(0);
    expect(await authorizations().count({ where: { unionId: { $in: [first.account.unionId, second.account.unionId] } } })).toBe(0);
    while (tiktok.revocations.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(tiktok.revocations.map((revocation) => revocation.result)).toEqual(['revoked', 'revoked']);
  });
});

describe('events', () => {
  const EVENT_NAMES = ['user.created', 'login', 'linked', 'unlinked', 'authorization.removed'].map((name) => `tiktok-auth-mobile.${name}`);

  /** Every plugin event emitted while `run` runs, in order, as a host app's bootstrap would subscribe. */
  async function captureEvents(run: () => Promise<void>) {
    const seen: Array<{ name: string; payload: unknown }> = [];
    const listeners = EVENT_NAMES.map((name) => {
      const listener = async (payload: unknown) => {
        seen.push({ name, payload });
      };
      app.strapi.eventHub.on(name, listener);
      return () => app.strapi.eventHub.off(name, listener);
    });
    try {
      await run();
    } finally {
      for (const off of listeners) off();
    }
    return seen;
  }

  const signedRemoval = (account: FakeAccount) => {
    const rawBody = webhookBody({ clientKey: IOS.clientKey, event: 'authorization.removed', userOpenId: account.openIds[IOS.clientKey], content: { reason: 1 } });
    const t = realUnixSeconds();
    return app
      .request()
      .post('/api/tiktok-auth-mobile/webhook')
      .set('Content-Type', 'application/json')
      .set('TikTok-Signature', `t=${t},s=${signWebhook(rawBody, IOS.clientSecret, t)}`)
      .send(rawBody);
  };

  it('announces each step once, with the user, union_id, client key and flow, never a token', async () => {
    const account = tiktok.addAccount();
    const linkedAccount = tiktok.addAccount();
    let created = { id: 0, jwt: '' };
    let emailOnly = { id: 0, jwt: '' };

    const seen = await captureEvents(async () => {
      created = await tiktokUser(account);
      await app.request().post('/api/tiktok-auth-mobile/connect').send({ access_token: tiktok.issueAccessToken(account) });
      emailOnly = await emailUser();
      expect((await as(emailOnly.jwt).link(codeBody(linkedAccount))).status).toBe(200);
      expect((await as(emailOnly.jwt).link(codeBody(linkedAccount))).status).toBe(200);
      expect((await signedRemoval(linkedAccount)).status).toBe(200);
      expect((await signedRemoval(linkedAccount)).status).toBe(200);
      expect((await as(emailOnly.jwt).unlink()).status).toBe(204);
    });

    const event = (userId: number, unionId: string, clientKey: string | null, flow: string) => ({ userId, unionId, clientKey, flow });
    expect(seen).toEqual([
      { name: 'tiktok-auth-mobile.user.created', payload: event(created.id, account.unionId, IOS.clientKey, 'code') },
      { name: 'tiktok-auth-mobile.login', payload: event(created.id, account.unionId, IOS.clientKey, 'code') },
      { name: 'tiktok-auth-mobile.login', payload: event(created.id, account.unionId, null, 'access_token') },
      { name: 'tiktok-auth-mobile.linked', payload: event(emailOnly.id, linkedAccount.unionId, IOS.clientKey, 'link') },
      { name: 'tiktok-auth-mobile.authorization.removed', payload: event(emailOnly.id, linkedAccount.unionId, IOS.clientKey, 'webhook') },
      { name: 'tiktok-auth-mobile.unlinked', payload: event(emailOnly.id, linkedAccount.unionId, null, 'unlink') },
    ]);
    expect(JSON.stringify(seen)).not.toMatch(/act\.|rft\./);
  });

  it('a failing listener is logged and does not fail the login', async () => {
    const listener = async () => {
      throw new Error('listener broke');
    };
    app.strapi.eventHub.on('tiktok-auth-mobile.login', listener);
    try {
      await tiktokUser();
    } finally {
      app.strapi.eventHub.off('tiktok-auth-mobile.login', listener);
    }
    expect(app.logs.some((line) => line.startsWith('error: [tiktok-auth-mobile] a listener of tiktok-auth-mobile.login failed: listener broke'))).toBe(true);
  });

  it('reach Strapi webhooks that subscribe to them', async () => {
    const received: unknown[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk)).on('end', () => {
        received.push(JSON.parse(body));
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const token = await adminToken();
      const hook = await app
        .request()
        .post('/admin/webhooks')
        .set('Authorization', `Bearer ${token}`)
        .send({ name: 'TikTok logins', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, headers: {}, events: ['tiktok-auth-mobile.login'] });
      expect(hook.status).toBe(201);

      const user = await tiktokUser();
      while (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));

      expect(received).toEqual([
        expect.objectContaining({ event: 'tiktok-auth-mobile.login', userId: user.id, unionId: user.account.unionId, clientKey: IOS.clientKey, flow: 'code' }),
      ]);
    } finally {
      receiver.close();
    }
  });
});

describe('login records', () => {
  it('keeps the last 20 logins of an account, newest first, with client, flow, IP and user agent', async () => {
    const account = tiktok.addAccount();
    const user = await tiktokUser(account);
    for (let i = 1; i <= 21; i += 1) {
      const res = await app
        .request()
        .post('/api/tiktok-auth-mobile/connect')
        .set('User-Agent', `TestApp/${i}`)
        .send({ access_token: tiktok.issueAccessToken(account) });
      expect(res.status).toBe(200);
    }

    const records = (await app.strapi.plugin('tiktok-auth-mobile').service('loginHistory').latestOf([account.unionId])).get(account.unionId);
    expect(records).toHaveLength(20);
    expect(records[0]).toEqual({ at: expect.any(String), clientKey: null, flow: 'access_token', ip: expect.stringMatching(/127\.0\.0\.1/), userAgent: 'TestApp/21' });
    expect(records.map((record: { userAgent: string }) => record.userAgent)).toEqual(Array.from({ length: 20 }, (_, i) => `TestApp/${21 - i}`));
    expect(await app.strapi.db.query('plugin::tiktok-auth-mobile.login-record').count({ where: { unionId: account.unionId } })).toBe(20);

    // Unlinking takes the history with it.
    expect((await as(user.jwt).unlink('?confirm=true')).status).toBe(204);
    expect(await app.strapi.db.query('plugin::tiktok-auth-mobile.login-record').count({ where: { unionId: account.unionId } })).toBe(0);
  });
});

describe('login records written in batches', () => {
  const history = () => app.strapi.plugin('tiktok-auth-mobile').service('loginHistory');
  const rowsOf = (account: FakeAccount) => app.strapi.db.connection('tiktok_login_records').where({ union_id: account.unionId });
  const logIn = (account: FakeAccount, userAgent = 'TestApp') =>
    app.request().post('/api/tiktok-auth-mobile/connect').set('User-Agent', userAgent).send({ access_token: tiktok.issueAccessToken(account) });

  it('keeps the last 20 of each account when many accounts log in at once, in rows like the query engine writes', async () => {
    const accounts = [tiktok.addAccount(), tiktok.addAccount()];
    for (const account of accounts) await tiktokUser(account);
    const answers = await Promise.all(accounts.flatMap((account) => Array.from({ length: 25 }, (_, i) => logIn(account, `Burst/${i}`))));
    expect(answers.map((res) => res.status)).toEqual(answers.map(() => 200));

    await history().flush();

    for (const account of accounts) {
      const rows = await rowsOf(account);
      expect(rows).toHaveLength(20);
      for (const row of rows) {
        expect(row).toMatchObject({ document_id: expect.stringMatching(/^[a-z0-9]{24}$/), flow: 'access_token', client_key: null });
        expect(row.created_at).not.toBeNull();
        expect(row.updated_at).not.toBeNull();
        expect(row.published_at).not.toBeNull();
      }
    }
  });

  it('writes no record of a login whose account was unlinked before its record was written', async () => {
    const account = tiktok.addAccount();
    const user = await tiktokUser(account);
    await history().flush();
    expect((await logIn(account)).status).toBe(200);

    expect((await as(user.jwt).unlink('?confirm=true')).status).toBe(204);
    await history().flush();

    expect(await rowsOf(account)).toEqual([]);
  });
});

describe('a later boot', () => {
  it('keeps the route permissions an admin took away', async () => {
    const authenticated = await app.strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
    const permissions = () => app.strapi.db.query('plugin::users-permissions.permission');
    expect(await permissions().count({ where: { role: authenticated.id, action: { $startsWith: 'plugin::tiktok-auth-mobile.me.' } } })).toBe(3);
    await permissions().deleteMany({ where: { role: authenticated.id, action: 'plugin::tiktok-auth-mobile.me.unlink' } });
    await app.destroy();

    app = await startStrapi({ TIKTOK_API_BASE_URL: tiktok.url, TIKTOK_CLIENTS: JSON.stringify([IOS]), TIKTOK_STORE_TOKENS: 'true' }, { database });

    expect(await permissions().count({ where: { role: authenticated.id, action: 'plugin::tiktok-auth-mobile.me.unlink' } })).toBe(0);
    const user = await tiktokUser();
    expect((await as(user.jwt).unlink('?confirm=true')).status).toBe(403);
  });

  it('has the record of a login answered just before Strapi stopped', async () => {
    const account = tiktok.addAccount();
    await tiktokUser(account);
    // Answered, its record still waiting: the shutdown writes it.
    await app.destroy();

    app = await startStrapi({ TIKTOK_API_BASE_URL: tiktok.url, TIKTOK_CLIENTS: JSON.stringify([IOS]), TIKTOK_STORE_TOKENS: 'true' }, { database });

    expect(await app.strapi.db.query('plugin::tiktok-auth-mobile.login-record').count({ where: { unionId: account.unionId } })).toBe(1);
  });
});
