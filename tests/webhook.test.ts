/**
 * TikTok's webhook, `POST /api/tiktok-auth-mobile/webhook`: the fake TikTok signs events and delivers
 * them over HTTP as TikTok does, or a test crafts the bytes and the header itself. `authorization.removed`
 * deletes the stored tokens of that account and client; anything whose signature does not hold changes nothing.
 */
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import { FakeTikTok, signWebhook, type FakeAccount, type WebhookDelivery } from './support/fake-tiktok';
import { realUnixSeconds, webhookBody, type WebhookEvent, type WebhookSigning } from './support/fake-tiktok-webhooks';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const IOS = { clientKey: 'aw-ios-app', clientSecret: 'ios-secret-5b1d7c0e', redirectUri: 'https://app.example/tiktok/ios' };
const ANDROID = { clientKey: 'aw-android-app', clientSecret: 'android-secret-2e9f4a61', redirectUri: 'https://app.example/tiktok/android' };
type Client = typeof IOS;

const WEBHOOK_PATH = '/api/tiktok-auth-mobile/webhook';

let tiktok: FakeTikTok;
let app: TestApp;
let origin: string;
/** Every signature sent, to check that none reaches the logs. */
const signaturesSent: string[] = [];

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok({ TIKTOK_STORE_TOKENS: 'true', TIKTOK_ALLOW_ACCESS_TOKEN: 'false' }, [IOS, ANDROID]));
  const server = app.strapi.server.httpServer;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => stopAll({ app, tiktok }));

/** An account's authorization row for one client, as the database holds it. */
const rowOf = (account: FakeAccount, client: Client = IOS) =>
  app.strapi.db.connection('tiktok_authorizations').where({ union_id: account.unionId, client_key: client.clientKey }).first();

/** A code-flow login through /connect, which records the authorization (with tokens, storeTokens being on). */
const logIn = async (account: FakeAccount, client: Client = IOS) => {
  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: client.clientKey });
  const res = await app.request().post('/api/tiktok-auth-mobile/connect').send({ code, code_verifier: codeVerifier, client_key: client.clientKey });
  expect(res.status).toBe(200);
};

const loggedIn = async (client: Client = IOS) => {
  const account = tiktok.addAccount();
  await logIn(account, client);
  const row = await rowOf(account, client);
  expect(row.access_token).not.toBeNull();
  expect(row.refresh_token).not.toBeNull();
  return account;
};

const removalOf = (account: FakeAccount, client: Client = IOS, reason: unknown = 1): WebhookEvent => ({
  clientKey: client.clientKey,
  event: 'authorization.removed',
  userOpenId: account.openIds[client.clientKey],
  content: { reason },
});

/** The fake TikTok signs the event (with the client's secret unless told otherwise) and POSTs it. */
const deliver = async (event: WebhookEvent, signing: WebhookSigning = {}, path = WEBHOOK_PATH): Promise<WebhookDelivery> => {
  const delivery = await tiktok.sendWebhook(`${origin}${path}`, { ...event, ...signing });
  if (delivery.signatureHeader) signaturesSent.push(delivery.signatureHeader);
  return delivery;
};

/** A TikTok-Signature header for these exact bytes. */
const signatureFor = (rawBody: string, secret = IOS.clientSecret, t = realUnixSeconds()) => `t=${t},s=${signWebhook(rawBody, secret, t)}`;

/** POSTs these exact bytes with this header (none when null). */
const postRaw = (rawBody: string, signature: string | null) => {
  if (signature) signaturesSent.push(signature);
  const req = app.request().post(WEBHOOK_PATH).set('Content-Type', 'application/json');
  return (signature === null ? req : req.set('TikTok-Signature', signature)).send(rawBody);
};

const expectRemoved = async (account: FakeAccount, reason: number, client: Client = IOS) => {
  const row = await rowOf(account, client);
  expect(row).toMatchObject({
    access_token: null,
    access_token_expires_at: null,
    refresh_token: null,
    refresh_token_expires_at: null,
    tokens_issued_at: null,
    refresh_lease_until: null,
    removed_by: 'tiktok',
    removed_reason: reason,
  });
  expect(Math.abs(new Date(row.removed_at).getTime() - Date.now())).toBeLessThan(10_000);
};

