import type { FakeTikTok } from './support/fake-tiktok';
import { createRole, loginAdminWithRole, registerSuperAdmin } from './support/admin';
import { startWithFakeTikTok, stopAll, type TestApp } from './support/strapi';

const SETTINGS = '/tiktok-auth-mobile/settings';
const READ = 'plugin::tiktok-auth-mobile.settings.read';
const UPDATE = 'plugin::tiktok-auth-mobile.settings.update';
const CONFIG_CLIENT = {
  clientKey: 'aw-config-ios',
  clientSecret: 'config-file-secret-5e1d',
  redirectUri: 'https://app.example/tiktok/ios',
  label: 'iOS (config)',
};
const CONFIG_APP_REDIRECTS = ['myapp://auth', 'https://app.example/tiktok/web-done'];
const CALLBACK_URL = 'https://cms.example.com/api/tiktok-auth-mobile/callback';

let tiktok: FakeTikTok;
let app: TestApp;
let superToken: string;

beforeAll(async () => {
  ({ tiktok, app } = await startWithFakeTikTok(
    { PUBLIC_URL: 'https://cms.example.com', TIKTOK_APP_REDIRECTS: JSON.stringify(CONFIG_APP_REDIRECTS) },
    [CONFIG_CLIENT]
  ));
  superToken = await registerSuperAdmin(app);
});
afterAll(() => stopAll({ app, tiktok }));

const get = (token: string | null) => {
  const req = app.request().get(SETTINGS);
  return token ? req.set('Authorization', `Bearer ${token}`) : req;
};
const put = (body: unknown, token: string | null = superToken) => {
  const req = app.request().put(SETTINGS);
  return (token ? req.set('Authorization', `Bearer ${token}`) : req).send(body as object);
};
const connect = (body: object) => app.request().post('/api/tiktok-auth-mobile/connect').send(body);

/** The store row exactly as the database holds it. */
const storedRow = async (): Promise<string | undefined> => {
  const row = await app.strapi.db
    .connection('strapi_core_store_settings')
    .where({ key: 'plugin_tiktok-auth-mobile_settings' })
    .first();
  return row?.value;
};

const validSettings = (overrides: Record<string, unknown> = {}) => ({
  clients: [{ clientKey: CONFIG_CLIENT.clientKey, redirectUri: CONFIG_CLIENT.redirectUri, label: 'iOS' }],
  scopes: ['user.info.basic'],
  allowAccessToken: true,
  ...overrides,
});

describe('authentication and RBAC', () => {
  it('answers 401 without an admin token', async () => {
    expect((await get(null)).status).toBe(401);
    expect((await put(validSettings(), null)).status).toBe(401);
    expect(await storedRow()).toBeUndefined();
  });

  it('answers 401 to a users-permissions JWT', async () => {
    const account = tiktok.addAccount();
    const login = await connect({ access_token: tiktok.issueAccessToken(account) });
    expect((await get(login.body.jwt)).status).toBe(401);
  });

  it('answers 403 to an Editor, whose role lacks both actions', async () => {
    const editorRole = await app.strapi.service('admin::role').findOne({ code: 'strapi-editor' });
    const editor = await loginAdminWithRole(app, editorRole.id, 'editor@example.com');

    expect((await get(editor)).status).toBe(403);
    expect((await put(validSettings({ allowAccessToken: false }), editor)).status).toBe(403);
    expect(await storedRow()).toBeUndefined();
  });

  it('lets a role with only settings.read read but not update', async () => {
    const reader = await loginAdminWithRole(app, await createRole(app, 'TikTok readers', [READ]), 'reader@example.com');

    expect((await get(reader)).status).toBe(200);
    expect((await put(validSettings({ allowAccessToken: false }), reader)).status).toBe(403);
    expect(await storedRow()).toBeUndefined();
  });

  it('registers its actions so a super admin can grant them', async () => {
    const res = await app.request().get('/admin/permissions').set('Authorization', `Bearer ${superToken}`);

    expect(res.status).toBe(200);
    const actions = (res.body.data.sections.plugins as Array<{ action: string; subCategory: string; plugin: string }>).filter(
      (action) => action.plugin === 'tiktok-auth-mobile'
    );
    expect(actions.map((action) => action.action).sort()).toEqual(
      [
        'plugin::tiktok-auth-mobile.identities.read',
        'plugin::tiktok-auth-mobile.identities.revoke',
        READ,
        UPDATE,
        'plugin::tiktok-auth-mobile.tokens.delete',
      ]
    );
  });
});

