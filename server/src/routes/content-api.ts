export default {
  type: 'content-api' as const,
  routes: [
    {
      method: 'POST' as const,
      path: '/connect',
      handler: 'connect.connect',
      config: {
        // Public by design: the TikTok credential in the body is what authenticates the caller.
        auth: false as const,
        middlewares: ['plugin::tiktok-auth-mobile.rateLimit', 'plugin::tiktok-auth-mobile.bodyLimit'],
      },
    },
  ],
};
