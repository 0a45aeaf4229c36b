import { FakeTikTok, trickleOutliving, type Fault } from './support/fake-tiktok';
import { snapshotAccounts, startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const TIMEOUT_MS = 700;

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => ({ tiktok, app } = await startWithFakeTikTok({ TIKTOK_TIMEOUT_MS: String(TIMEOUT_MS) })));
afterAll(() => stopAll({ app, tiktok }));

const connect = (token: string) =>
  app.request().post('/api/tiktok-auth-mobile/connect').send({ access_token: token });

const snapshotDatabase = () => snapshotAccounts(app.strapi);

interface FaultCase {
  label: string;
  fault: Fault;
  status: number;
  code: string;
  /** TikTok sends a log_id, which the log line must carry. */
  hasLogId: boolean;
  /** user/info is tried a second time. */
  retried: boolean;
  /** The plugin stops waiting and closes the connection before the answer is complete. */
  givesUp: boolean;
}

const TRICKLE = trickleOutliving(TIMEOUT_MS);

const unavailable = { status: 502, code: 'tiktok_unavailable', hasLogId: false, retried: false, givesUp: false };
const rateLimited = { status: 503, code: 'tiktok_rate_limited', hasLogId: true, retried: false, givesUp: false };

const FAULTS: FaultCase[] = [
  { ...unavailable, label: 'a 500 internal_error', fault: { kind: 'status', status: 500, code: 'internal_error' }, hasLogId: true, retried: true },
  { ...unavailable, label: 'HTTP 200 with a non-ok error', fault: { kind: 'status', status: 200, code: 'internal_error', withData: true }, hasLogId: true },
  { ...rateLimited, label: 'a 429 rate_limit_exceeded', fault: { kind: 'status', status: 429, code: 'rate_limit_exceeded' } },
  { ...rateLimited, label: 'HTTP 200 with rate_limit_exceeded', fault: { kind: 'status', status: 200, code: 'rate_limit_exceeded' } },
  { ...unavailable, label: 'a 400 scope_permission_missed (the app lacks the scope)', fault: { kind: 'status', status: 400, code: 'scope_permission_missed' }, hasLogId: true },
  { ...unavailable, label: 'a 400 invalid_params', fault: { kind: 'status', status: 400, code: 'invalid_params' }, hasLogId: true },
  { ...unavailable, label: 'an unknown error code', fault: { kind: 'status', status: 418, code: 'brand_new_error' }, hasLogId: true },
  { ...unavailable, label: 'HTTP 401 scope_not_authorized', fault: { kind: 'status', status: 401, code: 'scope_not_authorized' }, hasLogId: true, status: 400, code: 'tiktok_scope_missing' },
  { ...unavailable, label: 'a body that is not JSON', fault: { kind: 'malformed' } },
  { ...unavailable, label: 'a truncated body', fault: { kind: 'truncated' }, retried: true },
  { ...unavailable, label: 'an HTML error page', fault: { kind: 'html', status: 503 }, retried: true },
  { ...unavailable, label: 'a user without union_id', fault: { kind: 'no-union-id' }, hasLogId: true },
  { ...unavailable, label: 'a 200 answer without an error object', fault: { kind: 'no-error-object' } },
  { ...unavailable, label: 'a union_id over 128 characters', fault: { kind: 'user', fields: { union_id: 'u'.repeat(129) } } },
  { ...unavailable, label: 'a union_id holding NUL', fault: { kind: 'user', fields: { union_id: 'union\u0000id' } } },
  { ...unavailable, label: 'an open_id over 128 characters', fault: { kind: 'user', fields: { open_id: 'o'.repeat(129) } } },
  { ...unavailable, label: 'an open_id holding a line break', fault: { kind: 'user', fields: { open_id: 'open\nid' } } },
  { ...unavailable, label: 'a reset connection', fault: { kind: 'reset' }, retried: true },
  { ...unavailable, label: 'no answer within the timeout', fault: { kind: 'hang' }, givesUp: true },
  { ...unavailable, label: 'an answer later than the timeout', fault: { kind: 'delay', ms: TIMEOUT_MS + 500 }, givesUp: true },
  { ...unavailable, label: 'an answer trickling in a byte at a time past the timeout', fault: TRICKLE, givesUp: true },
];

describe.each(FAULTS)('when TikTok answers $label', ({ fault, status, code, hasLogId, retried, givesUp }) => {
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

      const res = await connect(token);

      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ data: null, error: { status, details: { code } } });
      const newLogs = app.logs.slice(logsBefore).join('\n');
      expect(newLogs).not.toContain(token);
      expect(JSON.stringify(res.body)).not.toContain(token);
    }

    await tiktok.settled();
    expect(tiktok.counters).toMatchObject({ userInfo: retried ? 4 : 2, abandoned: givesUp ? 2 : 0 });
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

describe.each(FAULTS.filter(({ retried }) => retried))('when TikTok answers $label once', ({ fault }) => {
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

it('gives the user/info retry only what is left of the deadline: a trickling second answer is abandoned', async () => {
  const account = tiktok.addAccount();
  tiktok.resetCounters();
  tiktok.failNext({ kind: 'reset' });
  tiktok.failNext(TRICKLE);

  const res = await connect(tiktok.issueAccessToken(account));

  expect(res.status).toBe(502);
  expect(res.body.error.details.code).toBe('tiktok_unavailable');
  await tiktok.settled();
  expect(tiktok.counters).toMatchObject({ userInfo: 2, abandoned: 1 });
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