describe('GET', () => {
  it('shows the config-file settings, their source, and never a secret', async () => {
    const res = await get(superToken);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        clients: [
          {
            clientKey: CONFIG_CLIENT.clientKey,
            redirectUri: CONFIG_CLIENT.redirectUri,
            label: 'iOS (config)',
            hasClientSecret: true,
            clientSecretUnreadable: false,
          },
        ],
        scopes: ['user.info.basic'],
        allowAccessToken: true,
        appRedirects: CONFIG_APP_REDIRECTS,
        storeTokens: false,
      },
      meta: {
        sources: { clients: 'config', scopes: 'config', allowAccessToken: 'config', appRedirects: 'config', storeTokens: 'config' },
        storedSettingsInvalid: false,
        callbackUrl: CALLBACK_URL,
      },
    });
    expect(JSON.stringify(res.body)).not.toContain(CONFIG_CLIENT.clientSecret);
  });
});

describe('PUT validation', () => {
  const client = { clientKey: 'aw-k', redirectUri: 'https://app.example/cb' };

  it.each([
    ['an unknown scope', { scopes: ['user.info.basic', 'video.list'] }, ['scopes', '1']],
    ['scopes without user.info.basic', { scopes: ['user.info.profile'] }, ['scopes']],
    ['an empty client key', { clients: [{ ...client, clientKey: '' }] }, ['clients', '0', 'clientKey']],
    ['a missing client key', { clients: [{ redirectUri: client.redirectUri }] }, ['clients', '0', 'clientKey']],
    ['duplicate client keys', { clients: [client, { ...client, redirectUri: 'https://app.example/other' }] }, ['clients']],
    ['an http redirect URI', { clients: [{ ...client, redirectUri: 'http://app.example/cb' }] }, ['clients', '0', 'redirectUri']],
    ['a redirect URI with a fragment', { clients: [{ ...client, redirectUri: 'https://app.example/cb#x' }] }, ['clients', '0', 'redirectUri']],
    ['a relative redirect URI', { clients: [{ ...client, redirectUri: '/cb' }] }, ['clients', '0', 'redirectUri']],
    [
      'more than 10 redirect URIs',
      { clients: Array.from({ length: 11 }, (_, i) => ({ clientKey: `aw-${i}`, redirectUri: `https://app.example/${i}` })) },
      ['clients'],
    ],
    ['an over-long client key', { clients: [{ ...client, clientKey: 'k'.repeat(129) }] }, ['clients', '0', 'clientKey']],
    ['an over-long label', { clients: [{ ...client, label: 'l'.repeat(101) }] }, ['clients', '0', 'label']],
    ['an over-long redirect URI', { clients: [{ ...client, redirectUri: `https://app.example/${'p'.repeat(600)}` }] }, ['clients', '0', 'redirectUri']],
    ['a non-boolean allowAccessToken', { allowAccessToken: 'yes' }, ['allowAccessToken']],
    ['an unknown client field', { clients: [{ ...client, secret: 'x' }] }, ['clients', '0']],
  ])('refuses %s with a per-field error and stores nothing', async (_label, overrides, path) => {
    const res = await put(validSettings(overrides));

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ data: null, error: { status: 400, name: 'ValidationError' } });
    expect(res.body.error.details.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.any(String) })]));
    expect(await storedRow()).toBeUndefined();
  });

  it('never echoes a rejected secret', async () => {
    const secret = `too-long-secret-${'s'.repeat(600)}`;
    const res = await put(validSettings({ clients: [{ ...client, clientSecret: secret }] }));

    expect(res.status).toBe(400);
    expect(res.body.error.details.errors[0].path).toEqual(['clients', '0', 'clientSecret']);
    expect(JSON.stringify(res.body)).not.toContain('too-long-secret');
    expect(await storedRow()).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a client that is a string', { clients: ['s3cret-client-value'] }, 's3cret-client-value'],
    ['a client that is a number', { clients: [86753091] }, '86753091'],
    ['a client that is an array', { clients: [['s3cret-in-array']] }, 's3cret-in-array'],
    ['a client that is null', { clients: [null] }, 'final value'],
    ['clients that are a string', { clients: 's3cret-clients' }, 's3cret-clients'],
    ['a secret that is a number', { clients: [{ ...client, clientSecret: 31415926 }] }, '31415926'],
    ['a label that is an array', { clients: [{ ...client, label: ['s3cret-label'] }] }, 's3cret-label'],
    ['a scope that is an object', { scopes: ['user.info.basic', { s: 's3cret-scope' }] }, 's3cret-scope'],
    ['allowAccessToken as an object', { allowAccessToken: { s: 's3cret-flag' } }, 's3cret-flag'],
  ])('refuses %s without echoing it', async (_label, overrides, value) => {
    const res = await put(validSettings(overrides));

    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(JSON.stringify(res.body)).not.toContain(value);
    expect(JSON.stringify(res.body)).not.toContain('final value');
    expect(await storedRow()).toBeUndefined();
  });

  it.each([
    ['an array', []],
    ['a missing field', { clients: [], scopes: ['user.info.basic'] }],
  ])('refuses %s as the body', async (_label, body) => {
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(await storedRow()).toBeUndefined();
  });
});

