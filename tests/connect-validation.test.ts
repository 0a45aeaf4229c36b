import type { FakeTikTok } from './support/fake-tiktok';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

let tiktok: FakeTikTok;
let app: TestApp;

const CLIENT = { clientKey: 'aw-validation', clientSecret: 'validation-secret-5e1d', redirectUri: 'https://app.example/tiktok/cb' };

// With a configured client, a code login that passed validation would reach TikTok's token endpoint.
beforeAll(async () => ({ tiktok, app } = await startWithFakeTikTok({}, [CLIENT])));
afterAll(() => stopAll({ app, tiktok }));

const CONNECT = '/api/tiktok-auth-mobile/connect';

const expectInvalidRequest = (res: { status: number; body: any }) => {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({
    data: null,
    error: { status: 400, name: 'BadRequestError', details: { code: 'invalid_request' } },
  });
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
};

describe('request bodies the endpoint refuses with 400 invalid_request', () => {
  let usersBefore: number;

  beforeEach(async () => {
    tiktok.resetCounters();
    usersBefore = await app.strapi.db.query('plugin::users-permissions.user').count();
  });

  afterEach(async () => {
    // No invalid request reaches TikTok or writes a user.
    expect(tiktok.counters).toMatchObject({ userInfo: 0, token: 0 });
    expect(await app.strapi.db.query('plugin::users-permissions.user').count()).toBe(usersBefore);
  });

  it.each([
    ['an empty object', {}],
    ['a numeric token', { access_token: 12345 }],
    ['a boolean token', { access_token: true }],
    ['a null token', { access_token: null }],
    ['an object token', { access_token: { token: 'x' } }],
    ['an array token', { access_token: ['x'] }],
    ['an empty token', { access_token: '' }],
    ['an oversized token', { access_token: 'a'.repeat(2049) }],
    ['an array body', [{ access_token: 'x' }]],
    ['a code without code_verifier', { code: 'abc' }],
    ['a code_verifier without code', { code_verifier: 'abc' }],
    ['an access_token and a code', { access_token: 'x', code: 'abc', code_verifier: 'abc' }],
    ['an access_token with a client_key', { access_token: 'x', client_key: 'aw-app' }],
    ['a code_verifier with a control character', { code: 'abc', code_verifier: 'abc\u007fdef' }],
    ['a code_verifier with a line break', { code: 'abc', code_verifier: 'abc\ndef' }],
    ['a code_verifier with an unpaired surrogate', { code: 'abc', code_verifier: 'abc\ud800def' }],
    ['a code_verifier over 128 characters', { code: 'abc', code_verifier: 'a'.repeat(129) }],
    ['a numeric client_key', { code: 'abc', code_verifier: 'abc', client_key: 7 }],
    // axios drops what a header cannot carry: TikTok would be asked about another token than this one.
    ['a token holding NUL', { access_token: 'act.abc\u0000def' }],
    ['a token holding CR LF and a header', { access_token: 'act.abc\r\nX-Injected: 1' }],
    ['a token holding a space', { access_token: 'act.abc def' }],
    ['a token holding a tab', { access_token: 'act.abc\tdef' }],
    ['a token holding DEL', { access_token: 'act.abc\u007f' }],
    ['a token holding a non-ASCII letter', { access_token: 'act.abcé' }],
    ['a token holding an emoji', { access_token: 'act.abc😀' }],
    ['a code holding NUL', { code: 'abc\u0000def', code_verifier: 'abc' }],
    ['a code holding a line break', { code: 'abc\r\ndef', code_verifier: 'abc' }],
    ['a code holding a C1 control character', { code: 'abc\u0085def', code_verifier: 'abc' }],
    ['a code holding an unpaired surrogate', { code: 'abc\udc00def', code_verifier: 'abc' }],
  ])('%s', async (_label, body) => {
    const res = await app.request().post(CONNECT).send(body);
    expectInvalidRequest(res);
  });

  it('names the offending field without echoing its value', async () => {
    const token = `secret-${'z'.repeat(3000)}`;
    const res = await app.request().post(CONNECT).send({ access_token: token });

    expectInvalidRequest(res);
    expect(res.body.error.details.errors).toEqual([
      { path: 'access_token', message: expect.stringContaining('at most') },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('secret-');
  });

  // Strapi's body parser refuses these before any route runs, with its own 400 envelope.
  it.each([
    ['a JSON string body', '"just a string"'],
    ['a JSON null body', 'null'],
    ['a JSON number body', '42'],
    ['malformed JSON', '{"access_token":'],
  ])('%s is refused by the body parser', async (_label, raw) => {
    const res = await app.request().post(CONNECT).set('Content-Type', 'application/json').send(raw);

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ data: null, error: { status: 400 } });
    expect(res.body.error.message).toEqual(expect.any(String));
  });

  it('no body at all', async () => {
    const res = await app.request().post(CONNECT);
    expectInvalidRequest(res);
  });

  it('a form-encoded body without a token', async () => {
    const res = await app.request().post(CONNECT).type('form').send('hello=world');
    expectInvalidRequest(res);
  });

  it('names the field holding a character it cannot send, without echoing the value', async () => {
    const res = await app
      .request()
      .post(CONNECT)
      .send({ code: 'secret-code\u0000', code_verifier: 'secret-verifier\ud800' });

    expectInvalidRequest(res);
    expect(res.body.error.details.errors).toEqual(
      expect.arrayContaining(
        ['code', 'code_verifier'].map((path) => ({ path, message: expect.stringContaining('control characters') }))
      )
    );
    expect(res.body.error.details.errors).toHaveLength(2);
    expect(JSON.stringify(res.body)).not.toMatch(/secret-/);
  });

});

