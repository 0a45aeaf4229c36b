// The plugin as its README tells a user to enable it. The TikTok side (API URL, clients) comes from
// the environment: the packaging test points it at its fake TikTok.
module.exports = ({ env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET'),
      jwtManagement: env('UP_JWT_MANAGEMENT', 'legacy-support'),
    },
  },
  'tiktok-auth-mobile': {
    enabled: true,
    config: {
      apiBaseUrl: env('TIKTOK_API_BASE_URL', 'https://open.tiktokapis.com'),
      clients: env.json('TIKTOK_CLIENTS', []),
    },
  },
});
