export default {
  type: 'content-api' as const,
  routes: [
    {
      method: 'POST' as const,
      path: '/connect',
      handler: 'connect.connect',
      // Public by design: the TikTok credential in the body is what authenticates the caller.
      config: { auth: false as const },
    },
  ],
};
