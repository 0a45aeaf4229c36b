import config, { DEFAULT_CONFIG } from '../../server/src/config';
import { redisRateLimitStore } from '../../server/src/rate-limit/store';
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
    ['an apiBaseUrl that is not a URL', { apiBaseUrl: 'open.tiktokapis.com' }, 'apiBaseUrl must be an https URL'],
    ['a timeout below 100 ms', { timeout: 10 }, 'timeout must be greater than or equal to 100'],
    ['a client without a secret', { clients: [{ clientKey: 'k', redirectUri: client.redirectUri }] }, 'clients[0].clientSecret is required'],
    ['a redirect URI with a fragment', { clients: [{ ...client, redirectUri: 'https://app.example/cb#x' }] }, 'clients[0].redirectUri must be an absolute https URI'],
    ['a relative redirect URI', { clients: [{ ...client, redirectUri: '/callback' }] }, 'clients[0].redirectUri must be an absolute https URI'],
    ['two clients with one key', { clients: [client, client] }, 'clients must not repeat a clientKey'],
    ['a client with an unknown key', { clients: [{ ...client, secret: 'x' }] }, 'clients[0] has unknown keys: secret'],
  ])('refuses %s with a message naming it', (_label, overrides, message) => {
    expect(() => config.validator(withDefaults(overrides))).toThrow(message);
  });

  it.each([
    'https://open.tiktokapis.com',
    'https://tiktok-proxy.internal:8443/base',
    'http://127.0.0.1:8787',
    'http://127.45.6.7',
    'http://localhost:8787',
    'http://[::1]:8787',
  ])('accepts apiBaseUrl %s', (apiBaseUrl) => {
    expect(() => config.validator(withDefaults({ apiBaseUrl }))).not.toThrow();
  });

  it.each([
    'http://open.tiktokapis.com',
    'http://10.0.0.8:8787',
    'http://128.0.0.1',
    'http://localhost.example.com',
    'http://127.0.0.1.example.com',
    'http://[::2]',
    'ftp://127.0.0.1',
  ])('refuses apiBaseUrl %s: the client secret travels to it', (apiBaseUrl) => {
    expect(() => config.validator(withDefaults({ apiBaseUrl }))).toThrow(
      'apiBaseUrl must be an https URL (http only for localhost, 127.0.0.0/8 or ::1: the client secret is sent to it)'
    );
  });

  it('has linkLegacyUsers on by default and accepts only a boolean', () => {
    expect(DEFAULT_CONFIG.linkLegacyUsers).toBe(true);
    expect(() => config.validator(withDefaults({ linkLegacyUsers: false }))).not.toThrow();
    expect(() => config.validator(withDefaults({ linkLegacyUsers: 'false' }))).toThrow('linkLegacyUsers must be true or false');
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a client that is a string', { clients: ['s3cret-client'] }, 's3cret-client'],
    ['a client secret that is a number', { clients: [{ ...client, clientSecret: 31415926 }] }, '31415926'],
    ['a timeout that is a string', { timeout: 'soon-s3cret' }, 'soon-s3cret'],
    ['an apiBaseUrl that is a number', { apiBaseUrl: 27182818 }, '27182818'],
    ['a linkLegacyUsers that is a string', { linkLegacyUsers: 'maybe-s3cret' }, 'maybe-s3cret'],
  ])('never echoes a refused value: %s', (_label, overrides, value) => {
    let message = '';
    try {
      config.validator(withDefaults(overrides));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^invalid plugin config: /);
    expect(message).not.toContain(value);
    expect(message).not.toContain('final value');
  });

  it('accepts a rateLimit with max, interval and a store', () => {
    const store = redisRateLimitStore({ sendCommand: async () => [1, 60000] });
    expect(DEFAULT_CONFIG.rateLimit).toEqual({});
    expect(() => config.validator(withDefaults({ rateLimit: { max: 20, interval: 60000, store } }))).not.toThrow();
    expect(() => config.validator(withDefaults({ rateLimit: { store: { incr() {}, decrement() {}, saveAbuse() {} } } }))).not.toThrow();
  });

  it.each([
    ['a max of 0', { max: 0 }, 'rateLimit.max must be greater than or equal to 1'],
    ['an interval that is a string', { interval: '1m' }, 'rateLimit.interval must be a number'],
    ['a fractional max', { max: 2.5 }, 'rateLimit.max must be an integer'],
    ['a store without saveAbuse', { store: { incr() {}, decrement() {} } }, 'rateLimit.store must be a rate-limit store'],
    ['a Redis URL as the store', { store: 'redis://cache:6379' }, 'rateLimit.store must be a rate-limit store'],
    ['an unknown key', { enabled: false }, 'rateLimit has unknown keys: enabled'],
  ])('refuses a rateLimit with %s', (_label, rateLimit, message) => {
    expect(() => config.validator(withDefaults({ rateLimit }))).toThrow(message);
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
