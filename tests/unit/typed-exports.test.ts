/**
 * What a TypeScript host app imports from the package: the plugin, the error classes the tokens service
 * throws (the same classes, so `instanceof` works), the error table and the types of what it answers.
 */
import plugin, {
  CONNECT_ERRORS,
  EVENTS,
  TikTokReauthRequiredError,
  TikTokUnavailableError,
  redisRateLimitStore,
  type ConnectErrorCode,
  type LoginAnswer,
  type PluginConfig,
  type RateLimitConfig,
  type RedisCommandClient,
  type TikTokAccessToken,
} from 'strapi-plugin-tiktok-auth-mobile/strapi-server';

it('exports the plugin, its errors, events and types from the strapi-server entry', () => {
  expect(typeof plugin.register).toBe('function');
  expect(CONNECT_ERRORS.tiktok_code_invalid).toBe(400);
  expect(EVENTS.login).toBe('tiktok-auth-mobile.login');

  const code: ConnectErrorCode = 'user_already_linked';
  const reauth = new TikTokReauthRequiredError('no_tokens', 'sign in again');
  expect(reauth).toMatchObject({ name: 'TikTokReauthRequiredError', code: 'tiktok_reauth_required', reason: 'no_tokens' });
  expect(new TikTokUnavailableError('later')).toMatchObject({ code: 'tiktok_unavailable', status: 503 });
  expect(CONNECT_ERRORS[code]).toBe(409);

  // Compile-time checks: these only type-check if the types describe what the docs say.
  const answer: LoginAnswer = { jwt: 'x', user: {}, profile: { union_id: 'u', open_id: 'o', display_name: null, avatar_url: null } };
  const token: Pick<TikTokAccessToken, 'accessToken' | 'scopes'> = { accessToken: 'act', scopes: ['user.info.basic'] };
  const config: Pick<PluginConfig, 'storeTokens' | 'allowAccessToken'> = { storeTokens: true, allowAccessToken: false };
  expect([answer.jwt, token.accessToken, config.storeTokens]).toEqual(['x', 'act', true]);

  const client: RedisCommandClient = { sendCommand: async () => [1, 60000] };
  const rateLimit: RateLimitConfig = { max: 20, interval: 60000, store: redisRateLimitStore(client, { prefix: 'app:' }) };
  expect(typeof rateLimit.store?.incr).toBe('function');
});