describe('PUT', () => {
  it('stores settings that override the config file, encrypts secrets, and never returns them', async () => {
    const res = await put(
      validSettings({
        clients: [
          { clientKey: CONFIG_CLIENT.clientKey, redirectUri: CONFIG_CLIENT.redirectUri, label: 'iOS' },
          { clientKey: 'aw-admin-android', redirectUri: 'https://app.example/tiktok/android', label: 'Android', clientSecret: 'admin-android-secret-77' },
        ],
        scopes: ['user.info.basic', 'user.info.profile'],
      })
    );

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        clients: [
          { clientKey: CONFIG_CLIENT.clientKey, redirectUri: CONFIG_CLIENT.redirectUri, label: 'iOS', hasClientSecret: true, clientSecretUnreadable: false },
          {
            clientKey: 'aw-admin-android',
            redirectUri: 'https://app.example/tiktok/android',
            label: 'Android',
            hasClientSecret: true,
            clientSecretUnreadable: false,
          },
        ],
        scopes: ['user.info.basic', 'user.info.profile'],
        allowAccessToken: true,
        appRedirects: CONFIG_APP_REDIRECTS,
        storeTokens: false,
      },
      meta: {
        // Sent without appRedirects and storeTokens: the config file's values still apply.
        sources: { clients: 'admin', scopes: 'admin', allowAccessToken: 'admin', appRedirects: 'config', storeTokens: 'config' },
        storedSettingsInvalid: false,
        callbackUrl: CALLBACK_URL,
      },
    });
    expect((await get(superToken)).body).toEqual(res.body);

    const row = await storedRow();
    for (const secret of ['admin-android-secret-77', CONFIG_CLIENT.clientSecret]) {
      expect(row).not.toContain(secret);
      expect(JSON.stringify(res.body)).not.toContain(secret);
    }
    // The secret typed in the admin panel is encrypted; the config file's is never copied into the database.
    expect(row?.match(/"encryptedSecret":"v1:[0-9a-f]+:[0-9a-f]+:[0-9a-f]+"/g)).toHaveLength(1);
    expect(row).toContain('"secretFromConfig":true');
    expect(app.logs.join('\n')).not.toContain('admin-android-secret-77');
  });

  it('keeps the secret of a client sent without clientSecret: the code flow still exchanges with it', async () => {
    await put(validSettings());
    const account = tiktok.addAccount();
    const { code, codeVerifier } = tiktok.authorize(account, { clientKey: CONFIG_CLIENT.clientKey });
    const exchanges = tiktok.counters.token;

    const res = await connect({ code, code_verifier: codeVerifier });

    expect(res.status).toBe(200);
    expect(tiktok.counters.token).toBe(exchanges + 1);
  });

  it('keeps a secret typed in the admin panel across saves that do not send it', async () => {
    const android = { clientKey: 'aw-kept-android', redirectUri: 'https://app.example/tiktok/kept', clientSecret: 'typed-secret-kept-3' };
    tiktok.registerClient({ clientKey: android.clientKey, clientSecret: android.clientSecret, redirectUris: [android.redirectUri] });
    await put(validSettings({ clients: [android] }));
    const { clientSecret: _typed, ...withoutSecret } = android;

    const resaved = await put(validSettings({ clients: [{ ...withoutSecret, label: 'Android' }], allowAccessToken: false }));
    const account = tiktok.addAccount();
    const { code, codeVerifier } = tiktok.authorize(account, { clientKey: android.clientKey });
    const res = await connect({ code, code_verifier: codeVerifier, client_key: android.clientKey });

    expect(resaved.body.data.clients[0]).toMatchObject({ label: 'Android', hasClientSecret: true });
    // The fake TikTok answers invalid_client to any other secret.
    expect(res.status).toBe(200);
  });

  it("does not carry a secret over to a client whose key changed; the old key is unknown", async () => {
    const redirectUri = 'https://app.example/tiktok/renamed';
    for (const clientKey of ['aw-before-rename', 'aw-after-rename']) {
      tiktok.registerClient({ clientKey, clientSecret: 'secret-before-rename', redirectUris: [redirectUri] });
    }
    await put(validSettings({ clients: [{ clientKey: 'aw-before-rename', redirectUri, clientSecret: 'secret-before-rename' }] }));

    const renamed = await put(validSettings({ clients: [{ clientKey: 'aw-after-rename', redirectUri }] }));
    tiktok.resetCounters();
    const account = tiktok.addAccount();
    const login = (clientKey: string) => {
      const { code, codeVerifier } = tiktok.authorize(account, { clientKey });
      return connect({ code, code_verifier: codeVerifier, client_key: clientKey });
    };
    const withOldKey = await login('aw-before-rename');
    const withNewKey = await login('aw-after-rename');

    expect(renamed.body.data.clients[0]).toMatchObject({ clientKey: 'aw-after-rename', hasClientSecret: false });
    expect(withOldKey.status).toBe(400);
    expect(withOldKey.body.error.details.code).toBe('unknown_client');
    expect(withNewKey.status).toBe(502);
    expect(withNewKey.body.error.details.code).toBe('tiktok_unavailable');
    expect(tiktok.counters.token).toBe(0);
  });

  it('removes a secret sent as an empty string: the client then cannot exchange codes', async () => {
    const saved = await put(validSettings({ clients: [{ clientKey: CONFIG_CLIENT.clientKey, redirectUri: CONFIG_CLIENT.redirectUri, clientSecret: '' }] }));
    expect(saved.body.data.clients[0].hasClientSecret).toBe(false);
    tiktok.resetCounters();
    const logsBefore = app.logs.length;
    const account = tiktok.addAccount();
    const codeLogin = () => {
      const { code, codeVerifier } = tiktok.authorize(account, { clientKey: CONFIG_CLIENT.clientKey });
      return connect({ code, code_verifier: codeVerifier });
    };

    const answers = [await codeLogin(), await codeLogin(), await codeLogin()];

    for (const res of answers) {
      expect(res.status).toBe(502);
      expect(res.body.error.details.code).toBe('tiktok_unavailable');
    }
    expect(tiktok.counters.token).toBe(0);
    // Told once, not at every request that names the client.
    const reported = app.logs.slice(logsBefore).filter((line) => /aw-config-ios has no usable client secret/.test(line));
    expect(reported).toEqual([expect.stringMatching(/^error: /)]);
  });

  it('replaces a secret: the next exchange uses the new one', async () => {
    tiktok.registerClient({ clientKey: CONFIG_CLIENT.clientKey, clientSecret: 'rotated-secret-2', redirectUris: [CONFIG_CLIENT.redirectUri] });
    await put(validSettings({ clients: [{ clientKey: CONFIG_CLIENT.clientKey, redirectUri: CONFIG_CLIENT.redirectUri, clientSecret: 'rotated-secret-2' }] }));
    const account = tiktok.addAccount();
    const { code, codeVerifier } = tiktok.authorize(account, { clientKey: CONFIG_CLIENT.clientKey });

    const res = await connect({ code, code_verifier: codeVerifier });

    expect(res.status).toBe(200);
  });
});