it('refuses a body over 8 KiB with 413 before calling TikTok, whatever it holds', async () => {
  tiktok.resetCounters();
  const account = tiktok.addAccount();

  const res = await app
    .request()
    .post(CONNECT)
    .send({ access_token: tiktok.issueAccessToken(account), padding: 'p'.repeat(9000) });

  expect(res.status).toBe(413);
  expect(res.body).toMatchObject({ data: null, error: { status: 413, name: 'PayloadTooLargeError', details: { code: 'payload_too_large' } } });
  expect(tiktok.counters.userInfo).toBe(0);
});

it('sends TikTok exactly the token it checked: every visible ASCII character is accepted', async () => {
  tiktok.resetCounters();
  const account = tiktok.addAccount();
  const token = tiktok.issueAccessToken(account, { token: `act.!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~09AZaz` });

  const res = await app.request().post(CONNECT).send({ access_token: token });

  expect(res.status).toBe(200);
  expect(tiktok.counters.userInfo).toBe(1);
});

it('accepts a printable code_verifier outside RFC 7636, as older Android SDKs make them, and lets TikTok judge it', async () => {
  tiktok.resetCounters();
  const account = tiktok.addAccount();
  const codeVerifier = `older SDK: +/=?é ü ${'~'.repeat(100)}`.slice(0, 128);
  const { code } = tiktok.authorize(account, { clientKey: CLIENT.clientKey, codeVerifier });

  const res = await app.request().post(CONNECT).send({ code, code_verifier: codeVerifier });

  expect(res.status).toBe(200);
  expect(res.body.user.email).toBe(`${account.unionId}@tiktok.com`);
  expect(tiktok.counters).toMatchObject({ token: 1, userInfo: 1 });
});

it('accepts a form-encoded access_token too', async () => {
  const account = tiktok.addAccount();
  const token = tiktok.issueAccessToken(account);

  const res = await app.request().post(CONNECT).type('form').send({ access_token: token });

  expect(res.status).toBe(200);
  expect(res.body.user.email).toBe(`${account.unionId}@tiktok.com`);
});

it('is a public route: a wrong Authorization header does not stop a login', async () => {
  const account = tiktok.addAccount();
  const res = await app
    .request()
    .post(CONNECT)
    .set('Authorization', 'Bearer not-a-strapi-jwt')
    .send({ access_token: tiktok.issueAccessToken(account) });

  expect(res.status).toBe(200);
});
