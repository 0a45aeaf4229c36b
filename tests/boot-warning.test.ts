/**
 * The warning a boot logs while access tokens are accepted next to code-flow clients. Each case boots
 * Strapi (twice, on one database, when the settings are saved ones).
 */
import { createTestDatabase } from './support/database';
import { startStrapi } from './support/strapi';

const WARNING = /^warn: \[tiktok-auth-mobile\] .*allowAccessToken/;
const CLIENTS = JSON.stringify([{ clientKey: 'aw-boot', clientSecret: 'boot-secret', redirectUri: 'https://app.example/tiktok/boot' }]);

const warningsOfBoot = async (env: Record<string, string>, saved?: object) => {
  const database = await createTestDatabase();
  try {
    if (saved) {
      const seeding = await startStrapi(env, { database });
      await seeding.strapi.store({ type: 'plugin', name: 'tiktok-auth-mobile', key: 'settings' }).set({ value: saved });
      await seeding.destroy();
    }
    const app = await startStrapi(env, { database });
    await app.destroy();
    return app.logs.filter((line) => WARNING.test(line));
  } finally {
    await database.drop();
  }
};

const savedWith = (allowAccessToken: boolean) => ({
  clients: [{ clientKey: 'aw-saved-boot', redirectUri: 'https://app.example/tiktok/saved-boot' }],
  scopes: ['user.info.basic'],
  allowAccessToken,
});

it('warns once, saying why and how to turn access tokens off, with clients in the config file', async () => {
  const warnings = await warningsOfBoot({ TIKTOK_CLIENTS: CLIENTS });

  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain('access token from any other TikTok app');
  expect(warnings[0]).toContain('allowAccessToken: false');
});

it('warns once with clients saved on the admin page', async () => {
  expect(await warningsOfBoot({}, savedWith(true))).toHaveLength(1);
});

it.each<[string, Record<string, string>, object | undefined]>([
  ['without clients', {}, undefined],
  ['with access tokens off in the config file', { TIKTOK_CLIENTS: CLIENTS, TIKTOK_ALLOW_ACCESS_TOKEN: 'false' }, undefined],
  ['with access tokens off on the admin page', { TIKTOK_CLIENTS: CLIENTS }, savedWith(false)],
])('does not warn %s', async (_label, env, saved) => {
  expect(await warningsOfBoot(env, saved)).toEqual([]);
});