describe('authorization.removed, signed with the client secret', () => {
  it("deletes that client's tokens, records when and why, and answers 200 {}", async () => {
    const account = await loggedIn(IOS);
    await logIn(account, ANDROID);
    const android = await rowOf(account, ANDROID);

    const delivery = await deliver(removalOf(account, IOS, 2));

    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.body)).toEqual({});
    await expectRemoved(account, 2);
    // The same TikTok account's authorization of the other app is its own: untouched.
    expect(await rowOf(account, ANDROID)).toEqual(android);
    expect(app.logs).toContainEqual(expect.stringMatching(/^info: \[tiktok-auth-mobile\] TikTok removed .*client_key aw-ios-app \(reason 2\)/));
  });

  it('changes nothing more when the same event is delivered again', async () => {
    const account = await loggedIn();
    const event = { ...removalOf(account), createTime: realUnixSeconds() };
    expect((await deliver(event)).status).toBe(200);
    const afterFirst = await rowOf(account);

    const again = await deliver(event);

    expect(again.status).toBe(200);
    expect(await rowOf(account)).toEqual(afterFirst);
  });

  it('ignores an event older than the last login with that client, delivered late', async () => {
    const account = await loggedIn();
    // Logged in an hour ago, the authorization removed ten seconds ago, then the app authorized again.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await app.strapi.plugin('tiktok-auth-mobile').service('loginHistory').flush();
    await app.strapi.db.query('plugin::tiktok-auth-mobile.authorization').updateMany({ where: { unionId: account.unionId }, data: { authorizedAt: anHourAgo } });
    await app.strapi.db.query('plugin::tiktok-auth-mobile.login-record').updateMany({ where: { unionId: account.unionId }, data: { at: anHourAgo } });
    const event = { ...removalOf(account), createTime: realUnixSeconds() - 10 };
    expect((await deliver(event)).status).toBe(200);
    await expectRemoved(account, 1);
    await logIn(account);
    const reauthorized = await rowOf(account);
    expect(reauthorized).toMatchObject({ removed_at: null, removed_by: null, removed_reason: null });

    const retried = await deliver(event);

    expect(retried.status).toBe(200);
    expect(await rowOf(account)).toEqual(reauthorized);
  });

  it('records the removal of an authorization whose tokens were not stored', async () => {
    const config = 'plugin::tiktok-auth-mobile.storeTokens';
    app.strapi.config.set(config, false);
    const account = tiktok.addAccount();
    try {
      await logIn(account);
    } finally {
      app.strapi.config.set(config, true);
    }
    expect(await rowOf(account)).toMatchObject({ access_token: null, refresh_token: null, removed_at: null });

    expect((await deliver(removalOf(account, IOS, 4))).status).toBe(200);

    await expectRemoved(account, 4);
  });

  describe('with tokens not stored, where a returning login with nothing new writes nothing', () => {
    const config = 'plugin::tiktok-auth-mobile.storeTokens';
    beforeEach(() => app.strapi.config.set(config, false));
    afterEach(() => app.strapi.config.set(config, true));
    const authorizationsOf = (account: FakeAccount) => app.strapi.db.query('plugin::tiktok-auth-mobile.authorization').findMany({ where: { unionId: account.unionId } });

    it('ignores an event older than the last login, although that login left the authorization as it was', async () => {
      const account = tiktok.addAccount();
      await logIn(account);
      // The first login an hour ago; the authorization removed ten seconds ago; the app logged in again since.
      const anHourAgo = new Date(Date.now() - 3_600_000);
      await app.strapi.plugin('tiktok-auth-mobile').service('loginHistory').flush();
      await app.strapi.db.query('plugin::tiktok-auth-mobile.authorization').updateMany({ where: { unionId: account.unionId }, data: { authorizedAt: anHourAgo } });
      await app.strapi.db.query('plugin::tiktok-auth-mobile.login-record').updateMany({ where: { unionId: account.unionId }, data: { at: anHourAgo } });
      await logIn(account);
      const [afterLogin] = await authorizationsOf(account);
      expect(new Date(afterLogin.authorizedAt).getTime()).toBe(anHourAgo.getTime());

      expect((await deliver({ ...removalOf(account), createTime: realUnixSeconds() - 10 })).status).toBe(200);

      expect(await authorizationsOf(account)).toEqual([afterLogin]);
    });

    it('records the authorization again at the next login once TikTok removed it', async () => {
      const account = tiktok.addAccount();
      await logIn(account);
      expect((await deliver({ ...removalOf(account, IOS, 3), createTime: realUnixSeconds() + 1 })).status).toBe(200);
      expect(await rowOf(account)).toMatchObject({ removed_by: 'tiktok', removed_reason: 3 });

      await logIn(account);

      expect(await rowOf(account)).toMatchObject({ removed_at: null, removed_by: null, removed_reason: null });
    });
  });

  it.each([
    [0, 0],
    [5, 5],
    [6, 0],
    [-1, 0],
    [1.5, 0],
    ['1', 0],
    [null, 0],
  ])('records reason %p as %d', async (sent, recorded) => {
    const account = await loggedIn();

    expect((await deliver(removalOf(account, IOS, sent))).status).toBe(200);

    await expectRemoved(account, recorded);
  });

  it.each([
    ['content without a reason', JSON.stringify({})],
    ['content that is not JSON', 'reason=1'],
    ['content that is JSON null', 'null'],
  ])('records reason 0 for %s', async (_label, content) => {
    const account = await loggedIn();
    const rawBody = JSON.stringify({
      client_key: IOS.clientKey,
      event: 'authorization.removed',
      create_time: realUnixSeconds(),
      user_openid: account.openIds[IOS.clientKey],
      content,
    });

    expect((await postRaw(rawBody, signatureFor(rawBody))).status).toBe(200);

    await expectRemoved(account, 0);
  });

  it('accepts the path in any case and with a trailing slash, as Strapi routes it', async () => {
    const first = await loggedIn();
    const second = await loggedIn();

    expect((await deliver(removalOf(first), {}, `${WEBHOOK_PATH}/`)).status).toBe(200);
    expect((await deliver(removalOf(second), {}, WEBHOOK_PATH.toUpperCase())).status).toBe(200);

    await expectRemoved(first, 1);
    await expectRemoved(second, 1);
  });

  it.each([
    ['s before t', (t: number, s: string) => `s=${s},t=${t}`],
    ['spaces around the fields', (t: number, s: string) => ` t=${t} , s=${s} `],
    ['an unknown field', (t: number, s: string) => `t=${t},s=${s},v=2`],
    ['the hex in capitals', (t: number, s: string) => `t=${t},s=${s.toUpperCase()}`],
  ])('accepts a header with %s', async (_label, header) => {
    const account = await loggedIn();
    const rawBody = webhookBody(removalOf(account));
    const t = realUnixSeconds();

    expect((await postRaw(rawBody, header(t, signWebhook(rawBody, IOS.clientSecret, t)))).status).toBe(200);

    await expectRemoved(account, 1);
  });
});

