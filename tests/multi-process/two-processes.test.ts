/**
 * Two Strapi processes on one database, as behind a load balancer. Runs with `npm run test:postgres`
 * and `npm run test:mysql` only: SQLite is a single-process database. The races are forced with the
 * database's own locks (see tests/support/database.ts), so each one is exercised on both servers.
 */
import type { Knex } from 'knex';
import supertest from 'supertest';

import { FakeTikTok } from '../support/fake-tiktok';
import {
  blockWrites,
  connectTo,
  createTestDatabase,
  holdRows,
  sessionsWaitingForALock,
  type TestDatabase,
} from '../support/database';
import { startStrapiChild, stopStrapiChild, type StrapiChild } from '../support/strapi-child';

const CLIENT = { clientKey: 'aw-multi', clientSecret: 'multi-process-secret', redirectUri: 'https://app.example/tiktok/cb' };

let tiktok: FakeTikTok;
let database: TestDatabase;
let db: Knex;
const processes: StrapiChild[] = [];
let urls: string[] = [];

async function startProcess(): Promise<string> {
  const started = await startStrapiChild({
    ...database.env,
    LOG_SILENT: 'true',
    UP_RATELIMIT_ENABLED: 'false',
    TIKTOK_API_BASE_URL: tiktok.url,
    TIKTOK_CLIENTS: JSON.stringify([CLIENT]),
    TIKTOK_STORE_TOKENS: 'true',
  });
  processes.push(started);
  return started.url;
}

beforeAll(async () => {
  tiktok = await FakeTikTok.start();
  tiktok.registerClient({ clientKey: CLIENT.clientKey, clientSecret: CLIENT.clientSecret, redirectUris: [CLIENT.redirectUri] });
  database = await createTestDatabase();
  // One after the other: the first one creates the schema.
  urls = [await startProcess(), await startProcess()];
  db = connectTo(database);
}, 120_000);

afterAll(async () => {
  await db?.destroy();
  await Promise.all(processes.map(stopStrapiChild));
  await database?.drop();
  await tiktok?.close();
});

const connect = (url: string, body: object) => supertest(url).post('/api/tiktok-auth-mobile/connect').send(body);

it('40 concurrent first logins of one account across both processes create one user and one identity', async () => {
  const account = tiktok.addAccount();
  // TikTok answering a little late lines the requests up, so that they all reach the database together.
  tiktok.latencyMs = 40;
  try {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => connect(urls[i % 2], { access_token: tiktok.issueAccessToken(account) }))
    );

    expect(answers.map((res) => res.status)).toEqual(Array(40).fill(200));
    const ids = new Set(answers.map((res) => res.body.user.id));
    expect(ids.size).toBe(1);
    const users = await db('up_users').select('id').where({ email: `${account.unionId}@tiktok.com` });
    expect(users.map((row) => row.id)).toEqual([...ids]);
    const identities = await db('tiktok_identities').select('id').where({ union_id: account.unionId });
    expect(identities).toHaveLength(1);
    // One user/info call per login: nothing was retried or repeated.
    expect(tiktok.counters.userInfo).toBe(40);
  } finally {
    tiktok.latencyMs = 0;
  }
});

it('concurrent first logins of same-named accounts across both processes still get distinct usernames', async () => {
  tiktok.latencyMs = 40;
  try {
    const accounts = Array.from({ length: 12 }, () => tiktok.addAccount({ displayName: 'Same Everywhere' }));
    const answers = await Promise.all(
      accounts.map((account, i) => connect(urls[i % 2], { access_token: tiktok.issueAccessToken(account) }))
    );

    expect(answers.map((res) => res.status)).toEqual(Array(12).fill(200));
    const stored = await db('up_users').select('username').where('username', 'like', 'Same Everywhere%');
    expect(stored).toHaveLength(12);
    expect(new Set(stored.map((row) => row.username)).size).toBe(12);
  } finally {
    tiktok.latencyMs = 0;
  }
});

