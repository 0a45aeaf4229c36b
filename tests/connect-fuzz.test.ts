/**
 * Property-based tests of the request body: whatever a client sends, /connect answers a 4xx in
 * Strapi's error envelope, never a 500, and never creates a user.
 */
import fc from 'fast-check';

import type { FakeTikTok } from './support/fake-tiktok';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok({}, [
    { clientKey: 'aw-fuzz', clientSecret: 'fuzz-secret', redirectUri: 'https://app.example/cb' },
  ]));
});
afterAll(() => stopAll({ app, tiktok }));

const CONNECT = '/api/tiktok-auth-mobile/connect';
const userCount = () => app.strapi.db.query('plugin::users-permissions.user').count();

const expectRefused = (res: { status: number; body: any }) => {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.body).toMatchObject({ data: null, error: { status: res.status } });
  expect(typeof res.body.error.message).toBe('string');
};

/** Characters that break headers, forms, databases or naive parsers: controls, line breaks, lone surrogates. */
const hostileChar = fc.oneof(
  fc.constantFrom('\u0000', '\r', '\n', '\t', ' ', '\u007f', '\u0085', '\u00a0', '\u2028', '\u200b', '\ufeff', '\ud800', '\udfff', 'é', 'ß', '漢', '😀', '%', '&', '=', '+', ';', '"'),
  fc.char()
);
const hostileString = fc.oneof(
  fc.stringOf(hostileChar, { minLength: 1, maxLength: 80 }),
  fc.asciiString({ minLength: 1, maxLength: 80 }),
  fc.string16bits({ minLength: 1, maxLength: 80 }),
  fc.fullUnicodeString({ minLength: 1, maxLength: 80 })
);

const anyValue = fc.oneof(
  fc.string(),
  hostileString,
  fc.fullUnicodeString({ maxLength: 64 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
  fc.string({ minLength: 2000, maxLength: 12000 })
);

const FIELDS = ['access_token', 'code', 'code_verifier', 'client_key', 'redirect_uri', 'login_code', 'email', 'deviceId', '__proto__', 'constructor', 'prototype'];

/** Bodies built from the fields /connect knows, with values of every type; none holds a valid credential. */
const suspiciousBody = fc.dictionary(fc.constantFrom(...FIELDS), anyValue, { maxKeys: 6 });

let before: number;
beforeEach(async () => {
  before = await userCount();
});
afterEach(async () => {
  expect(await userCount()).toBe(before);
});

it('arbitrary JSON values: always a 4xx envelope', async () => {
  await fc.assert(
    fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
      const res = await app.request().post(CONNECT).set('Content-Type', 'application/json').send(JSON.stringify(value));
      expectRefused(res);
    }),
    { numRuns: 150 }
  );
});

it('objects of known fields with values of any type, unicode and huge strings included: always a 4xx envelope', async () => {
  await fc.assert(
    fc.asyncProperty(suspiciousBody, async (body) => {
      // JSON.stringify drops a literal __proto__ key of an object literal; build the text by hand.
      const text = `{${Object.entries(body).map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`).join(',')}}`;
      const res = await app.request().post(CONNECT).set('Content-Type', 'application/json').send(text);
      expectRefused(res);
    }),
    { numRuns: 200 }
  );
});

/** Bodies of the right shape for each flow, every field holding non-ASCII or control characters. */
const hostileShapedBody = fc.oneof(
  fc.record({ access_token: hostileString }),
  fc.record({ access_token: hostileString, deviceId: hostileString }),
  fc.record({ login_code: hostileString }),
  fc.record({ code: hostileString, code_verifier: hostileString }),
  fc.record({ code: hostileString, code_verifier: hostileString, client_key: hostileString, redirect_uri: hostileString })
);

it('bodies of either flow with non-ASCII and control characters in every field: never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(hostileShapedBody, async (body) => {
      const res = await app.request().post(CONNECT).set('Content-Type', 'application/json').send(JSON.stringify(body));
      expectRefused(res);
    }),
    { numRuns: 200 }
  );
});

it('prototype keys do not reach Object.prototype', async () => {
  const res = await app
    .request()
    .post(CONNECT)
    .set('Content-Type', 'application/json')
    .send('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"access_token":"x"}');

  expectRefused(res);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

it('deep nesting: a 4xx envelope', async () => {
  const deep = `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`;
  const res = await app.request().post(CONNECT).set('Content-Type', 'application/json').send(deep);
  expectRefused(res);
});

it.each([
  ['text/plain', 'access_token=abc'],
  ['application/xml', '<access_token>abc</access_token>'],
  ['application/octet-stream', Buffer.from([0, 1, 2, 255])],
  ['application/x-www-form-urlencoded', 'access_token[]=a&access_token[]=b'],
  ['application/x-www-form-urlencoded', 'code=abc'],
])('content type %s: a 4xx envelope', async (type, payload) => {
  const res = await app.request().post(CONNECT).set('Content-Type', type).send(payload);
  expectRefused(res);
});

it('a multipart body: a 4xx envelope', async () => {
  const res = await app.request().post(CONNECT).field('access_token', 'abc').field('code', 'def');
  expectRefused(res);
});