describe('events that change nothing, answered 200', () => {
  it('an open_id of another client key: that client has no such account', async () => {
    const account = await loggedIn(IOS);
    const before = await rowOf(account);

    const delivery = await deliver({ ...removalOf(account, IOS), clientKey: ANDROID.clientKey });

    expect(delivery.status).toBe(200);
    expect(await rowOf(account)).toEqual(before);
    expect(await app.strapi.db.connection('tiktok_authorizations').where({ client_key: ANDROID.clientKey, open_id: account.openIds[IOS.clientKey] }).first()).toBeUndefined();
  });

  it('an unknown user, with a debug line', async () => {
    const logsBefore = app.logs.length;

    const delivery = await deliver({ ...removalOf(tiktok.addAccount(), IOS), userOpenId: 'open-id-nobody-has' });

    expect(delivery.status).toBe(200);
    expect(app.logs.slice(logsBefore)).toContainEqual(expect.stringMatching(/^debug: \[tiktok-auth-mobile\] webhook authorization\.removed of client_key aw-ios-app: no account/));
  });

  it('an event the plugin does not handle, whatever its content, with a debug line', async () => {
    const account = await loggedIn();
    const before = await rowOf(account);
    const logsBefore = app.logs.length;
    const rawBody = JSON.stringify({ client_key: IOS.clientKey, event: 'video.publish.completed', create_time: 'soon', content: { publish_id: 1 } });

    const res = await postRaw(rawBody, signatureFor(rawBody));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    expect(await rowOf(account)).toEqual(before);
    expect(app.logs.slice(logsBefore)).toContainEqual(expect.stringMatching(/^debug: \[tiktok-auth-mobile\] webhook event "video\.publish\.completed" of client_key aw-ios-app ignored/));
  });
});

