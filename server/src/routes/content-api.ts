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
    {
      // The browser login starts here; it shares /connect's rate limit, since each start stores a state.
      method: 'GET' as const,
      path: '/authorize',
      handler: 'browser.authorize',
      config: { auth: false as const, middlewares: ['plugin::tiktok-auth-mobile.rateLimit'] },
    },
    {
      // Where TikTok sends the browser back: only a state this server handed out does anything.
      method: 'GET' as const,
      path: '/callback',
      handler: 'browser.callback',
      config: { auth: false as const },
    },
    // The user's own TikTok link: users-permissions authenticates the caller and its role must allow the action.
    { method: 'GET' as const, path: '/me', handler: 'me.find' },
    {
      method: 'POST' as const,
      path: '/link',
      handler: 'me.link',
      // A TikTok verification like /connect's: the same rate limit.
      config: { middlewares: ['plugin::tiktok-auth-mobile.rateLimit', 'plugin::tiktok-auth-mobile.bodyLimit'] },
    },
    { method: 'DELETE' as const, path: '/me', handler: 'me.unlink' },
    {
      // TikTok's webhook events: the TikTok-Signature header, checked against a client secret, authenticates them.
      method: 'POST' as const,
      path: '/webhook',
      handler: 'webhook.receive',
      config: { auth: false as const },
    },
  ],
};
