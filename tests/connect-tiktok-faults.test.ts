import { FakeTikTok, type Fault } from './support/fake-tiktok';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const TIMEOUT_MS = 700;

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => ({ tiktok, app } = await startWithFakeTikTok({ TIKTOK_TIMEOUT_MS: String(TIMEOUT_MS) })));
afterAll(() => stopAll({ app, tiktok }));

const connect = (token: string) =>
  app.request().post('/api/tiktok-auth-mobile/connect').send({ access_token: token });

const snapshotDatabase = async () => ({
  users: await app.strapi.db.query('plugin::users-permissions.user').findMany({ orderBy: { id: 'asc' } }),
  identities: await app.strapi.db.query('plugin::tiktok-auth-mobile.identity').findMany({ orderBy: { id: 'asc' } }),
});

// [label, fault, status, code, TikTok sends a log_id, user/info is tried a second time]
const FAULTS: Array<[string, Fault, number, string, boolean, boolean]> = [
  ['a 500 internal_error', { kind: 'status', status: 500, code: 'internal_error' }, 502, 'tiktok_unavailable', true, true],
  ['HTTP 200 with a non-ok error', { kind: 'status', status: 200, code: 'internal_error', withData: true }, 502, 'tiktok_unavailable', true, false],
  ['a 429 rate_limit_exceeded', { kind: 'status', status: 429, code: 'rate_limit_exceeded' }, 503, 'tiktok_rate_limited', true, false],
  ['HTTP 200 with rate_limit_exceeded', { kind: 'status', status: 200, code: 'rate_limit_exceeded' }, 503, 'tiktok_rate_limited', true, false],
  ['a 400 scope_permission_missed (the app lacks the scope)', { kind: 'status', status: 400, code: 'scope_permission_missed' }, 502, 'tiktok_unavailable', true, false],
  ['a 400 invalid_params', { kind: 'status', status: 400, code: 'invalid_params' }, 502, 'tiktok_unavailable', true, false],
  ['an unknown error code', { kind: 'status', status: 418, code: 'brand_new_error' }, 502, 'tiktok_unavailable', true, false],
  ['HTTP 401 scope_not_authorized', { kind: 'status', status: 401, code: 'scope_not_authorized' }, 400, 'tiktok_scope_missing', true, false],
  ['a body that is not JSON', { kind: 'malformed' }, 502, 'tiktok_unavailable', false, false],
  ['a truncated body', { kind: 'truncated' }, 502, 'tiktok_unavailable', false, true],
  ['an HTML error page', { kind: 'html', status: 503 }, 502, 'tiktok_unavailable', false, true],
  ['a user without union_id', { kind: 'no-union-id' }, 502, 'tiktok_unavailable', true, false],
  ['a 200 answer without an error object', { kind: 'no-error-object' }, 502, 'tiktok_unavailable', false, false],
  ['a reset connection', { kind: 'reset' }, 502, 'tiktok_unavailable', false, true],
  ['no answer within the timeout', { kind: 'hang' }, 502, 'tiktok_unavailable', false, false],
  ['an answer later than the timeout', { kind: 'delay', ms: TIMEOUT_MS + 500 }, 502, 'tiktok_unavailable', false, false],
];

describe.each(FAULTS)('when TikTok answers %s', (_label, fault, status, code, hasLogId, retried) => {
  it(`answers ${status} ${code}, writes nothing and logs no token`, async () => {
    const returning = tiktok.addAccount({ displayName: 'Returning' });
    expect((await connect(tiktok.issueAccessToken(returning))).status).toBe(200);
    const before = await snapshotDatabase();
    tiktok.resetCounters();
    const logsBefore = app.logs.length;

    for (const account of [returning, tiktok.addAccount()]) {
      account.displayName = 'Changed by a failed login';
      const token = tiktok.issueAccessToken(account);
      tiktok.failNext(fault, retried ? 2 : 1);
      const started = Date.now();

      const res = await connect(token);

      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ data: null, error: { status, details: { code } } });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1500);
      const newLogs = app.logs.slice(logsBefore).join('\n');
      expect(newLogs).not.toContain(token);
      expect(JSON.stringify(res.body)).not.toContain(token);
    }

    expect(tiktok.counters.userInfo).toBe(retried ? 4 : 2);
    expect(await snapshotDatabase()).toEqual(before);
    const pluginLogs = app.logs
      .slice(logsBefore)
      .filter((line) => line.includes('[tiktok-auth-mobile]') && !line.startsWith('debug:'));
    expect(pluginLogs).toHaveLength(2);
    if (hasLogId) {
      const finalLogIds = tiktok.errorLogIds.filter((_id, i) => !retried || i % 2 === 1);
      expect(finalLogIds).toHaveLength(2);
      finalLogIds.forEach((logId, i) => expect(pluginLogs[i]).toContain(logId));
    }
  });
});

describe.each(FAULTS.filter(([, , , , , retried]) => retried))('when TikTok answers %s once', (_label, fault) => {
  it('tries user/info once more and logs the user in', async () => {
    const account = tiktok.addAccount();
    tiktok.resetCounters();
    tiktok.failNext(fault);

    const res = await connect(tiktok.issueAccessToken(account));

    expect(res.status).toBe(200);
    expect(res.body.user.email).toBe(`${account.unionId}@tiktok.com`);
    expect(tiktok.counters.userInfo).toBe(2);
  });
});

it('answers 502 tiktok_unavailable when TikTok refuses connections, and recovers after', async () => {
  const account = tiktok.addAccount();
  const token = tiktok.issueAccessToken(account);
  await tiktok.pause();
  try {
    const res = await connect(token);
    expect(res.status).toBe(502);
    expect(res.body.error.details.code).toBe('tiktok_unavailable');
    expect(await app.strapi.db.query('plugin::users-permissions.user').count({ where: { email: `${account.unionId}@tiktok.com` } })).toBe(0);
  } finally {
    await tiktok.resume();
  }

  const again = await connect(token);
  expect(again.status).toBe(200);
});

it("answers 503 tiktok_rate_limited when TikTok's own per-minute limit is reached", async () => {
  const account = tiktok.addAccount();
  const token = tiktok.issueAccessToken(account);
  tiktok.rateLimitPerMinute = 0;
  try {
    const res = await connect(token);
    expect(res.status).toBe(503);
    expect(res.body.error.details.code).toBe('tiktok_rate_limited');
  } finally {
    tiktok.rateLimitPerMinute = 600;
  }
});
