const path = require('path');

/**
 * With TIKTOK_RATE_LIMIT_REDIS_URL set (e.g. redis://127.0.0.1:6379), the login rate limit counts in that
 * Redis, shared by every Strapi process pointed at it. An app installed from npm requires
 * 'strapi-plugin-tiktok-auth-mobile/strapi-server' instead of this repository's entry.
 */
function redisRateLimitStoreFor(url) {
  const { createClient } = require('redis');
  const { redisRateLimitStore } = require(path.resolve(__dirname, '..', '..', 'strapi-server.js'));
  const client = createClient({ url });
  // node-redis reconnects by itself; the plugin logs the store's failures (without the URL) once a minute.
  client.on('error', () => {});
  client.connect().catch(() => {});
  return redisRateLimitStore(client);
}

module.exports = ({ env }) => ({
  // GRAPHQL_ENABLED=true adds Strapi's GraphQL plugin, with the plugin's tiktokConnect mutation and friends.
  ...(env.bool('GRAPHQL_ENABLED', false) && {
    graphql: { enabled: true, resolve: path.dirname(require.resolve('@strapi/plugin-graphql/package.json')) },
  }),
  // DOCUMENTATION_ENABLED=true adds Strapi's documentation plugin (OpenAPI), documenting this plugin's routes.
  ...(env.bool('DOCUMENTATION_ENABLED', false) && {
    documentation: {
      enabled: true,
      resolve: path.dirname(require.resolve('@strapi/plugin-documentation/package.json')),
      config: { 'x-strapi-config': { plugins: ['users-permissions', 'tiktok-auth-mobile'] } },
    },
  }),
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET', 'playground-jwt-secret'),
      jwtManagement: env('UP_JWT_MANAGEMENT', 'legacy-support'),
      // users-permissions' refresh-mode sessions, as JSON, e.g. '{"httpOnly":true}'.
      ...(env('UP_SESSIONS') && { sessions: env.json('UP_SESSIONS') }),
      // users-permissions' login rate limit, which /api/tiktok-auth-mobile/connect shares.
      ratelimit: {
        enabled: env.bool('UP_RATELIMIT_ENABLED', true),
        interval: env.int('UP_RATELIMIT_INTERVAL_MS', 60000),
        max: env.int('UP_RATELIMIT_MAX', 10),
      },
    },
  },
  'tiktok-auth-mobile': {
    // Off only to stand for an app that has not installed this version yet (tests/upgrade-from-1x.test.ts).
    enabled: env.bool('TIKTOK_PLUGIN_ENABLED', true),
    // The plugin from this repository (its built dist/); an app installed from npm leaves this out.
    resolve: path.resolve(__dirname, '..', '..'),
    config: {
      // The playground talks to a local TikTok emulator; the default is https://open.tiktokapis.com.
      apiBaseUrl: env('TIKTOK_API_BASE_URL', 'http://127.0.0.1:8787'),
      scopes: env.array('TIKTOK_SCOPES', ['user.info.basic']),
      allowAccessToken: env.bool('TIKTOK_ALLOW_ACCESS_TOKEN', true),
      timeout: env.int('TIKTOK_TIMEOUT_MS', 5000),
      clients: env.json('TIKTOK_CLIENTS', []),
      linkLegacyUsers: env.bool('TIKTOK_LINK_LEGACY_USERS', true),
      // The browser login: TikTok's authorize page (the emulator's in the playground) and the app URLs
      // it may send users back to.
      authorizeUrl: env('TIKTOK_AUTHORIZE_URL', 'http://127.0.0.1:8787/v2/auth/authorize/'),
      appRedirects: env.json('TIKTOK_APP_REDIRECTS', []),
      // Keep each code-flow login's TikTok tokens for the tokens service (getAccessToken, revoke).
      storeTokens: env.bool('TIKTOK_STORE_TOKENS', false),
      // The login rate limit: users-permissions' ratelimit (UP_RATELIMIT_*), its max overridden by
      // TIKTOK_RATE_LIMIT_MAX, counted in each process's memory or in Redis with TIKTOK_RATE_LIMIT_REDIS_URL.
      rateLimit: {
        ...(env('TIKTOK_RATE_LIMIT_MAX') && { max: env.int('TIKTOK_RATE_LIMIT_MAX') }),
        ...(env('TIKTOK_RATE_LIMIT_REDIS_URL') && { store: redisRateLimitStoreFor(env('TIKTOK_RATE_LIMIT_REDIS_URL')) }),
      },
    },
  },
});
