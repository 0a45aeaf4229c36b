import type { FakeTikTok } from './support/fake-tiktok';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => ({ tiktok, app } = await startWithFakeTikTok()));
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
    expect(tiktok.counters.userInfo).toBe(0);
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
    ['a code_verifier with characters PKCE does not allow', { code: 'abc', code_verifier: 'abc def' }],
    ['a code_verifier over 128 characters', { code: 'abc', code_verifier: 'a'.repeat(129) }],
    ['a numeric client_key', { code: 'abc', code_verifier: 'abc', client_key: 7 }],
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
