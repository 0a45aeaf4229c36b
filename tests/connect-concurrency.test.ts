import type { FakeAccount, FakeTikTok } from './support/fake-tiktok';
import { createUpUser, startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => ({ tiktok, app } = await startWithFakeTikTok()));
afterAll(() => stopAll({ app, tiktok }));

const connect = (token: string) =>
  app.request().post('/api/tiktok-auth-mobile/connect').send({ access_token: token });

it('20 concurrent first logins of one TikTok account create exactly one user and one identity', async () => {
  const account = tiktok.addAccount();
  // TikTok answering a little late lets every request pass the "not found yet" check before any writes.
  tiktok.latencyMs = 30;
  const tokens = Array.from({ length: 20 }, () => tiktok.issueAccessToken(account));

  const answers = await Promise.all(tokens.map(connect));
  tiktok.latencyMs = 0;

  expect(answers.map((res) => res.status)).toEqual(Array(20).fill(200));
  const ids = new Set(answers.map((res) => res.body.user.id));
  expect(ids.size).toBe(1);
  const users = await app.strapi.db
    .query('plugin::users-permissions.user')
    .findMany({ where: { email: `${account.unionId}@tiktok.com` } });
  expect(users.map((user: { id: number }) => user.id)).toEqual([...ids]);
  const identities = await app.strapi.db
    .query('plugin::tiktok-auth-mobile.identity')
    .findMany({ where: { unionId: account.unionId }, populate: ['user'] });
  expect(identities).toHaveLength(1);
  expect(identities[0].user.id).toBe(users[0].id);
  expect(tiktok.counters.userInfo).toBe(20);
});

it('concurrent first logins of different accounts with the same name all get their own user', async () => {
  const accounts = Array.from({ length: 10 }, () => tiktok.addAccount({ displayName: 'Twin' }));

  const answers = await Promise.all(accounts.map((account) => connect(tiktok.issueAccessToken(account))));

  expect(answers.map((res) => res.status)).toEqual(Array(10).fill(200));
  expect(new Set(answers.map((res) => res.body.user.id)).size).toBe(10);
  expect(new Set(answers.map((res) => res.body.user.username)).size).toBe(10);
});

/**
 * Plays another Strapi process that links `account` to a user of its own right after this login
 * has read the identity (and found none, or one whose user was deleted).
 */
function anotherProcessLinksFirst(account: FakeAccount, username: string) {
  const identityQuery = app.strapi.db.query('plugin::tiktok-auth-mobile.identity');
  const race: { winner?: { id: number } } = {};
  const unsubscribe = app.strapi.db.lifecycles.subscribe({
    models: ['plugin::tiktok-auth-mobile.identity'],
    async afterFindOne(event) {
      if (race.winner || (event.params.where as { unionId?: string })?.unionId !== account.unionId) return;
      // The other process's user does not carry the pseudo-email, so only the database can catch the race.
      const user = await createUpUser(app.strapi, { username, email: `${username}@example.com`, provider: 'tiktok' });
      race.winner = user;
      await identityQuery.deleteMany({ where: { unionId: account.unionId } });
      await identityQuery.create({ data: { unionId: account.unionId, user: user.id } });
    },
  });
  return { race, unsubscribe };
}

const expectWinnerOnly = async (res: { status: number; body: any }, account: FakeAccount, winner?: { id: number }) => {
  expect(res.status).toBe(200);
  expect(winner).toBeDefined();
  expect(res.body.user.id).toBe(winner?.id);
  const orphans = await app.strapi.db
    .query('plugin::users-permissions.user')
    .count({ where: { email: `${account.unionId}@tiktok.com` } });
  expect(orphans).toBe(0);
  expect(await app.strapi.db.query('plugin::tiktok-auth-mobile.identity').count({ where: { unionId: account.unionId } })).toBe(1);
};

// The unique index on union_id must make this login's write fail, roll back the user it created,
// and answer with the winner's.
it('a first login that loses the race to another process rolls back and answers with the winner', async () => {
  const account = tiktok.addAccount();
  const { race, unsubscribe } = anotherProcessLinksFirst(account, 'race-winner');
  try {
    await expectWinnerOnly(await connect(tiktok.issueAccessToken(account)), account, race.winner);
  } finally {
    unsubscribe();
  }
});

it('a login that loses the race to relink an account whose user was deleted answers with the winner', async () => {
  const account = tiktok.addAccount();
  const first = await connect(tiktok.issueAccessToken(account));
  await app.strapi.db.query('plugin::users-permissions.user').delete({ where: { id: first.body.user.id } });
  const { race, unsubscribe } = anotherProcessLinksFirst(account, 'relink-winner');
  try {
    await expectWinnerOnly(await connect(tiktok.issueAccessToken(account)), account, race.winner);
  } finally {
    unsubscribe();
  }
});
