module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  // The public URL: the browser login's callback is built from it.
  url: env('PUBLIC_URL', ''),
  // Behind a load balancer that overwrites X-Forwarded-For, the client IP comes from that header.
  proxy: { koa: env.bool('SERVER_PROXY', false) },
  app: {
    // Playground-only defaults: a real app sets APP_KEYS in its environment.
    keys: env.array('APP_KEYS', ['playground-key-1', 'playground-key-2']),
  },
  logger: {
    updates: { enabled: false },
    startup: { enabled: env.bool('STRAPI_STARTUP_LOG', true) },
  },
});
