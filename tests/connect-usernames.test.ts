/**
 * A new user's username when its TikTok name is taken: by a user of the app whose database enforces
 * unique usernames, and by every suffixed form the plugin tries.
 */
import type { Knex } from 'knex';

import type { FakeTikTok } from './support/fake-tiktok';
import { createUpUser, startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const USER_UID = 'plugin::users-permissions.user';

let tiktok: FakeTikTok;
let app: TestApp;

beforeAll(async () => ({ tiktok, app } = await startWithFakeTikTok()));
afterAll(() => stopAll({ app, tiktok }));

const users = () => app.strapi.db.query(USER_UID);
const loginAs = (displayName: string) =>
  app.request().post('/api/tiktok-auth-mobile/connect').send({ access_token: tiktok.issueAccessToken(tiktok.addAccount({ displayName })) });

describe('an app whose database keeps usernames unique', () => {
  // Through knex's schema builder: DROP INDEX is spelled differently on each database.
  const usernames = (change: (table: Knex.AlterTableBuilder) => void) => app.strapi.db.connection.schema.alterTable('up_users', change);
  beforeAll(() => usernames((table) => table.unique(['username'], { indexName: 'app_usernames_unique' })));
  afterAll(() => usernames((table) => table.dropUnique(['username'], 'app_usernames_unique')));

  it('gives a TikTok user whose name is taken a suffixed one, not a 500', async () => {
    const owner = await createUpUser(app.strapi, { username: 'Taken Name', email: 'taken@example.com', provider: 'local' });
    const usersBefore = await users().count();

    const res = await loginAs('Taken Name');

    expect(res.status).toBe(200);
    expect(res.body.user.username).toMatch(/^Taken Name\d{4}$/);
    expect(res.body.user.id).not.toBe(owner.id);
    expect(await users().count()).toBe(usersBefore + 1);
    expect(await app.strapi.db.query('plugin::tiktok-auth-mobile.identity').count({ where: { user: res.body.user.id } })).toBe(1);
  });

  it('gives concurrent first logins with one free name a user each', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => loginAs('Popular Name')));

    expect(answers.map((res) => res.status)).toEqual(Array(6).fill(200));
    const names = answers.map((res) => res.body.user.username as string);
    expect(new Set(names).size).toBe(6);
    expect(names).toContain('Popular Name');
  });
});

it('falls back to a random username when the name and every suffix tried are taken', async () => {
  // Every 4-digit suffix the plugin can append is taken too.
  const rows = Array.from({ length: 9001 }, (_, index) => ({
    username: index === 9000 ? 'Crowded' : `Crowded${1000 + index}`,
    email: `crowded-${index}@example.com`,
    provider: 'local',
    document_id: `crowded${index}`,
  }));
  await app.strapi.db.connection.batchInsert('up_users', rows, 500);

  const res = await loginAs('Crowded');

  expect(res.status).toBe(200);
  expect(res.body.user.username).toMatch(/^tiktok-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(await users().count({ where: { username: 'Crowded' } })).toBe(1);
});
