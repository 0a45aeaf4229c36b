/**
 * What the plugin does with what the plugin store holds: values that are not valid settings, secrets
 * that cannot be decrypted, and no encryption key. The values are written straight into the store, as
 * a database edit, a restore or another plugin version would leave them.
 */
import { createTestDatabase, type TestDatabase } from './support/database';
import { loginSuperAdmin, registerSuperAdmin } from './support/admin';
import { FakeTikTok } from './support/fake-tiktok';
import { startStrapi, startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const SETTINGS = '/tiktok-auth-mobile/settings';
const CONNECT = '/api/tiktok-auth-mobile/connect';
const CONFIG_CLIENT = {
  clientKey: 'aw-config-stored',
  clientSecret: 'config-file-secret-7a0c',
  redirectUri: 'https://app.example/tiktok/stored',
};
const INVALID_LINE = /^error: \[tiktok-auth-mobile\] the saved settings are invalid/;
const UNDECRYPTABLE_LINE = /^error: \[tiktok-auth-mobile\] .*cannot be decrypted/;

/** One booted Strapi and the admin token and requests the tests use on it. */
const driver = (app: TestApp, tiktok: FakeTikTok, token: string) => ({
  app,
  tiktok,
  get: () => app.request().get(SETTINGS).set('Authorization', `Bearer ${token}`),
  put: (body: object) => app.request().put(SETTINGS).set('Authorization', `Bearer ${token}`).send(body),
  connect: (body: object) => app.request().post(CONNECT).send(body),
  store: () => app.strapi.store({ type: 'plugin', name: 'tiktok-auth-mobile', key: 'settings' }),
  /** Log lines written from now on that match `pattern`. */
  linesFromNow(pattern: RegExp) {
    const from = app.logs.length;
    return () => app.logs.slice(from).filter((line) => pattern.test(line));
  },
  codeLogin(clientKey: string) {
    const { code, codeVerifier } = tiktok.authorize(tiktok.addAccount(), { clientKey });
    return app.request().post(CONNECT).send({ code, code_verifier: codeVerifier, client_key: clientKey });
  },
});
type Driver = ReturnType<typeof driver>;

const usersNamed = (app: TestApp, unionId: string) =>
  app.strapi.db.query('plugin::users-permissions.user').count({ where: { email: `${unionId}@tiktok.com` } });

const savedClient = (clientKey: string, extra: Record<string, unknown> = {}) => ({
  clientKey,
  redirectUri: `https://app.example/tiktok/${clientKey}`,
  ...extra,
});

/**
 * A client whose saved secret the server cannot read: the admin view says so, a code login answers 502
 * and logs one error however often it is tried, and typing the secret again repairs it.
 */
async function expectUnreadableSecretThenRepair(t: Driver, clientKey: string) {
  const errors = t.linesFromNow(UNDECRYPTABLE_LINE);
  t.tiktok.resetCounters();

  const view = await t.get();
  expect(view.status).toBe(200);
  expect(view.body.data.clients).toEqual([expect.objectContaining({ clientKey, hasClientSecret: true, clientSecretUnreadable: true })]);

  for (let attempt = 0; attempt < 2; attempt += 1) {
    const res = await t.codeLogin(clientKey);
    expect(res.status).toBe(502);
    expect(res.body.error.details.code).toBe('tiktok_unavailable');
  }
  expect(t.tiktok.counters.token).toBe(0);
  expect(errors()).toHaveLength(1);
  expect(errors()[0]).toContain(clientKey);

  const secret = `retyped-secret-${clientKey}`;
  t.tiktok.registerClient({ clientKey, clientSecret: secret, redirectUris: [savedClient(clientKey).redirectUri] });
  const saved = await t.put({ clients: [savedClient(clientKey, { clientSecret: secret })], scopes: ['user.info.basic'], allowAccessToken: true });
  expect(saved.status).toBe(200);
  expect(saved.body.data.clients[0]).toMatchObject({ hasClientSecret: true, clientSecretUnreadable: false });
  expect((await t.codeLogin(clientKey)).status).toBe(200);
}

describe('one running Strapi', () => {
  let t: Driver;
  let tiktok: FakeTikTok;
  let app: TestApp;

  beforeAll(async () => {
    ({ tiktok, app } = await startWithFakeTikTok({}, [CONFIG_CLIENT]));
    t = driver(app, tiktok, await registerSuperAdmin(app));
  });
  afterAll(() => stopAll({ app, tiktok }));
  beforeEach(() => t.store().delete({}));

  const valid = { clients: [savedClient('aw-saved')], scopes: ['user.info.basic'], allowAccessToken: true };

  describe('saved settings that are not valid', () => {
    it.each<[string, unknown]>([
      ['clients that are not a list', { ...valid, clients: 'aw-saved' }],
      ['allowAccessToken as a string', { ...valid, allowAccessToken: 'false' }],
      ['a client without its redirectUri', { ...valid, clients: [{ clientKey: 'aw-saved' }] }],
      ['a client that is not an object', { ...valid, clients: [null] }],
      ['an unknown key', { ...valid, allowAcessToken: false }],
      ['an unknown scope', { ...valid, scopes: ['user.info.basic', 'video.list'] }],
      ['appRedirects that are not a list', { ...valid, appRedirects: 'myapp://auth' }],
      ['an app redirect on plain http off loopback', { ...valid, appRedirects: ['http://example.com/cb'] }],
      ['a value that is not an object', ['user.info.basic']],
    ])('%s: logins run on the config file with access tokens refused, logged once', async (_label, value) => {
      await t.store().set({ value });
      const invalidLines = t.linesFromNow(INVALID_LINE);
      const account = tiktok.addAccount();

      for (let attempt = 0; attempt < 2; attempt += 1) {
        const res = await t.connect({ access_token: tiktok.issueAccessToken(account) });
        expect(res.status).toBe(400);
        expect(res.body.error.details.code).toBe('access_token_disabled');
      }
      expect(await usersNamed(app, account.unionId)).toBe(0);

      const codeLogin = await t.codeLogin(CONFIG_CLIENT.clientKey);
      expect(codeLogin.status).toBe(200);
      expect((await t.codeLogin('aw-saved')).body.error.details.code).toBe('unknown_client');

      expect(invalidLines()).toHaveLength(1);
    });

    it('an invalid app redirect: the browser login runs on the config file list', async () => {
      const settings = () => app.strapi.plugin('tiktok-auth-mobile').service('settings').get() as Promise<{ appRedirects: string[] }>;
      await t.store().set({ value: { ...valid, appRedirects: ['myapp://auth'] } });
      expect((await settings()).appRedirects).toEqual(['myapp://auth']);

      await t.store().set({ value: { ...valid, appRedirects: ['myapp://auth', 'javascript:alert(1)'] } });

      expect((await settings()).appRedirects).toEqual([]);
      expect((await t.get()).body.meta).toMatchObject({ sources: { appRedirects: 'config' }, storedSettingsInvalid: true });
    });

    it('logs a value again only when it changes', async () => {
      const lines = t.linesFromNow(INVALID_LINE);
      const login = () => t.connect({ access_token: tiktok.issueAccessToken(tiktok.addAccount()) });

      await t.store().set({ value: { ...valid, allowAccessToken: 'yes' } });
      await login();
      await login();
      await t.store().set({ value: { ...valid, allowAccessToken: 'no' } });
      await login();
      await login();

      expect(lines()).toHaveLength(2);
    });

    it('shows admins the fallback with a flag, and a valid save replaces the stored value', async () => {
      await t.store().set({ value: { ...valid, clients: 'aw-saved' } });

      const view = await t.get();
      expect(view.status).toBe(200);
      expect(view.body).toEqual({
        data: {
          clients: [
            {
              clientKey: CONFIG_CLIENT.clientKey,
              redirectUri: CONFIG_CLIENT.redirectUri,
              label: '',
              hasClientSecret: true,
              clientSecretUnreadable: false,
            },
          ],
          scopes: ['user.info.basic'],
          allowAccessToken: false,
          appRedirects: [],
          storeTokens: false,
        },
        meta: {
          sources: { clients: 'config', scopes: 'config', allowAccessToken: 'config', appRedirects: 'config', storeTokens: 'config' },
          storedSettingsInvalid: true,
          callbackUrl: expect.stringMatching(/^http:\/\/.*\/api\/tiktok-auth-mobile\/callback$/),
        },
      });

      const saved = await t.put(valid);
      expect(saved.status).toBe(200);
      expect(saved.body.meta.storedSettingsInvalid).toBe(false);
      expect((await t.get()).body.meta.storedSettingsInvalid).toBe(false);
      expect(await t.store().get({})).toEqual(valid);
      const login = await t.connect({ access_token: tiktok.issueAccessToken(tiktok.addAccount()) });
      expect(login.status).toBe(200);
    });
  });

  describe('secrets are decrypted only for the client a login uses', () => {
    /** Encrypted under another key, as after a change of admin.secrets.encryptionKey. */
    const encryptedUnderAnotherKey = (secret: string) => {
      const current = app.strapi.config.get('admin.secrets.encryptionKey');
      app.strapi.config.set('admin.secrets.encryptionKey', 'a-key-this-server-no-longer-has');
      try {
        return app.strapi.service('admin::encryption').encrypt(secret) as string;
      } finally {
        app.strapi.config.set('admin.secrets.encryptionKey', current);
      }
    };

    it('logs at most one decryption error per login, naming only the client used', async () => {
      const keys = ['aw-old-ios', 'aw-old-android', 'aw-old-sandbox'];
      await t.store().set({
        value: {
          ...valid,
          clients: keys.map((key) => savedClient(key, { encryptedSecret: encryptedUnderAnotherKey(`secret-of-${key}`) })),
        },
      });
      const decryptLines = t.linesFromNow(/decrypt/i);

      const tokenLogin = await t.connect({ access_token: tiktok.issueAccessToken(tiktok.addAccount()) });
      expect(tokenLogin.status).toBe(200);
      expect(decryptLines()).toEqual([]);

      const codeLogin = await t.codeLogin('aw-old-android');
      expect(codeLogin.status).toBe(502);
      const errors = decryptLines().filter((line) => line.startsWith('error:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('aw-old-android');
    });
  });

  describe('a saved secret that is not an encrypted value', () => {
    it('is reported, refuses code logins, and is repaired by typing the secret again', async () => {
      await t.store().set({ value: { ...valid, clients: [savedClient('aw-garbled', { encryptedSecret: 'not-an-encrypted-value' })] } });
      await expectUnreadableSecretThenRepair(t, 'aw-garbled');
    });
  });
});

describe('an encryption key changed between two boots', () => {
  let tiktok: FakeTikTok;
  let database: TestDatabase;
  let app: TestApp | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await stopAll({ app, tiktok });
    await database.drop();
  });

  it('leaves the saved secret unreadable until the admin types it again', async () => {
    const clientKey = 'aw-rekeyed';
    const bootWithKey = (key: string) => startStrapi({ TIKTOK_API_BASE_URL: tiktok.url, ENCRYPTION_KEY: key }, { database });
    tiktok = await FakeTikTok.start();
    app = await bootWithKey('first-encryption-key-of-this-app!');
    const saved = await driver(app, tiktok, await registerSuperAdmin(app)).put({
      clients: [savedClient(clientKey, { clientSecret: 'first-secret' })],
      scopes: ['user.info.basic'],
      allowAccessToken: true,
    });
    expect(saved.status).toBe(200);
    await app.destroy();

    app = await bootWithKey('second-encryption-key-of-this-app');
    await expectUnreadableSecretThenRepair(driver(app, tiktok, await loginSuperAdmin(app)), clientKey);
  });
});

describe('no encryption key', () => {
  let t: Driver;
  let tiktok: FakeTikTok;
  let app: TestApp;

  beforeAll(async () => {
    ({ tiktok, app } = await startWithFakeTikTok({ ENCRYPTION_KEY: '' }, [CONFIG_CLIENT]));
    t = driver(app, tiktok, await registerSuperAdmin(app));
  });
  afterAll(() => stopAll({ app, tiktok }));

  it('refuses to store a new secret with a clear 400 and stores nothing', async () => {
    const res = await t.put({ clients: [savedClient('aw-new', { clientSecret: 'a-secret-with-no-key' })], scopes: ['user.info.basic'], allowAccessToken: true });

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      name: 'ApplicationError',
      message: expect.stringContaining('set admin.secrets.encryptionKey (ENCRYPTION_KEY)'),
    });
    expect(JSON.stringify(res.body)).not.toContain('a-secret-with-no-key');
    expect(await t.store().get({})).toBeNull();
  });

  it('still saves settings that type no secret, and the config-file secret keeps working', async () => {
    const res = await t.put({
      clients: [{ clientKey: CONFIG_CLIENT.clientKey, redirectUri: CONFIG_CLIENT.redirectUri }],
      scopes: ['user.info.basic'],
      allowAccessToken: false,
    });

    expect(res.status).toBe(200);
    expect(res.body.data.clients[0]).toMatchObject({ hasClientSecret: true, clientSecretUnreadable: false });
    expect((await t.codeLogin(CONFIG_CLIENT.clientKey)).status).toBe(200);
  });
});
