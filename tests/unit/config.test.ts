import config, { DEFAULT_CONFIG } from '../../server/src/config';
import { userInfoFields } from '../../server/src/services/tiktok-api';

const client = { clientKey: 'awkey', clientSecret: 'secret', redirectUri: 'https://app.example/tiktok/callback' };
const withDefaults = (overrides: Record<string, unknown>) => ({ ...DEFAULT_CONFIG, ...overrides });

describe('plugin config validator', () => {
  it('accepts the defaults and a complete config', () => {
    expect(() => config.validator(DEFAULT_CONFIG)).not.toThrow();
    expect(() =>
      config.validator(
        withDefaults({ clients: [client, { ...client, clientKey: 'sbawkey', label: 'Sandbox' }], scopes: ['user.info.basic', 'user.info.profile'] })
      )
    ).not.toThrow();
  });

  it.each([
    ['an unknown option', { allowAcessToken: false }, 'unknown option(s): allowAcessToken'],
    ['a non-boolean allowAccessToken', { allowAccessToken: 'yes' }, 'allowAccessToken'],
    ['an apiBaseUrl that is not a URL', { apiBaseUrl: 'open.tiktokapis.com' }, 'apiBaseUrl must be an http(s) URL'],
    ['a timeout below 100 ms', { timeout: 10 }, 'timeout must be greater than or equal to 100'],
    ['a client without a secret', { clients: [{ clientKey: 'k', redirectUri: client.redirectUri }] }, 'clients[0].clientSecret is a required field'],
    ['a redirect URI with a fragment', { clients: [{ ...client, redirectUri: 'https://app.example/cb#x' }] }, 'clients[0].redirectUri must be an absolute https URI'],
    ['a relative redirect URI', { clients: [{ ...client, redirectUri: '/callback' }] }, 'clients[0].redirectUri must be an absolute https URI'],
    ['two clients with one key', { clients: [client, client] }, 'clients must not repeat a clientKey'],
    ['a client with an unknown key', { clients: [{ ...client, secret: 'x' }] }, 'clients[0] has unknown keys: secret'],
  ])('refuses %s with a message naming it', (_label, overrides, message) => {
    expect(() => config.validator(withDefaults(overrides))).toThrow(message);
  });

  it('lists every problem at once', () => {
    expect(() => config.validator(withDefaults({ timeout: 0, scopes: ['nope'] }))).toThrow(/timeout.*; .*scopes|scopes.*; .*timeout/);
  });
});

describe('userInfoFields', () => {
  it('asks only for basic fields unless user.info.profile is configured', () => {
    expect(userInfoFields(['user.info.basic'])).toEqual(['open_id', 'union_id', 'display_name', 'avatar_url']);
    expect(userInfoFields(['user.info.basic', 'user.info.profile'])).toEqual([
      'open_id', 'union_id', 'display_name', 'avatar_url', 'username', 'is_verified',
    ]);
  });
});