it('a settings change saved through one process is used by the other within a second, and by itself at once', async () => {
  const [first, second] = urls;
  const register = await supertest(first)
    .post('/admin/register-admin')
    .send({ firstname: 'Multi', lastname: 'Admin', email: 'multi@example.com', password: 'Admin-Passw0rd!' });
  const token = register.body.data.token as string;
  const save = (allowAccessToken: boolean) =>
    supertest(first)
      .put('/tiktok-auth-mobile/settings')
      .set('Authorization', `Bearer ${token}`)
      .send({ clients: [{ clientKey: CLIENT.clientKey, redirectUri: CLIENT.redirectUri }], scopes: ['user.info.basic'], allowAccessToken });
  const account = tiktok.addAccount();
  const byToken = (url: string) => connect(url, { access_token: tiktok.issueAccessToken(account) });
  /** How long after `since` the process at `url` answers a token login with `status`: polled, for at most 5 s. */
  const delayUntil = async (url: string, status: number, since: number) => {
    for (;;) {
      const res = await byToken(url);
      if (res.status === status) return Date.now() - since;
      if (Date.now() - since > 5000) throw new Error(`${url} still answered ${res.status} 5 s after the save`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  // Both processes have read the settings (access tokens allowed) just now.
  expect((await byToken(first)).status).toBe(200);
  expect((await byToken(second)).status).toBe(200);

  const savedAt = Date.now();
  expect((await save(false)).status).toBe(200);
  const refusedBySaver = await byToken(first);
  const secondRefusedAfter = await delayUntil(second, 400, savedAt);
  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: CLIENT.clientKey });
  const byCode = await connect(second, { code, code_verifier: codeVerifier });
  const reopenedAt = Date.now();
  expect((await save(true)).status).toBe(200);
  const secondAcceptedAfter = await delayUntil(second, 200, reopenedAt);

  expect(refusedBySaver.status).toBe(400);
  expect(refusedBySaver.body.error.details.code).toBe('access_token_disabled');
  // The other process's copy is at most a second old: with the requests themselves, well under three.
  expect(secondRefusedAfter).toBeLessThan(3000);
  expect(secondAcceptedAfter).toBeLessThan(3000);
  expect(byCode.status).toBe(200);
});

/**
 * Resolves once `check` holds; checked every 150 ms, for at most 10 s. Not more often: InnoDB refreshes
 * what information_schema.INNODB_TRX shows only when nobody read it in the last 100 ms.
 */
async function waitUntil(check: () => Promise<boolean>) {
  for (const giveUpAt = Date.now() + 10_000; !(await check()); ) {
    if (Date.now() > giveUpAt) throw new Error('waitUntil: timed out');
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

it('concurrent first code logins with a client across both processes keep one authorization row', async () => {
  const account = tiktok.addAccount();
  // The user exists already: the code logins below only add the client's authorization.
  expect((await connect(urls[0], { access_token: tiktok.issueAccessToken(account) })).status).toBe(200);

  // Writes to the table wait until both processes are about to write: their inserts then race.
  const release = await blockWrites(db, 'tiktok_authorizations');
  try {
    const logins = Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const { code, codeVerifier } = tiktok.authorize(account, { clientKey: CLIENT.clientKey });
        return connect(urls[i % 2], { code, code_verifier: codeVerifier });
      })
    );
    await waitUntil(async () => (await sessionsWaitingForALock(db)) >= 2);
    await release();
    const answers = await logins;

    expect(answers.map((res) => res.status)).toEqual(Array(10).fill(200));
    const rows = await db('tiktok_authorizations').select('client_key', 'open_id', 'refresh_token').where({ union_id: account.unionId });
    expect(rows).toEqual([{ client_key: CLIENT.clientKey, open_id: account.openIds[CLIENT.clientKey], refresh_token: expect.stringMatching(/^v1:/) }]);
  } finally {
    await release();
  }
});

it('20 concurrent TikTok calls for one user across both processes make one refresh, and every caller gets the new token', async () => {
  tiktok.accessTokenLifetimeS = 120;
  const account = tiktok.addAccount();
  const { code, codeVerifier } = tiktok.authorize(account, { clientKey: CLIENT.clientKey, scopes: ['user.info.basic', 'user.info.stats'] });
  const login = await connect(urls[0], { code, code_verifier: codeVerifier });
  expect(login.status).toBe(200);
  // The stored access token is dead at TikTok now: a call succeeds only with a token refreshed since.
  tiktok.advanceClock(121);
  tiktok.accessTokenLifetimeS = 86400;
  tiktok.resetCounters();

  // The test holds the row, so that both processes read it and then line up to take the refresh lease
  // at the same moment: the race the lease must decide.
  const release = await holdRows(db, 'tiktok_authorizations', { union_id: account.unionId });
  try {
    const calls = Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        supertest(urls[i % 2]).get('/api/tiktok-stats').set('Authorization', `Bearer ${login.body.jwt}`)
      )
    );
    await waitUntil(async () => (await sessionsWaitingForALock(db)) >= 2);
    await release();
    const answers = await calls;

    expect(answers.map((res) => res.status)).toEqual(Array(20).fill(200));
    expect(answers.every((res) => res.body.video_count === account.stats.video_count)).toBe(true);
    // One refresh minted one new access token: all 20 TikTok calls used it.
    expect(tiktok.counters.refresh).toBe(1);
    expect(tiktok.counters.userInfo).toBe(20);
    const stored = await db('tiktok_authorizations').select('refresh_lease_until').where({ union_id: account.unionId });
    expect(stored).toEqual([{ refresh_lease_until: null }]);
  } finally {
    await release();
  }
});

it('two users linking one TikTok account at once through both processes end with exactly one link', async () => {
  const register = (url: string, name: string) =>
    supertest(url).post('/api/auth/local/register').send({ username: name, email: `${name}@example.com`, password: 'Passw0rd-Example' });
  const [first, second] = await Promise.all([register(urls[0], `linker-a-${Date.now()}`), register(urls[1], `linker-b-${Date.now()}`)]);
  const account = tiktok.addAccount();
  const link = (url: string, jwt: string) => {
    const { code, codeVerifier } = tiktok.authorize(account, { clientKey: CLIENT.clientKey });
    return supertest(url).post('/api/tiktok-auth-mobile/link').set('Authorization', `Bearer ${jwt}`).send({ code, code_verifier: codeVerifier });
  };
  // Writes to identities wait until both links are about to insert theirs: the inserts then race.
  const release = await blockWrites(db, 'tiktok_identities');
  try {
    const linking = Promise.all([link(urls[0], first.body.jwt), link(urls[1], second.body.jwt)]);
    await waitUntil(async () => (await sessionsWaitingForALock(db)) >= 2);
    await release();
    const answers = await linking;

    expect(answers.map((res) => res.status).sort()).toEqual([200, 409]);
    expect(answers.find((res) => res.status === 409)?.body.error.details).toEqual({ code: 'identity_already_linked' });
    const linked = await db('tiktok_identities as i')
      .join('tiktok_identities_user_lnk as l', 'l.identity_id', 'i.id')
      .select('l.user_id')
      .where('i.union_id', account.unionId);
    const winner = answers.findIndex((res) => res.status === 200);
    expect(linked).toEqual([{ user_id: [first, second][winner].body.user.id }]);
  } finally {
    await release();
  }
});