describe('deliveries whose signature does not hold: 401, nothing changed', () => {
  let account: FakeAccount;
  let before: unknown;

  beforeAll(async () => {
    account = await loggedIn();
  });
  beforeEach(async () => {
    before = await rowOf(account);
  });
  afterEach(async () => {
    expect(await rowOf(account)).toEqual(before);
  });

  const expectRefused = (res: { status: number; body: unknown }) => {
    expect(res.status).toBe(401);
    const body = typeof res.body === 'string' ? JSON.parse(res.body) : res.body;
    expect(body).toMatchObject({ data: null, error: { status: 401, name: 'UnauthorizedError', details: { code: 'webhook_signature_invalid' } } });
  };

  it.each<[string, () => WebhookSigning & Partial<WebhookEvent>]>([
    ['signed with another secret', () => ({ secret: 'a-forged-secret' })],
    ["signed with the other client's secret", () => ({ secret: ANDROID.clientSecret })],
    ['an unknown client_key', () => ({ clientKey: 'aw-unknown-app', secret: 'its-own-secret' })],
    ['a timestamp 301 s old', () => ({ timestamp: realUnixSeconds() - 301 })],
    ['a timestamp 301 s ahead', () => ({ timestamp: realUnixSeconds() + 301 })],
    ['a timestamp in milliseconds', () => ({ timestamp: Date.now() })],
    ['a body altered after signing', () => ({ tamper: (raw: string) => raw.replace('"event":"authorization.removed"', '"event":"authorization.removed","x":1') })],
    ['whitespace added after signing (the same JSON, other bytes)', () => ({ tamper: (raw: string) => `${raw} ` })],
    ['no TikTok-Signature header', () => ({ signatureHeader: null })],
    ['an empty header', () => ({ signatureHeader: '' })],
    ['a header that is not t=…,s=…', () => ({ signatureHeader: 'sha256=0123456789abcdef' })],
    ['a header without t', () => ({ signatureHeader: `s=${'a'.repeat(64)}` })],
  ])('%s', async (_label, signing) => {
    expectRefused(await deliver({ ...removalOf(account), ...signing() }));
  });

  it.each([
    ['s one hex digit short', (t: number, s: string) => `t=${t},s=${s.slice(0, 63)}`],
    ['s with two hex digits more', (t: number, s: string) => `t=${t},s=${s}00`],
    ['s that is not hex', (t: number, s: string) => `t=${t},s=${s.slice(0, 63)}g`],
    ['t repeated', (t: number, s: string) => `t=${t - 3600},t=${t},s=${s}`],
    ['s repeated', (t: number, s: string) => `t=${t},s=${'0'.repeat(64)},s=${s}`],
    ['a negative t', (t: number, s: string) => `t=-${t},s=${s}`],
  ])('a header with %s', async (_label, header) => {
    const rawBody = webhookBody(removalOf(account));
    const t = realUnixSeconds();

    expectRefused(await postRaw(rawBody, header(t, signWebhook(rawBody, IOS.clientSecret, t))));
  });

  it('a signature of the body alone, without the timestamp', async () => {
    const rawBody = webhookBody(removalOf(account));
    const s = createHmac('sha256', IOS.clientSecret).update(rawBody).digest('hex');

    expectRefused(await postRaw(rawBody, `t=${realUnixSeconds()},s=${s}`));
  });

  it("a client_key other than the signer's, in a body signed by a configured client", async () => {
    const rawBody = webhookBody({ ...removalOf(account), clientKey: ANDROID.clientKey, userOpenId: account.openIds[IOS.clientKey] });

    expectRefused(await postRaw(rawBody, signatureFor(rawBody, IOS.clientSecret)));
  });
});

