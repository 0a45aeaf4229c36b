import type { FakeTikTok } from './support/fake-tiktok';
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
 * Another process linking the same account between our read and our write: the unique index on
 * union_id must make our write fail, roll back the user it created, and answer with the winner's.
 */
it('a login that loses the race to another process rolls back and answers with the winner', async () => {
  const account = tiktok.addAccount();
  const identityQuery = app.strapi.db.query('plugin::tiktok-auth-mobile.identity');
  let winner: { id: number } | undefined;

  const unsubscribe = app.strapi.db.lifecycles.subscribe({
    models: ['plugin::tiktok-auth-mobile.identity'],
    async afterFindOne(event) {
      if (winner || (event.params.where as { unionId?: string })?.unionId !== account.unionId) return;
      // The other process's user does not carry the pseudo-email, so only the index can catch the race.
      const user = await createUpUser(app.strapi, { username: 'race-winner', email: 'winner@example.com', provider: 'tiktok' });
      winner = user;
      await identityQuery.create({ data: { unionId: account.unionId, user: user.id } });
    },
  });
  try {
    const res = await connect(tiktok.issueAccessToken(account));

    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(winner?.id);
    const orphans = await app.strapi.db
      .query('plugin::users-permissions.user')
      .count({ where: { email: `${account.unionId}@tiktok.com` } });
    expect(orphans).toBe(0);
    expect(await identityQuery.count({ where: { unionId: account.unionId } })).toBe(1);
  } finally {
    unsubscribe();
  }
});

it('a login that loses the race to relink an account whose user was deleted answers with the winner', async () => {
  const account = tiktok.addAccount();
  const first = await connect(tiktok.issueAccessToken(account));
  await app.strapi.db.query('plugin::users-permissions.user').delete({ where: { id: first.body.user.id } });
  const identityQuery = app.strapi.db.query('plugin::tiktok-auth-mobile.identity');
  let winner: { id: number } | undefined;

  const unsubscribe = app.strapi.db.lifecycles.subscribe({
    models: ['plugin::tiktok-auth-mobile.identity'],
    async afterFindOne(event) {
      if (winner || (event.params.where as { unionId?: string })?.unionId !== account.unionId) return;
      // The other process replaces the stale identity with one linked to the user it created.
      const user = await createUpUser(app.strapi, { username: 'relink-winner', email: 'relink@example.com', provider: 'tiktok' });
      winner = user;
      await identityQuery.deleteMany({ where: { unionId: account.unionId } });
      await identityQuery.create({ data: { unionId: account.unionId, user: user.id } });
    },
  });
  try {
    const res = await connect(tiktok.issueAccessToken(account));

    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(winner?.id);
    expect(
      await app.strapi.db.query('plugin::users-permissions.user').count({ where: { email: `${account.unionId}@tiktok.com` } })
    ).toBe(0);
    expect(await identityQuery.count({ where: { unionId: account.unionId } })).toBe(1);
  } finally {
    unsubscribe();
  }
});