describe('the connect endpoint follows a change at once', () => {
  it('allowAccessToken', async () => {
    const account = tiktok.addAccount();
    await put(validSettings({ allowAccessToken: false }));
    const refused = await connect({ access_token: tiktok.issueAccessToken(account) });
    await put(validSettings({ allowAccessToken: true }));
    const accepted = await connect({ access_token: tiktok.issueAccessToken(account) });

    expect(refused.body.error.details.code).toBe('access_token_disabled');
    expect(accepted.status).toBe(200);
  });

  it('scopes', async () => {
    const account = tiktok.addAccount({ username: 'scoped.user' });
    await put(validSettings({ scopes: ['user.info.basic', 'user.info.profile'] }));
    const basicOnly = await connect({ access_token: tiktok.issueAccessToken(account) });
    const granted = await connect({
      access_token: tiktok.issueAccessToken(account, { scopes: ['user.info.basic', 'user.info.profile'] }),
    });

    expect(basicOnly.body.error.details.code).toBe('tiktok_scope_missing');
    expect(granted.status).toBe(200);
    expect(granted.body.profile.username).toBe('scoped.user');
  });

  it('a client added in the admin panel', async () => {
    const android = { clientKey: 'aw-new-android', clientSecret: 'new-android-secret', redirectUri: 'https://app.example/tiktok/new-android' };
    tiktok.registerClient({ clientKey: android.clientKey, clientSecret: android.clientSecret, redirectUris: [android.redirectUri] });
    const account = tiktok.addAccount();
    const { code, codeVerifier } = tiktok.authorize(account, { clientKey: android.clientKey });
    const before = await connect({ code, code_verifier: codeVerifier, client_key: android.clientKey });

    await put(validSettings({ clients: [{ clientKey: CONFIG_CLIENT.clientKey, redirectUri: CONFIG_CLIENT.redirectUri }, android] }));
    const second = tiktok.authorize(account, { clientKey: android.clientKey });
    const after = await connect({ code: second.code, code_verifier: second.codeVerifier, client_key: android.clientKey });

    expect(before.body.error.details.code).toBe('unknown_client');
    expect(after.status).toBe(200);
  });
});