describe('signed bodies that are malformed: 400, nothing changed', () => {
  it.each<[string, (openId: string) => string]>([
    ['not JSON', () => '{"client_key":'],
    ['a JSON array', () => '[]'],
    ['no client_key', (openId) => JSON.stringify({ event: 'authorization.removed', create_time: 1, user_openid: openId, content: '{}' })],
    ['a client_key that is not a string', (openId) => JSON.stringify({ client_key: 1, event: 'authorization.removed', user_openid: openId, content: '{}' })],
    ['no event', (openId) => JSON.stringify({ client_key: IOS.clientKey, create_time: realUnixSeconds(), user_openid: openId, content: '{}' })],
    ['no user_openid', () => JSON.stringify({ client_key: IOS.clientKey, event: 'authorization.removed', create_time: realUnixSeconds(), content: '{}' })],
    ['a user_openid over 128 characters', () => webhookBody({ ...removalOf(tiktok.addAccount()), userOpenId: 'o'.repeat(129) })],
    ['a create_time that is a string', (openId) => JSON.stringify({ client_key: IOS.clientKey, event: 'authorization.removed', create_time: String(realUnixSeconds()), user_openid: openId, content: '{}' })],
    ['content that is an object', (openId) => JSON.stringify({ client_key: IOS.clientKey, event: 'authorization.removed', create_time: realUnixSeconds(), user_openid: openId, content: { reason: 1 } })],
  ])('%s', async (_label, body) => {
    const account = await loggedIn();
    const before = await rowOf(account);
    const rawBody = body(account.openIds[IOS.clientKey]);

    const res = await postRaw(rawBody, signatureFor(rawBody));

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ data: null, error: { status: 400, name: 'BadRequestError', details: { code: 'webhook_payload_invalid' } } });
    expect(await rowOf(account)).toEqual(before);
  });
});

describe('the body', () => {
  it('over 64 KiB: 413 before its signature is looked at', async () => {
    const account = await loggedIn();
    const before = await rowOf(account);
    const rawBody = webhookBody({ ...removalOf(account), content: { reason: 1, padding: 'p'.repeat(64 * 1024) } });

    const res = await postRaw(rawBody, signatureFor(rawBody));

    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: { status: 413, details: { code: 'payload_too_large' } } });
    expect(await rowOf(account)).toEqual(before);
  });

  it('over 64 KiB without a Content-Length (chunked): 413 as well', async () => {
    const rawBody = webhookBody({ ...removalOf(tiktok.addAccount()), content: { padding: 'p'.repeat(80 * 1024) } });
    const chunks = rawBody.match(/[^]{1,4096}/g) ?? [];
    const body = new ReadableStream({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(chunk));
      },
    });

    const res = await fetch(`${origin}${WEBHOOK_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'TikTok-Signature': signatureFor(rawBody) },
      body,
      duplex: 'half',
    } as RequestInit);

    expect(res.status).toBe(413);
  });

  it('is kept raw for the webhook only: the rest of the content API still gets parsed JSON', async () => {
    const res = await app.request().post('/api/tiktok-auth-mobile/connect').send({ code: 'a-code' });

    expect(res.status).toBe(400);
    expect(res.body.error.details).toMatchObject({ code: 'invalid_request', errors: [expect.objectContaining({ path: 'code_verifier' })] });
  });
});

it('logs no client secret, signature or body', () => {
  const logs = app.logs.join('\n');
  for (const secret of [IOS.clientSecret, ANDROID.clientSecret]) expect(logs).not.toContain(secret);
  for (const header of signaturesSent) {
    const s = /s=([0-9a-fA-F]{64})/.exec(header)?.[1];
    if (s) expect(logs.toLowerCase()).not.toContain(s.toLowerCase());
  }
  expect(logs).not.toContain('"user_openid"');
  expect(signaturesSent.length).toBeGreaterThan(20);
});