describe('appRedirects', () => {
  const store = () => app.strapi.store({ type: 'plugin', name: 'tiktok-auth-mobile', key: 'settings' });
  /** What the browser login reads. */
  const effective = () => app.strapi.plugin('tiktok-auth-mobile').service('settings').get() as Promise<{ appRedirects: string[] }>;
  const saved = ['exp://192.168.1.20:8081/--/auth', 'http://localhost:8081/auth', 'myapp://auth'];

  beforeEach(() => store().delete({}));

  it('GET shows the config file list with source config, and the callback URL to register at TikTok', async () => {
    const res = await get(superToken);

    expect(res.status).toBe(200);
    expect(res.body.data.appRedirects).toEqual(CONFIG_APP_REDIRECTS);
    expect(res.body.meta.sources.appRedirects).toBe('config');
    expect(res.body.meta.callbackUrl).toBe(CALLBACK_URL);
    expect((await effective()).appRedirects).toEqual(CONFIG_APP_REDIRECTS);
  });

  it('PUT stores them with source admin, and they win over the config file', async () => {
    const res = await put(validSettings({ appRedirects: saved }));

    expect(res.status).toBe(200);
    expect(res.body.data.appRedirects).toEqual(saved);
    expect(res.body.meta).toMatchObject({ sources: { appRedirects: 'admin' }, callbackUrl: CALLBACK_URL });
    expect((await get(superToken)).body).toEqual(res.body);
    expect(JSON.parse((await storedRow()) ?? '{}').appRedirects).toEqual(saved);
    expect((await effective()).appRedirects).toEqual(saved);
    expect(app.logs.filter((line) => line.includes('settings saved')).at(-1)).toMatch(/^info: \[tiktok-auth-mobile\] settings saved: .*, 3 app redirect\(s\),/);
  });

  it('PUT with an empty list turns the browser login off, whatever the config file says', async () => {
    const res = await put(validSettings({ appRedirects: [] }));

    expect(res.status).toBe(200);
    expect(res.body.data.appRedirects).toEqual([]);
    expect(res.body.meta.sources.appRedirects).toBe('admin');
    expect((await effective()).appRedirects).toEqual([]);
  });

  it('PUT without appRedirects keeps the saved list', async () => {
    await put(validSettings({ appRedirects: saved }));

    const res = await put(validSettings({ allowAccessToken: false }));

    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ allowAccessToken: false, appRedirects: saved });
    expect(res.body.meta.sources.appRedirects).toBe('admin');
    expect((await effective()).appRedirects).toEqual(saved);
  });

  it('PUT without appRedirects leaves them to the config file when none are saved', async () => {
    const res = await put(validSettings());

    expect(res.status).toBe(200);
    expect(res.body.meta.sources.appRedirects).toBe('config');
    expect(JSON.parse((await storedRow()) ?? '{}')).not.toHaveProperty('appRedirects');
    expect((await effective()).appRedirects).toEqual(CONFIG_APP_REDIRECTS);
  });

  it.each<[string, unknown, string[], string]>([
    ['a list that is a string', 'myapp://not-a-list', ['appRedirects'], 'myapp://not-a-list'],
    ['an entry that is a number', ['myapp://auth', 8675309], ['appRedirects', '1'], '8675309'],
    ['an entry that is null', ['myapp://auth', null], ['appRedirects', '1'], 'final value'],
    ['a javascript: URL', ['myapp://auth', 'javascript:alert(1)'], ['appRedirects', '1'], 'alert(1)'],
    ['a data: URL', ['myapp://auth', 'data:text/html,<b>x</b>'], ['appRedirects', '1'], 'data:text'],
    ['http off loopback', ['myapp://auth', 'http://example.com/cb'], ['appRedirects', '1'], 'example.com/cb'],
    ['a fragment', ['myapp://auth', 'https://app.example/done#fragment'], ['appRedirects', '1'], '#fragment'],
    ['a space', ['myapp://auth', 'https://app.example/with space'], ['appRedirects', '1'], 'with space'],
    ['a repeated URL', ['myapp://repeated', 'myapp://repeated'], ['appRedirects'], 'myapp://repeated'],
    ['more than 20 URLs', Array.from({ length: 21 }, (_, i) => `myapp://many/${i}`), ['appRedirects'], 'myapp://many'],
    ['a URL over 512 chars', ['myapp://auth', `https://app.example/${'p'.repeat(500)}`], ['appRedirects', '1'], 'pppppppp'],
  ])('PUT refuses %s with its path, without echoing it, and stores nothing', async (_label, appRedirects, path, value) => {
    const res = await put(validSettings({ appRedirects }));

    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(res.body.error.details.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.any(String) })]));
    expect(JSON.stringify(res.body)).not.toContain(value);
    expect(await storedRow()).toBeUndefined();
  });

  it('an Editor can neither read nor write them', async () => {
    const editorRole = await app.strapi.service('admin::role').findOne({ code: 'strapi-editor' });
    const editor = await loginAdminWithRole(app, editorRole.id, 'redirects-editor@example.com');

    const read = await get(editor);
    const write = await put(validSettings({ appRedirects: ['myapp://editor'] }), editor);

    expect(read.status).toBe(403);
    expect(JSON.stringify(read.body)).not.toContain('myapp://auth');
    expect(write.status).toBe(403);
    expect(await storedRow()).toBeUndefined();
  });
});

describe('storeTokens', () => {
  const store = () => app.strapi.store({ type: 'plugin', name: 'tiktok-auth-mobile', key: 'settings' });
  /** What a code-flow login reads. */
  const effective = () => app.strapi.plugin('tiktok-auth-mobile').service('settings').get() as Promise<{ storeTokens: boolean }>;

  beforeEach(async () => {
    await store().delete({});
    // Earlier tests rotated this client's secret at TikTok.
    const { clientKey, clientSecret, redirectUri } = CONFIG_CLIENT;
    tiktok.registerClient({ clientKey, clientSecret, redirectUris: [redirectUri] });
  });

  it('GET shows the config file value (off) with source config', async () => {
    const res = await get(superToken);

    expect(res.body.data.storeTokens).toBe(false);
    expect(res.body.meta.sources.storeTokens).toBe('config');
    expect((await effective()).storeTokens).toBe(false);
  });

  it.each([true, false])('PUT %s stores it with source admin, and logins follow it', async (storeTokens) => {
    const res = await put(validSettings({ storeTokens }));

    expect(res.status).toBe(200);
    expect(res.body.data.storeTokens).toBe(storeTokens);
    expect(res.body.meta.sources.storeTokens).toBe('admin');
    expect((await get(superToken)).body).toEqual(res.body);
    expect(JSON.parse((await storedRow()) ?? '{}').storeTokens).toBe(storeTokens);
    expect((await effective()).storeTokens).toBe(storeTokens);
    expect(app.logs.filter((line) => line.includes('settings saved')).at(-1)).toContain(
      `TikTok tokens ${storeTokens ? 'stored' : 'not stored'}`
    );

    const account = tiktok.addAccount();
    const { code, codeVerifier } = tiktok.authorize(account, { clientKey: CONFIG_CLIENT.clientKey });
    expect((await connect({ code, code_verifier: codeVerifier })).status).toBe(200);
    const authorization = await app.strapi.db
      .query('plugin::tiktok-auth-mobile.authorization')
      .findOne({ where: { unionId: account.unionId } });
    expect(authorization.refreshToken !== null).toBe(storeTokens);
  });

  it('PUT without storeTokens keeps the saved value', async () => {
    await put(validSettings({ storeTokens: true }));

    const res = await put(validSettings({ allowAccessToken: false }));

    expect(res.body.data).toMatchObject({ allowAccessToken: false, storeTokens: true });
    expect(res.body.meta.sources.storeTokens).toBe('admin');
    expect((await effective()).storeTokens).toBe(true);
  });

  it('PUT without storeTokens leaves it to the config file when none is saved', async () => {
    const res = await put(validSettings());

    expect(res.body.meta.sources.storeTokens).toBe('config');
    expect(JSON.parse((await storedRow()) ?? '{}')).not.toHaveProperty('storeTokens');
  });

  it.each<[string, unknown, string]>([
    ['a string', 's3cret-store-flag', 's3cret-store-flag'],
    ['"true"', 'true', '"true"'],
    ['a number', 86753092, '86753092'],
    ['an object', { s: 's3cret-store-object' }, 's3cret-store-object'],
    ['null', null, 'final value'],
  ])('PUT refuses %s without echoing it, and stores nothing', async (_label, storeTokens, value) => {
    const res = await put(validSettings({ storeTokens }));

    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(res.body.error.details.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: ['storeTokens'], message: expect.any(String) })])
    );
    expect(JSON.stringify(res.body)).not.toContain(value);
    expect(await storedRow()).toBeUndefined();
  });
});
